import { createCipheriv, createHash, createHmac, createSign, createVerify, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UNI_PAY_TEMPLATE } from "../../../scripts/build/paths";
import type { startPayingSpace } from "../../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../../helpers/tokens";

/**
 * What the WeChat end-to-end files share: a uni-pay config of the test's own (API v2 blocks, partner and
 * public-key merchants), a developer cloud function calling vk-uni-pay on the server, and WeChat Pay v2's
 * wire format written here from its documents with node:crypto alone, so that a forged message is built
 * independently of the library it is thrown at.
 */

export type PayingSpace = Awaited<ReturnType<typeof startPayingSpace>>;

/** Stand-ins resolved when the config loads: the ports are only known once the space has started. */
export const BASE = "@@WXPAY_BASE@@";
export const SECAPI = "@@WXPAY_SECAPI@@";

function encodeBuffers(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `@@BUFFER:${value.toString("base64")}@@`;
  if (Array.isArray(value)) return value.map(encodeBuffers);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, encodeBuffers(inner)]));
  return value;
}

/**
 * Writes `uni-config-center/uni-pay/config.js` with this `wxpay` block: `BASE` / `SECAPI` at the start of a
 * string become the sandbox's HTTP and HTTPS origins (from PORT and WXPAY_SANDBOX_HTTPS_PORT when the
 * config is loaded, as the generated config does), Buffers stay Buffers (a `pfx` read with fs).
 */
export function writeUniPayConfig(dataDir: string, wxpay: Record<string, unknown>): void {
  const rendered = JSON.stringify(encodeBuffers(wxpay), null, 2)
    .replace(/"@@BUFFER:([A-Za-z0-9+/=]*)@@"/g, (_, b64: string) => `Buffer.from("${b64}", "base64")`)
    .replace(new RegExp(`"${BASE}([^"]*)"`, "g"), (_, rest: string) => `"http://127.0.0.1:" + process.env.PORT + ${JSON.stringify(rest)}`)
    .replace(
      new RegExp(`"${SECAPI}([^"]*)"`, "g"),
      (_, rest: string) => `"https://127.0.0.1:" + process.env.WXPAY_SANDBOX_HTTPS_PORT + ${JSON.stringify(rest)}`,
    );
  const file = join(dataDir, "uni-config-center", "uni-pay", "config.js");
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(
    file,
    `const template = require(${JSON.stringify(UNI_PAY_TEMPLATE)});
module.exports = {
  ...template,
  notifyUrl: { local: "http://127.0.0.1:" + process.env.PORT + "/http/vk-pay" },
  notifyKey: "e2e-wxpay-notify-key-0123456789abcdef0123456789abcdef0123456789abcdef",
  wxpay: ${rendered},
};
`,
  );
}

/**
 * A cloud function of the developer's own, calling vk-uni-pay on the server: what a shop's back end does
 * for pay-code checkouts, sub-merchant orders and `pid` merchants, none of which a client may choose.
 */
const SHOP_FUNCTION = `"use strict";
const vkPay = require("vk-uni-pay");
exports.main = async (event, context) => {
  switch (event.action) {
    case "create":
      return vkPay.createPayment({ context, provider: "wxpay", isPC: event.isPC === true, data: event.data });
    case "query":
      return vkPay.queryPayment({ out_trade_no: event.out_trade_no });
    case "refund":
      return vkPay.refund({ out_trade_no: event.out_trade_no, refund_fee: event.refund_fee, refund_desc: "店铺退款" });
    case "queryRefund":
      return vkPay.queryRefund({ out_trade_no: event.out_trade_no, out_refund_no: event.out_refund_no });
    case "close":
      return vkPay.closeOrder({ out_trade_no: event.out_trade_no });
    default:
      return { code: -1, msg: "unknown action" };
  }
};
`;

export function addShopFunction(spaceDir: string): void {
  const dir = join(spaceDir, "cloudfunctions", "shop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), SHOP_FUNCTION);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", main: "index.js", dependencies: { "vk-uni-pay": "file:../common/vk-uni-pay" } }));
}

/** The calls every file makes: cloud functions over HTTP, the database, the notify log. */
export async function wxpayClients(env: PayingSpace) {
  await env.db.collection("uni-id-users").add([
    { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
    { _id: "boss", role: ["admin"], status: 0 },
  ]);
  await env.db.collection("vk-pay-goods").add({ _id: "pen", name: "钢笔", price: 1990, stock: 5 });
  const user = await mintToken(TEST_SECRET, { uid: "u1" });
  const admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });

  const call = async (name: string, event: Record<string, unknown>, options: { platform?: string; userAgent?: string } = {}) => {
    const response = await fetch(`${env.url}/__callFunction/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": options.userAgent ?? "Mozilla/5.0 (Windows NT 10.0) Chrome/120" },
      body: JSON.stringify({ event, clientInfo: { PLATFORM: options.platform ?? "web", APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const client = (url: string, data: Record<string, unknown>, options: { platform?: string; userAgent?: string; token?: string } = {}) =>
    call("vk-pay", { url, data, uniIdToken: options.token ?? user }, options);
  const asAdmin = (url: string, data: Record<string, unknown>) => client(url, data, { token: admin });
  const shop = (action: string, event: Record<string, unknown> = {}) => call("shop", { action, ...event });
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const refundsOf = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-refunds").where({ out_trade_no: outTradeNo }).get()).data as Array<Record<string, any>>;
  const logFor = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => [entry.outcome, entry.reason ?? ""] as [string, string]);
  /** The newest notify-log entry: a refusal before the order is known carries no out_trade_no. */
  const lastLog = async () =>
    ((await env.db.collection("vk-pay-notify-log").orderBy("create_date", "desc").limit(1).get()).data as Array<Record<string, any>>)[0]!;
  const logCount = async () => (await env.db.collection("vk-pay-notify-log").count()).total as number;
  const balance = async () => (await client("user/getInfo", {})).data.balance as number;
  return { user, admin, call, client, asAdmin, shop, order, refundsOf, logFor, lastLog, logCount, balance };
}

// ---- WeChat Pay API v2, from its documents ----

export type V2Fields = Record<string, string | number | undefined>;

/**
 * `sign`: the non-empty fields but `sign` sorted by name as `k=v&…&key=KEY`, then MD5 or HMAC-SHA256
 * (keyed by the API key), uppercase hex.
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export function v2Sign(fields: V2Fields, key: string, type: "MD5" | "HMAC-SHA256" = "MD5"): string {
  const text = Object.keys(fields)
    .filter((name) => name !== "sign" && fields[name] !== undefined && fields[name] !== "")
    .sort()
    .map((name) => `${name}=${fields[name]}`)
    .join("&");
  const signed = `${text}&key=${key}`;
  const digest = type === "MD5" ? createHash("md5").update(signed, "utf8") : createHmac("sha256", key).update(signed, "utf8");
  return digest.digest("hex").toUpperCase();
}

export function v2Xml(fields: V2Fields): string {
  return `<xml>${Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`)
    .join("")}</xml>`;
}

/**
 * A payment notification's fields as WeChat v2 sends them (支付结果通知), unsigned, with `overrides` on top.
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8
 */
export function v2PaymentFields(merchant: { appId: string; mchId: string }, outTradeNo: string, totalFee: number, overrides: V2Fields = {}): V2Fields {
  return {
    return_code: "SUCCESS",
    return_msg: "OK",
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: `n${Date.now()}`,
    result_code: "SUCCESS",
    openid: "o-forged",
    is_subscribe: "N",
    trade_type: "NATIVE",
    bank_type: "OTHERS",
    total_fee: totalFee,
    fee_type: "CNY",
    cash_fee: totalFee,
    transaction_id: `4200000${Date.now()}`,
    out_trade_no: outTradeNo,
    time_end: "20261125120000",
    attach: "till-7",
    ...overrides,
  };
}

/** A flat `<xml>` reply read back (the library's acknowledgement). */
export function readXml(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of text.matchAll(/<([A-Za-z_]\w*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) fields[match[1]] = match[2] ?? match[3];
  return fields;
}

/** Checks a v2 JSAPI `paySign` over appId, nonceStr, package, signType, timeStamp. */
export function v2PaySignHolds(orderInfo: Record<string, string>, key: string): boolean {
  const { paySign, ...signed } = orderInfo;
  return (
    paySign ===
    v2Sign(
      { appId: signed.appId, nonceStr: signed.nonceStr, package: signed.package, signType: signed.signType, timeStamp: signed.timeStamp },
      key,
      signed.signType as "MD5" | "HMAC-SHA256",
    )
  );
}

/** Checks a v3 JSAPI `paySign`: RSA-SHA256 over `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant's certificate. */
export function v3PaySignHolds(orderInfo: Record<string, string>, merchantCertPem: string): boolean {
  return createVerify("RSA-SHA256")
    .update(`${orderInfo.appId}\n${orderInfo.timeStamp}\n${orderInfo.nonceStr}\n${orderInfo.package}\n`)
    .verify(merchantCertPem, orderInfo.paySign, "base64");
}

export async function postText(url: string, body: string | Uint8Array, contentType = "text/xml; charset=utf-8") {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType, "user-agent": "Mozilla/4.0" }, body });
  return { status: response.status, body: await response.text() };
}

// ---- WeChat Pay API v3, from its documents ----

export interface Signer {
  privateKeyPem: string;
  serial: string;
}

/** A v3 notification: AES-256-GCM resource under the APIv3 key, RSA-SHA256 over timestamp, nonce and body. */
export function v3Notification(options: {
  v3Key: string;
  signer: Signer;
  eventType: string;
  originalType: string;
  resource: Record<string, unknown>;
  timestamp?: number;
}) {
  const nonce = randomBytes(6).toString("hex");
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(options.v3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(options.originalType, "utf8"));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(options.resource), "utf8"), cipher.final(), cipher.getAuthTag()]);
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: "2026-11-25T12:00:00+08:00",
    resource_type: "encrypt-resource",
    event_type: options.eventType,
    summary: "通知",
    resource: {
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: sealed.toString("base64"),
      nonce,
      associated_data: options.originalType,
      original_type: options.originalType,
    },
  });
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headerNonce = randomBytes(16).toString("hex");
  const signature = createSign("RSA-SHA256").update(`${timestamp}\n${headerNonce}\n${body}\n`).sign(options.signer.privateKeyPem, "base64");
  return {
    body,
    headers: {
      "content-type": "application/json",
      "wechatpay-timestamp": timestamp,
      "wechatpay-nonce": headerNonce,
      "wechatpay-signature": signature,
      "wechatpay-serial": options.signer.serial,
      "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
    },
  };
}
