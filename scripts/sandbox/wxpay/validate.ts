/**
 * Field rules of the prepay and refund bodies, with WeChat's PARAM_ERROR shape (`detail.field` as a JSON
 * pointer into the body).
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012525167 (JSAPI下单)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml (申请退款)
 */
import { isRecord } from "./http";
import { parseRfc3339 } from "./time";
import { paramError, type TradeType, WxpayApiError } from "./types";

export interface PrepayRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  notify_url: string;
  time_expire?: number;
  attach?: string;
  total: number;
  currency: string;
  payer_openid?: string;
}

export interface RefundRequest {
  out_refund_no: string;
  out_trade_no?: string;
  transaction_id?: string;
  reason?: string;
  notify_url?: string;
  refund: number;
  total: number;
  currency: string;
}

export function parseJsonObject(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WxpayApiError(400, "PARAM_ERROR", "请求体不是合法的JSON", { field: "/", location: "body", issue: "invalid JSON" });
  }
  if (!isRecord(parsed)) throw new WxpayApiError(400, "PARAM_ERROR", "请求体必须是JSON对象", { field: "/", location: "body", issue: "body must be an object" });
  return parsed;
}

function str(body: Record<string, unknown>, path: string, options: { required: boolean; max: number; min?: number; pattern?: RegExp }): string | undefined {
  const value = body[path.split("/").pop()!];
  if (value === undefined || value === null) {
    if (options.required) throw paramError(path, "is required");
    return undefined;
  }
  if (typeof value !== "string") throw paramError(path, "must be a string", value);
  const length = [...value].length;
  if (length < (options.min ?? (options.required ? 1 : 0)) || length > options.max)
    throw paramError(path, `length must be ${options.min ?? 1}..${options.max}`, value);
  if (options.pattern && !options.pattern.test(value)) throw paramError(path, "has characters that are not allowed", value);
  return value;
}

function obj(body: Record<string, unknown>, path: string, required: boolean): Record<string, unknown> | undefined {
  const value = body[path.split("/").pop()!];
  if (value === undefined || value === null) {
    if (required) throw paramError(path, "is required");
    return undefined;
  }
  if (!isRecord(value)) throw paramError(path, "must be an object", value);
  return value;
}

function positiveInt(body: Record<string, unknown>, path: string): number {
  const value = body[path.split("/").pop()!];
  if (value === undefined || value === null) throw paramError(path, "is required");
  // WeChat's amounts are integers in fen; "100" or 1.5 are refused, not coerced.
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw paramError(path, "must be a positive integer (fen)", value);
  return value;
}

function currency(body: Record<string, unknown>, path: string, required: boolean): string {
  const value = str(body, path, { required, max: 16 }) ?? "CNY";
  if (value !== "CNY") throw paramError(path, "only CNY is supported", value);
  return value;
}

/** notify_url: an http(s) URL without query parameters (WeChat refuses parameters; the sandbox allows http). */
function notifyUrl(body: Record<string, unknown>, path: string, required: boolean): string | undefined {
  const value = str(body, path, { required, max: 256 });
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw paramError(path, "must be an absolute URL", value);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw paramError(path, "must be an http or https URL", value);
  if (parsed.search || parsed.hash) throw paramError(path, "must not carry parameters", value);
  return value;
}

const OUT_NO = /^[0-9A-Za-z_\-|*]+$/;

export function parsePrepay(body: Record<string, unknown>, tradeType: TradeType): PrepayRequest {
  const appid = str(body, "/appid", { required: true, max: 32 })!;
  const mchid = str(body, "/mchid", { required: true, max: 32 })!;
  const description = str(body, "/description", { required: true, max: 127 })!;
  const out_trade_no = str(body, "/out_trade_no", { required: true, min: 6, max: 32, pattern: OUT_NO })!;
  const notify_url = notifyUrl(body, "/notify_url", true)!;
  const attach = str(body, "/attach", { required: false, max: 128 });
  const expireText = str(body, "/time_expire", { required: false, max: 64 });
  const time_expire = expireText === undefined ? undefined : parseRfc3339(expireText);
  if (expireText !== undefined && time_expire === undefined) throw paramError("/time_expire", "must be RFC 3339, e.g. 2018-06-08T10:34:56+08:00", expireText);
  const amount = obj(body, "/amount", true)!;
  const total = positiveInt(amount, "/amount/total");
  const amountCurrency = currency(amount, "/amount/currency", false);
  for (const optional of ["/goods_tag", "/support_fapiao", "/detail", "/settle_info"]) {
    const value = body[optional.slice(1)];
    const expected = optional === "/goods_tag" ? "string" : optional === "/support_fapiao" ? "boolean" : "object";
    if (value !== undefined && (typeof value !== expected || (expected === "object" && !isRecord(value))))
      throw paramError(optional, `must be ${expected === "object" ? "an object" : `a ${expected}`}`, value);
  }
  let payer_openid: string | undefined;
  if (tradeType === "JSAPI") {
    const payer = obj(body, "/payer", true)!;
    payer_openid = str(payer, "/payer/openid", { required: true, max: 128 });
  }
  const scene = obj(body, "/scene_info", tradeType === "MWEB");
  if (scene) {
    str(scene, "/scene_info/payer_client_ip", { required: true, max: 45 });
    if (tradeType === "MWEB") {
      const h5 = obj(scene, "/scene_info/h5_info", true)!;
      str(h5, "/scene_info/h5_info/type", { required: true, max: 32 });
    }
  }
  return { appid, mchid, description, out_trade_no, notify_url, time_expire, attach, total, currency: amountCurrency, payer_openid };
}

export function parseRefund(body: Record<string, unknown>): RefundRequest {
  const transaction_id = str(body, "/transaction_id", { required: false, max: 32 });
  const out_trade_no = str(body, "/out_trade_no", { required: false, max: 32 });
  if (!transaction_id && !out_trade_no) throw paramError("/out_trade_no", "transaction_id or out_trade_no is required");
  const out_refund_no = str(body, "/out_refund_no", { required: true, max: 64, pattern: OUT_NO })!;
  const reason = str(body, "/reason", { required: false, max: 80 });
  const notify_url = notifyUrl(body, "/notify_url", false);
  // The only value a merchant may ask for: refund from the available balance (old fund flow only).
  // @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (退款申请: funds_account 枚举值 AVAILABLE)
  const funds_account = str(body, "/funds_account", { required: false, max: 32 });
  if (funds_account !== undefined && funds_account !== "AVAILABLE") throw paramError("/funds_account", "must be AVAILABLE", funds_account);
  const amount = obj(body, "/amount", true)!;
  const refund = positiveInt(amount, "/amount/refund");
  const total = positiveInt(amount, "/amount/total");
  const amountCurrency = currency(amount, "/amount/currency", true);
  if (refund > total) throw paramError("/amount/refund", "must not exceed amount.total", refund);
  return { out_refund_no, out_trade_no, transaction_id, reason, notify_url, refund, total, currency: amountCurrency };
}

export interface CodepayRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  attach?: string;
  auth_code: string;
  total: number;
  currency: string;
  store_out_id: string;
  device_ip: string;
}

/**
 * `/v3/pay/transactions/codepay`: the payer's code in `payer.auth_code`, the shop in
 * `scene_info.store_info.out_id` and the cashier in `scene_info.device_ip`, all required.
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html
 */
export function parseCodepay(body: Record<string, unknown>): CodepayRequest {
  const appid = str(body, "/appid", { required: true, max: 32 })!;
  const mchid = str(body, "/mchid", { required: true, max: 32 })!;
  const description = str(body, "/description", { required: true, max: 127 })!;
  const out_trade_no = str(body, "/out_trade_no", { required: true, min: 6, max: 32, pattern: OUT_NO })!;
  const attach = str(body, "/attach", { required: false, max: 128 });
  const payer = obj(body, "/payer", true)!;
  const auth_code = str(payer, "/payer/auth_code", { required: true, max: 128 })!;
  const amount = obj(body, "/amount", true)!;
  const total = positiveInt(amount, "/amount/total");
  const amountCurrency = currency(amount, "/amount/currency", false);
  const scene = obj(body, "/scene_info", true)!;
  const device_ip = str(scene, "/scene_info/device_ip", { required: true, max: 45 })!;
  const store = obj(scene, "/scene_info/store_info", true)!;
  const store_out_id = str(store, "/scene_info/store_info/out_id", { required: true, max: 32 })!;
  return { appid, mchid, description, out_trade_no, attach, auth_code, total, currency: amountCurrency, store_out_id, device_ip };
}
