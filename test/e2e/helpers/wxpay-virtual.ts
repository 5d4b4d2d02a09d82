import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDataDir } from "../../../scripts/local/data-dir";
import type { XpaySandbox } from "../../../scripts/sandbox/wxpay-virtual";
import { startProviderSpace } from "./provider-space";

/** The buyer of the xpay end-to-end files: one WeChat user of the mini program both sandboxes share. */
export const XPAY_BUYER = "oXpayEndToEndBuyer00000001";

/**
 * WeChat virtual payment as `npm start` runs it. The buyer logs in through `pay/code2SessionWeixin` (the
 * WeChat sandbox issues the session key, the library stores it); WeChat's xpay side knows the same session,
 * which the test hands the xpay sandbox from the library's store, standing in for WeChat's shared backend.
 */
export async function startXpaySpace(options: Parameters<typeof startProviderSpace>[2] = {}) {
  const space = await startProviderSpace<XpaySandbox>("wxpay-virtual", "mp-weixin", options);
  // The WeChat sandbox's wx.login: a one-time code for the buyer (its own control API, not the xpay sandbox's).
  const issued = await fetch(`${space.url}/__sandbox/wxpay/issue-code`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ openid: XPAY_BUYER }),
  });
  const { code } = (await issued.json()) as { code: string };
  const login = await space.client("pay/code2SessionWeixin", { code });
  if (login?.code !== 0) throw new Error(`login failed: ${JSON.stringify(login)}`);
  const { data: sessions } = await space.db.collection("vk-pay-wx-sessions").where({ openid: XPAY_BUYER }).get();
  await space.control("session", { openid: XPAY_BUYER, session_key: sessions[0].session_key });
  return { ...space, xpay: space.sandbox };
}

export type XpaySpace = Awaited<ReturnType<typeof startXpaySpace>>;

/**
 * The generated config with the mini program's message push as a merchant chose it in the back office:
 * plain mode (明文模式: no EncodingAESKey) or safe mode, in `format`; the sandbox is switched to match.
 */
export async function startXpaySpaceWithPush(push: { safe: boolean; format: "json" | "xml" }) {
  const space = await startXpaySpace({
    prepareDataDir: async (dataDir) => {
      await prepareDataDir(dataDir);
      const file = join(dataDir, "uni-config-center/uni-pay/config.js");
      const generated = readFileSync(file, "utf8");
      const withFormat = generated.replace(/"messageFormat": "json"/, `"messageFormat": "${push.format}"`);
      const changed = push.safe ? withFormat : withFormat.replace(/"encodingAESKey": "[^"]*",\s*/, "");
      if (changed === generated && !(push.safe && push.format === "json")) throw new Error("the generated config has no xpay push settings to change");
      writeFileSync(file, changed);
    },
  });
  await space.control("push-settings", push);
  return space;
}
