import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

/**
 * A cloud function of the developer's own: a service provider's back end placing a HarmonyOS order for one
 * of its sub-merchants (`sub_mchid`), which no client may choose.
 */
const PARTNER_SHOP = `"use strict";
const vkPay = require("vk-uni-pay");
exports.main = async (event, context) => vkPay.createPayment({ context, provider: "huawei", data: event.data });
`;

function addPartnerShop(spaceDir: string): void {
  const dir = join(spaceDir, "cloudfunctions", "huawei-shop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), PARTNER_SHOP);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "huawei-shop", main: "index.js", dependencies: { "vk-uni-pay": "file:../common/vk-uni-pay" } }),
  );
}

export async function startHuaweiSpace() {
  const space = await startProviderSpace<HuaweiSandbox>("huawei", "mp-harmony", { prepareSpace: addPartnerShop });
  /** An order placed by the service provider's own function for `subMchId`. */
  const partnerOrder = (data: Record<string, unknown>, platform = "mp-harmony") =>
    fetch(`${space.url}/__callFunction/huawei-shop`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { data }, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
    }).then(async (response) => ((await response.json()) as { result: any }).result);
  const post = async (outTradeNo: string, body: string) => {
    const response = await fetch((await space.order(outTradeNo)).notify_url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, body: await response.text() };
  };
  return { ...space, huawei: space.sandbox, post, partnerOrder };
}

export type HuaweiSpace = Awaited<ReturnType<typeof startHuaweiSpace>>;
