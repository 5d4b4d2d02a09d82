import { MAX_FEN } from "../../../../core/money";
import type { RefundState, TradeState } from "../../../../kernel/contract";
import { WxpayV3ValidationError } from "./errors";
import type { WxpayV3ErrorBody } from "./types";

/**
 * Tables from WeChat Pay's vocabulary to ours: trade states, refund states, amounts and error bodies.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml (trade_state)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml (refund status)
 */

/**
 * WeChat Pay `trade_state` → ours. `REVOKED` (付款码 revoked) is a closed order. Anything unknown stays
 * pending (`NOTPAY`): a state we cannot read must never release goods, and the next query will tell.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml
 */
export function mapTradeState(state: unknown): TradeState {
  switch (state) {
    case "SUCCESS":
      return "SUCCESS";
    case "REFUND":
      return "REFUND";
    case "USERPAYING":
      return "USERPAYING";
    case "PAYERROR":
      return "PAYERROR";
    case "CLOSED":
    case "REVOKED":
      return "CLOSED";
    case "NOTPAY":
    default:
      return "NOTPAY";
  }
}

/**
 * Whether money has been received for the order (a refunded order was paid first).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml
 */
export function isPaidTradeState(state: TradeState): boolean {
  switch (state) {
    case "SUCCESS":
    case "REFUND":
      return true;
    case "NOTPAY":
    case "USERPAYING":
    case "CLOSED":
    case "PAYERROR":
      return false;
    default:
      return assertNever(state);
  }
}

/**
 * Refund `status` / `refund_status` → ours; unknown values stay `PROCESSING`, never `SUCCESS`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml
 */
export function mapRefundStatus(status: unknown): RefundState {
  switch (status) {
    case "SUCCESS":
      return "SUCCESS";
    case "CLOSED":
      return "CLOSED";
    case "ABNORMAL":
      return "ABNORMAL";
    case "PROCESSING":
    default:
      return "PROCESSING";
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled state ${String(value)}`);
}

export interface FenOptions {
  /** Zero is refused by default: no order or refund is for nothing. `payer_total` can be 0 after coupons. */
  allowZero?: boolean;
}

/**
 * A WeChat Pay amount, already integer fen on the wire. Floats, strings, negatives and unsafe integers are
 * refused rather than rounded: a rounded amount is a wrong amount. The core's MAX_FEN guard applies too.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml
 */
export function parseFen(value: unknown, field: string, options: FenOptions = {}): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_FEN || (value === 0 && !options.allowZero)) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-amount", `${field} must be a ${options.allowZero ? "non-negative" : "positive"} integer number of fen`);
  }
  return value;
}

/**
 * The `{ code, message, detail }` of a non-2xx response, or undefined when the body is not one (a gateway
 * page, an empty 5xx): the caller then reports the HTTP status alone.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay2_0.shtml
 */
export function parseErrorBody(body: string | Buffer): WxpayV3ErrorBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { code, message, detail } = value as Record<string, unknown>;
  if (typeof code !== "string" || code === "") return undefined;
  const result: WxpayV3ErrorBody = { code, message: typeof message === "string" ? message : "" };
  if (typeof detail === "object" && detail !== null && !Array.isArray(detail)) result.detail = detail as Record<string, unknown>;
  return result;
}

/**
 * 5xx and 429 are WeChat Pay saying "try again"; every other failure is an answer.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay2_0.shtml
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
