import type { XpaySandbox } from "../../../scripts/sandbox/wxpay-virtual";
import { startProviderSpace } from "./provider-space";

/** The buyer of the xpay end-to-end files: one WeChat user of the mini program both sandboxes share. */
export const XPAY_BUYER = "oXpayEndToEndBuyer00000001";

/**
 * WeChat virtual payment as `npm start` runs it. The buyer logs in through `pay/code2SessionWeixin` (the
 * WeChat sandbox issues the session key, the library stores it); WeChat's xpay side knows the same session,
 * which the test hands the xpay sandbox from the library's store, standing in for WeChat's shared backend.
 */
export async function startXpaySpace() {
  const space = await startProviderSpace<XpaySandbox>("wxpay-virtual", "mp-weixin");
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
