import { createHash } from "node:crypto";
import type { VkspaySandbox } from "../../../scripts/sandbox/vkspay";
import { startPayingSpace } from "../../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../../helpers/tokens";

/**
 * What the VksPay end-to-end files share: the product as `npm start` runs it, and 易支付 notifications built
 * and MD5-signed here from the community documents (not with the library's or the sandbox's code).
 */
export function epayNotification(
  mchId: string,
  key: string,
  outTradeNo: string,
  money: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const params: Record<string, string> = {
    pid: mchId,
    trade_no: `2026${Date.now()}`,
    out_trade_no: outTradeNo,
    type: "alipay",
    name: "充值 1+1",
    money,
    trade_status: "TRADE_SUCCESS",
    ...overrides,
  };
  const content = Object.keys(params)
    .filter((name) => params[name] !== "")
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
  return {
    ...params,
    sign: createHash("md5")
      .update(content + key)
      .digest("hex"),
    sign_type: "MD5",
  };
}

export async function startVkspaySpace() {
  const env = await startPayingSpace();
  const vkspay = env.sandboxes.vkspay as VkspaySandbox;
  await env.db.collection("uni-id-users").add([
    { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
    { _id: "boss", role: ["admin"], status: 0 },
  ]);
  const user = await mintToken(TEST_SECRET, { uid: "u1" });
  const admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  const call = async (event: Record<string, unknown>, platform: string) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const client = (url: string, data: Record<string, unknown>, platform = "web") => call({ url, data, uniIdToken: user }, platform);
  const asAdmin = (url: string, data: Record<string, unknown>) => call({ url, data, uniIdToken: admin }, "web");
  const control = async (action: string, body: Record<string, unknown>) => {
    const result = await env.control("vkspay", action, body);
    await vkspay.idle();
    return result;
  };
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const outcomes = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => entry.outcome as string);
  return { ...env, vkspay, user, admin, call, client, asAdmin, control, order, outcomes };
}

export type VkspaySpace = Awaited<ReturnType<typeof startVkspaySpace>>;
