import { MAX_FEN } from "../../../../core/money";
import { mapTradeState } from "../../v3/protocol/mapping";
import { NetworkError, ProviderRejectedError, ValidationError } from "../../../../core/errors";
import type { RefundState, TradeState } from "../../../../kernel/contract";
import type { V2Fields } from "./xml";

/**
 * Tables from WeChat Pay API v2's vocabulary to ours: the two-level outcome (`return_code`, then
 * `result_code` / `err_code`), trade and refund states, fen amounts sent as text, and Beijing times.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2 (orderquery: trade_state, err_code)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (refundquery: refund_status_$n)
 */

/**
 * `err_code`s that mean "WeChat does not know yet": the call may or may not have taken effect, so the
 * caller queries (or retries the same number) instead of reporting a refusal.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (micropay error codes)
 */
export const V2_PENDING_ERRORS = new Set(["SYSTEMERROR", "BANKERROR", "USERPAYING"]);

export type V2Outcome =
  | { kind: "success"; fields: V2Fields }
  /** `result_code=FAIL`: a business answer, already verified. */
  | { kind: "business-fail"; errCode: string; errMessage: string; fields: V2Fields };

/**
 * Reads a verified answer's two levels. `return_code=FAIL` (signature error, malformed request, wrong
 * merchant) is WeChat refusing the call itself; `result_code=FAIL` is its answer about the order.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (返回结果)
 */
export function readV2Outcome(fields: V2Fields): V2Outcome {
  if (fields.return_code !== "SUCCESS") {
    throw new ProviderRejectedError(fields.return_code || "FAIL", fields.return_msg ?? "");
  }
  if (fields.result_code === undefined || fields.result_code === "SUCCESS") return { kind: "success", fields };
  return { kind: "business-fail", errCode: fields.err_code || "FAIL", errMessage: fields.err_code_des ?? "", fields };
}

/**
 * A business failure as the core's error: the pending codes are "try again" (NetworkError), everything
 * else keeps WeChat's own code and message for the developer.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (错误码)
 */
export function errorOfV2(outcome: Extract<V2Outcome, { kind: "business-fail" }>, failureMessage?: string): Error {
  if (V2_PENDING_ERRORS.has(outcome.errCode)) return new NetworkError(`支付平台暂时无法处理（${outcome.errCode}），请稍后再试`);
  return new ProviderRejectedError(outcome.errCode, outcome.errMessage, failureMessage);
}

/**
 * `trade_state` → ours. `REVOKED` (a reversed pay-code payment) is closed; `ACCEPT` (received, debit
 * pending) is still paying; anything unknown stays `NOTPAY`, never paid.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2
 */
export function mapV2TradeState(state: unknown): TradeState {
  // v2 names the same states as v3, plus ACCEPT.
  return state === "ACCEPT" ? "USERPAYING" : mapTradeState(state);
}

/**
 * `refund_status` (query and notification) → ours: `CHANGE` (退款异常, the money could not be returned)
 * is ABNORMAL, `REFUNDCLOSE` is CLOSED; unknown values stay PROCESSING.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function mapV2RefundStatus(status: unknown): RefundState {
  switch (status) {
    case "SUCCESS":
      return "SUCCESS";
    case "CHANGE":
      return "ABNORMAL";
    case "REFUNDCLOSE":
      return "CLOSED";
    default:
      return "PROCESSING";
  }
}

/**
 * A fen amount as v2 sends it: decimal digits only, no sign, no leading zeros, no exponent. A value that
 * is not exactly an integer is refused rather than rounded.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2 (金额: 单位为分)
 */
export function parseV2Fen(value: unknown, field: string, options: { allowZero?: boolean } = {}): number {
  const ok = typeof value === "string" && /^(0|[1-9][0-9]{0,15})$/.test(value);
  const fen = ok ? Number(value) : NaN;
  if (!Number.isSafeInteger(fen) || fen > MAX_FEN || (fen === 0 && !options.allowZero)) {
    throw new ValidationError(1003, "wxpay-v2-invalid-amount", `微信支付返回的金额 ${field} 不是${options.allowZero ? "非负" : "正"}整数分`);
  }
  return fen;
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

function beijing(y: string, mo: string, d: string, h: string, mi: string, s: string): number | undefined {
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a rolled date is not the time WeChat sent.
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  return ms - BEIJING_OFFSET_MS;
}

/**
 * `time_end` (`yyyyMMddHHmmss`, Beijing time) → ms; undefined when it is not one.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2 (时间: 北京时间 yyyyMMddHHmmss)
 */
export function parseV2TimeEnd(value: unknown): number | undefined {
  const m = typeof value === "string" ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value) : null;
  return m ? beijing(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!) : undefined;
}

/**
 * `success_time` of refunds (`yyyy-MM-dd HH:mm:ss`, Beijing time) → ms; undefined when it is not one.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function parseV2DateTime(value: unknown): number | undefined {
  const m = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value) : null;
  return m ? beijing(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!) : undefined;
}
