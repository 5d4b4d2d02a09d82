import { createSign, randomInt } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPayingSpace } from "../../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../../helpers/tokens";

/**
 * What the Alipay end-to-end files share: the product started in key or certificate mode, a developer's
 * own cloud function calling vk-uni-pay on the server, and notifications built and signed here with
 * node:crypto alone, the way Alipay's documents describe (not with the sandbox's or the library's code).
 */

/**
 * A shop's own cloud function (a till and a back office), as a developer would write it: it prices the
 * orders itself and calls vk-uni-pay on the server, which is the only way to create pay-code and custom orders.
 */
const TILL_FUNCTION = `"use strict";
const vkPay = require("vk-uni-pay");
exports.main = async (event, context) => {
  const data = { out_trade_no: event.out_trade_no, total_fee: event.total_fee, subject: event.subject || "门店收款", type: event.type, user_id: "u1", custom: event.custom || {} };
  switch (event.action) {
    case "codepay":
      return vkPay.createPayment({ context, provider: "alipay", data: { ...data, auth_code: event.auth_code } });
    case "qr":
      return vkPay.createPayment({ context, provider: "alipay", isPC: true, data: { ...data, ...(event.pid ? { pid: event.pid } : {}) } });
    case "seed-example":
      // /work/shared/seed/vk-pay-api.md, 支付宝支付特定参数, as written there (the developer's goods row added).
      return vkPay.createPayment({
        context,
        provider: "alipay",
        data: { out_trade_no: event.out_trade_no, total_fee: 100, subject: "测试订单", type: "goods", user_id: "u1", custom: { goods_id: "cup", quantity: 1 },
          other: { timeout_express: "30m", goods_type: "0", promo_params: {} } },
      });
    case "query":
      return vkPay.queryPayment({ out_trade_no: event.out_trade_no });
    case "refund":
      return vkPay.refund({ out_trade_no: event.out_trade_no, refund_fee: event.refund_fee, refund_desc: "门店退款" });
    default:
      return { code: -1, msg: "unknown action" };
  }
};
`;

function addTillFunction(spaceDir: string): void {
  const dir = join(spaceDir, "cloudfunctions", "till");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), TILL_FUNCTION);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "till", main: "index.js", dependencies: { "vk-uni-pay": "file:../common/vk-uni-pay" } }));
}

/** The sandbox's pay codes (scripts/sandbox/alipay/methods.ts), spelled out so a changed sandbox shows here. */
export const PAY_CODES = {
  pay: "280000000000000001",
  userPaying: "280000000000000002",
  invalid: "280000000000000003",
  abandon: "280000000000000004",
  ignore: "280000000000000005",
};

const BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/120";

/** Alipay's notification signature: RSA-SHA256 over the sorted non-empty `k=v` pairs without `sign` and `sign_type`. */
export function signAlipayParams(params: Record<string, string>, privateKeyPem: string): string {
  const content = Object.keys(params)
    .filter((key) => key !== "sign" && key !== "sign_type" && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKeyPem, "base64");
}

/** The form body Alipay posts: every value URL-encoded once (a space as `+`, a `+` as `%2B`). */
export function alipayForm(params: Record<string, string>, privateKeyPem: string): string {
  return new URLSearchParams({ ...params, sign_type: "RSA2", sign: signAlipayParams(params, privateKeyPem) }).toString();
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, as every Alipay time field is written. */
export function beijing(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace("T", " ").slice(0, 19);
}

/**
 * A TRADE_SUCCESS notification's parameters as Alipay sends them (异步通知参数), unsigned, with `overrides` on top.
 * @see https://opendocs.alipay.com/open/270/105902
 */
export function alipayTradeNotification(
  merchant: { appId: string; sellerId: string },
  target: string,
  totalAmount: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const now = Date.now();
  return {
    notify_time: beijing(now),
    notify_type: "trade_status_sync",
    notify_id: `${now}${randomInt(1_000_000)}`,
    charset: "utf-8",
    version: "1.0",
    app_id: merchant.appId,
    auth_app_id: merchant.appId,
    trade_no: `2026112522001${String(randomInt(1e9)).padStart(15, "0")}`,
    out_trade_no: target,
    trade_status: "TRADE_SUCCESS",
    total_amount: totalAmount,
    receipt_amount: totalAmount,
    buyer_pay_amount: totalAmount,
    seller_id: merchant.sellerId,
    buyer_id: "2088102177846880",
    // A signed value with a `+` in it (`%2B` on the wire) and spaces (`+` on the wire).
    subject: "加油包 1+1",
    gmt_create: beijing(now - 60_000),
    gmt_payment: beijing(now),
    ...overrides,
  };
}

export type AlipaySpace = Awaited<ReturnType<typeof startAlipaySpace>>;

/**
 * The whole local product with its generated config in key mode or, as `ALIPAY_SANDBOX_MODE=cert npm start`
 * does, in certificate mode; a user `u1`, an admin, goods and the till function.
 */
export async function startAlipaySpace(options: { cert: boolean; prepareDataDir?: (dataDir: string) => void | Promise<void> }) {
  const previous = process.env.ALIPAY_SANDBOX_MODE;
  if (options.cert) process.env.ALIPAY_SANDBOX_MODE = "cert";
  else delete process.env.ALIPAY_SANDBOX_MODE;
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  try {
    env = await startPayingSpace({ prepareSpace: addTillFunction, prepareDataDir: options.prepareDataDir });
  } finally {
    if (previous === undefined) delete process.env.ALIPAY_SANDBOX_MODE;
    else process.env.ALIPAY_SANDBOX_MODE = previous;
  }
  await env.db.collection("uni-id-users").add([
    { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
    { _id: "boss", role: ["admin"], status: 0 },
  ]);
  await env.db.collection("vk-pay-goods").add([
    { _id: "pen", name: "钢笔", price: 1990, stock: 5 },
    { _id: "cup", name: "杯子", price: 100, stock: 9 },
  ]);
  const user = await mintToken(TEST_SECRET, { uid: "u1" });
  const admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  const keys = env.alipay.keys;
  const app = options.cert ? keys.certApp : keys.keyApp;

  const call = async (name: string, event: Record<string, unknown>, platform = "web", userAgent = BROWSER) => {
    const response = await fetch(`${env.url}/__callFunction/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": userAgent },
      body: JSON.stringify({ event, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const client = (url: string, data: Record<string, unknown>, platform = "web", token = user) => call("vk-pay", { url, data, uniIdToken: token }, platform);
  const asAdmin = (url: string, data: Record<string, unknown>) => client(url, data, "web", admin);
  const info = async () => (await client("user/getInfo", {})).data as { balance: number; vip_expire_date: number };
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const outcomes = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => entry.outcome as string);
  /** The sandbox's record of the trade: what reached the gateway (biz content) and what it decided. */
  const trade = (outTradeNo: string) => env.alipay.state.trade(app.appId, outTradeNo);
  const control = async (action: string, body: Record<string, unknown>) => {
    const result = await env.control("alipay", action, body);
    await env.alipay.idle();
    return result;
  };
  const stock = async (goodsId: string) =>
    ((await client("pay/getGoods", {})).data.rows as Array<{ _id: string; stock: number }>).find((row) => row._id === goodsId)!.stock;

  return {
    ...env,
    user,
    admin,
    cert: options.cert,
    app,
    /** The key Alipay signs this app's notifications with (the Alipay certificate's key in certificate mode). */
    alipayPrivateKeyPem: options.cert ? keys.alipayCertPrivateKeyPem : keys.alipayPrivateKeyPem,
    call,
    client,
    asAdmin,
    info,
    order,
    outcomes,
    trade,
    control,
    stock,
  };
}
