/**
 * Field rules of the `biz_content` of the trade methods. Alipay answers business-field problems with
 * `40004 ACQ.INVALID_PARAMETER`; the detail says which field, as its sub_msg does.
 * @see https://opendocs.alipay.com/open/02ekfg (alipay.trade.precreate)
 * @see https://opendocs.alipay.com/mini/03l5wn (alipay.trade.create)
 * @see https://opendocs.alipay.com/open/02ekfp (alipay.trade.refund)
 */
import { isRecord } from "../http";
import { parseYuan } from "./money";
import { parseBeijing, parseTimeoutExpress } from "./time";
import { businessFailed, invalidArgument, invalidParameter, type TradeOrigin } from "./types";

const DAY = 24 * 3600 * 1000;
/** Alipay closes an unpaid trade after 15 days unless told otherwise. */
const DEFAULT_TIMEOUT_MS = 15 * DAY;

export interface TradeRequest {
  out_trade_no: string;
  total_fen: number;
  subject: string;
  body?: string;
  product_code: string;
  expire_time: number;
  notify_url?: string;
  passback_params?: string;
  buyer_id?: string;
  buyer_open_id?: string;
  biz: Record<string, unknown>;
}

/** The products each way of creating a trade accepts; the first is the default. */
const PRODUCTS: Record<TradeOrigin, string[]> = {
  precreate: ["FACE_TO_FACE_PAYMENT"],
  pay: ["FACE_TO_FACE_PAYMENT"],
  create: ["FACE_TO_FACE_PAYMENT", "JSAPI_PAY"],
  app: ["QUICK_MSECURITY_PAY"],
};

export function parseBizContent(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidArgument("isv.invalid-parameter", "参数无效: biz_content 不是合法的JSON");
  }
  if (!isRecord(parsed)) throw invalidArgument("isv.invalid-parameter", "参数无效: biz_content 必须是JSON对象");
  return parsed;
}

export function text(biz: Record<string, unknown>, field: string, options: { required: boolean; max: number; pattern?: RegExp }): string | undefined {
  const value = biz[field];
  if (value === undefined || value === null || value === "") {
    if (options.required) throw invalidParameter(`${field} 不能为空`);
    return undefined;
  }
  if (typeof value !== "string") throw invalidParameter(`${field} 必须是字符串`);
  if ([...value].length > options.max) throw invalidParameter(`${field} 长度不能超过 ${options.max}`);
  if (options.pattern && !options.pattern.test(value)) throw invalidParameter(`${field} 格式错误`);
  return value;
}

/** A yuan string; numbers are refused so a float that slipped through a conversion shows up here. */
export function amount(biz: Record<string, unknown>, field: string, required = true): number | undefined {
  const value = biz[field];
  if (value === undefined && !required) return undefined;
  if (value === undefined || value === "") throw invalidParameter(`${field} 不能为空`);
  const fen = parseYuan(value);
  if (fen === undefined) throw invalidParameter(`${field} 必须是以元为单位、最多两位小数的字符串，收到 ${JSON.stringify(value)}`);
  return fen;
}

const OUT_NO = /^[0-9A-Za-z_\-]+$/;

export const outTradeNo = (biz: Record<string, unknown>, required: boolean) => text(biz, "out_trade_no", { required, max: 64, pattern: OUT_NO });

/** `out_trade_no` or `trade_no`, at least one, as every trade lookup takes. */
export function tradeIds(biz: Record<string, unknown>): { out_trade_no?: string; trade_no?: string } {
  const ids = { out_trade_no: outTradeNo(biz, false), trade_no: text(biz, "trade_no", { required: false, max: 64 }) };
  if (!ids.out_trade_no && !ids.trade_no) throw invalidParameter("out_trade_no 和 trade_no 不能同时为空");
  return ids;
}

export function parseTradeRequest(biz: Record<string, unknown>, params: Record<string, string>, origin: TradeOrigin, now: number): TradeRequest {
  const total_fen = amount(biz, "total_amount")!;
  if (total_fen < 1) throw invalidParameter("total_amount 必须在 [0.01,100000000] 之间");
  const product_code = text(biz, "product_code", { required: false, max: 64 }) ?? PRODUCTS[origin][0];
  if (!PRODUCTS[origin].includes(product_code)) throw businessFailed("ACQ.ACCESS_FORBIDDEN", `无权限使用接口: 产品码 ${product_code} 不适用于该接口`);
  const timeExpire = text(biz, "time_expire", { required: false, max: 32 });
  const timeoutExpress = text(biz, "timeout_express", { required: false, max: 6 });
  let expire_time = now + DEFAULT_TIMEOUT_MS;
  if (timeExpire !== undefined) {
    const parsed = parseBeijing(timeExpire);
    if (parsed === undefined) throw invalidParameter("time_expire 格式必须为 yyyy-MM-dd HH:mm:ss");
    expire_time = parsed;
  } else if (timeoutExpress !== undefined) {
    const parsed = parseTimeoutExpress(timeoutExpress, now);
    if (parsed === undefined) throw invalidParameter("timeout_express 取值范围 1m～15d，或 1c");
    expire_time = parsed;
  }
  if (expire_time <= now) throw businessFailed("ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR", "当前时间已超过允许支付的时间");
  const notify_url = params.notify_url || undefined;
  if (notify_url && !/^https?:\/\/[^\s]+$/.test(notify_url)) throw invalidArgument("isv.invalid-parameter", "参数无效: notify_url 必须是 http(s) 地址");
  const request: TradeRequest = {
    out_trade_no: outTradeNo(biz, true)!,
    total_fen,
    subject: text(biz, "subject", { required: true, max: 256 })!,
    body: text(biz, "body", { required: false, max: 128 }),
    product_code,
    expire_time,
    notify_url,
    passback_params: text(biz, "passback_params", { required: false, max: 512 }),
    buyer_id: text(biz, "buyer_id", { required: false, max: 28 }),
    buyer_open_id: text(biz, "buyer_open_id", { required: false, max: 128 }),
    biz,
  };
  if (origin === "create" && !request.buyer_id && !request.buyer_open_id) throw invalidParameter("buyer_id 和 buyer_open_id 不能同时为空");
  return request;
}
