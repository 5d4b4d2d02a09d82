import { randomBytes } from "node:crypto";
import { sm2Sign } from "../../../common/vk-uni-pay/src/providers/huawei/protocol";
import type { HuaweiSandbox } from "../../../scripts/sandbox/huawei";
import { startPayingSpace } from "../../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../../helpers/tokens";

/**
 * What the Huawei end-to-end files share: the product as `npm start` runs it, called as a HarmonyOS client
 * (`mp-harmony` or `app-harmony`), and callbacks built here from Huawei's pages (field lists of the payment
 * and refund callbacks), signed SM2 with the sandbox's platform key unless a test says otherwise.
 */

/** Huawei's sort-and-join rule, written again here so a test does not lean on the code it checks. */
function plain(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .filter((key) => key !== "sign" && fields[key] !== null && fields[key] !== undefined)
    .sort()
    .map((key) => `${key}=${String(fields[key])}`)
    .join("&");
}

export function signCallback(fields: Record<string, unknown>, sm2PrivateKeyHex: string): string {
  return JSON.stringify({ ...fields, sign: sm2Sign(plain(fields), sm2PrivateKeyHex).toString("base64") });
}

/**
 * A payment callback's fields (支付结果回调通知), unsigned, with `overrides` on top.
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-pay-notify
 */
export function paymentCallback(merchant: { mchId: string; appId: string }, outTradeNo: string, totalAmount: number, overrides: Record<string, unknown> = {}) {
  return {
    callbackId: randomBytes(16).toString("hex"),
    callbackTime: "2026-12-07 10:00:00",
    dataType: "plain",
    signType: "SM2",
    certNo: "sandbox-sm2-1",
    mercNo: merchant.mchId,
    appId: merchant.appId,
    sysTransOrderNo: `4${Date.now()}${randomBytes(3).toString("hex")}`,
    mercOrderNo: outTradeNo,
    orderStatus: "TRX_SUCCESS",
    currency: "CNY",
    totalAmount,
    payerAmount: totalAmount,
    promotionAmount: 0,
    finishTime: "2026-12-07T10:00:00.000+0800",
    ...overrides,
  };
}

export async function startHuaweiSpace() {
  const env = await startPayingSpace();
  const huawei = env.sandboxes.huawei as HuaweiSandbox;
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
  const client = (url: string, data: Record<string, unknown>, platform = "mp-harmony") => call({ url, data, uniIdToken: user }, platform);
  const asAdmin = (url: string, data: Record<string, unknown>) => call({ url, data, uniIdToken: admin }, "web");
  const control = async (action: string, body: Record<string, unknown>) => {
    const result = await env.control("huawei", action, body);
    await huawei.idle();
    return result;
  };
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const outcomes = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => entry.outcome as string);
  const post = async (outTradeNo: string, body: string) => {
    const response = await fetch((await order(outTradeNo)).notify_url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, body: await response.text() };
  };
  return { ...env, huawei, user, admin, call, client, asAdmin, control, order, outcomes, post };
}

export type HuaweiSpace = Awaited<ReturnType<typeof startHuaweiSpace>>;
