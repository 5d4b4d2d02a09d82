import { randomBytes } from "node:crypto";
import { sm2Sign } from "../../../common/vk-uni-pay/src/providers/huawei/protocol";
import type { HuaweiSandbox } from "../../../scripts/sandbox/huawei";
import { startProviderSpace } from "./provider-space";

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
  const space = await startProviderSpace<HuaweiSandbox>("huawei", "mp-harmony");
  const post = async (outTradeNo: string, body: string) => {
    const response = await fetch((await space.order(outTradeNo)).notify_url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, body: await response.text() };
  };
  return { ...space, huawei: space.sandbox, post };
}

export type HuaweiSpace = Awaited<ReturnType<typeof startHuaweiSpace>>;
