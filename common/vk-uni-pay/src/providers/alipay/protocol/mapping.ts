import { ProviderRejectedError } from "../../../core/errors";
import { fenToYuan, isFen, MAX_FEN, yuanToFen } from "../../../core/money";
import type { RefundState, TradeState } from "../../../kernel/contract";
import { AlipayValidationError } from "./errors";

/**
 * Tables from Alipay's vocabulary to ours: trade status, refund status, amounts and error bodies.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query (trade_status)
 * @see https://opendocs.alipay.com/open/357441a2_alipay.trade.fastpay.refund.query (refund_status)
 * @see https://opendocs.alipay.com/common/02km9f (公共错误码)
 */

/** `code` of a business success; everything else carries `sub_code` / `sub_msg`. */
export const ALIPAY_SUCCESS_CODE = "10000";

/**
 * Alipay `trade_status` → ours. TRADE_FINISHED is a paid trade past its refund window, so it is SUCCESS.
 * Anything unknown (or absent) stays NOTPAY: a status we cannot read must never release goods.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query
 */
export function mapAlipayTradeStatus(status: unknown): TradeState {
  switch (status) {
    case "TRADE_SUCCESS":
    case "TRADE_FINISHED":
      return "SUCCESS";
    case "TRADE_CLOSED":
      return "CLOSED";
    case "WAIT_BUYER_PAY":
    default:
      return "NOTPAY";
  }
}

/**
 * Result of `alipay.trade.fastpay.refund.query`: only `refund_status=REFUND_SUCCESS` is a finished refund.
 * Older docs read "data returned = refunded"; we do not rely on that, so anything else stays PROCESSING and
 * the reservation is kept until a later query or the refund notification settles it.
 *
 * @see https://opendocs.alipay.com/open/357441a2_alipay.trade.fastpay.refund.query
 */
export function mapAlipayRefundQueryStatus(refundStatus: unknown): RefundState {
  switch (refundStatus) {
    case "REFUND_SUCCESS":
      return "SUCCESS";
    default:
      return "PROCESSING";
  }
}

/**
 * Result of a successful `alipay.trade.refund`: `fund_change=Y` means money moved now. `N` is what a retry of
 * an already-applied `out_request_no` returns too, so it is PROCESSING (confirm with a refund query), not failure.
 *
 * @see https://opendocs.alipay.com/open/f60979b3_alipay.trade.refund
 */
export function mapAlipayRefundResponse(fundChange: unknown): RefundState {
  return fundChange === "Y" ? "SUCCESS" : "PROCESSING";
}

/**
 * An Alipay amount (yuan string, at most two decimals) → integer fen, via the core's exact text parsing.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query
 */
export function parseAlipayAmount(value: unknown, field: string, options: { allowZero?: boolean } = {}): number {
  let fen: number;
  try {
    fen = yuanToFen(value as string);
  } catch {
    throw new AlipayValidationError("alipay-invalid-input", `${field} must be a yuan amount with at most two decimals`);
  }
  if (fen > MAX_FEN || (fen === 0 && !options.allowZero)) {
    throw new AlipayValidationError("alipay-invalid-input", `${field} is out of range`);
  }
  return fen;
}

/**
 * Integer fen → the yuan string Alipay expects in `total_amount` / `refund_amount` / `trans_amount`.
 *
 * @see https://opendocs.alipay.com/open/02ekfg (alipay.trade.precreate total_amount)
 */
export function formatAlipayAmount(fen: number): string {
  if (!isFen(fen)) throw new AlipayValidationError("alipay-invalid-input", "amount must be a positive integer number of fen");
  return fenToYuan(fen);
}

export interface AlipayErrorBody {
  code: string;
  msg: string;
  subCode?: string;
  subMsg?: string;
}

/**
 * The `{ code, msg, sub_code, sub_msg }` of a failed call, or undefined for a success (`code=10000`) or a body
 * that is not an Alipay result at all.
 *
 * @see https://opendocs.alipay.com/common/02km9f
 */
export function parseAlipayError(body: unknown): AlipayErrorBody | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { code, msg, sub_code: subCode, sub_msg: subMsg } = body as Record<string, unknown>;
  if (typeof code !== "string" || code === "" || code === ALIPAY_SUCCESS_CODE) return undefined;
  const error: AlipayErrorBody = { code, msg: typeof msg === "string" ? msg : "" };
  if (typeof subCode === "string" && subCode !== "") error.subCode = subCode;
  if (typeof subMsg === "string" && subMsg !== "") error.subMsg = subMsg;
  return error;
}

/**
 * Whether a verified response body reports business success.
 *
 * @see https://opendocs.alipay.com/common/02km9f
 */
export function isAlipaySuccess(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as Record<string, unknown>).code === ALIPAY_SUCCESS_CODE;
}

/**
 * A provider refusal keeping Alipay's most specific code and message (`sub_code`/`sub_msg` when present,
 * they name the actual cause, e.g. `ACQ.TRADE_HAS_SUCCESS`).
 *
 * @see https://opendocs.alipay.com/common/02km9f
 */
export function toAlipayRejectedError(error: AlipayErrorBody): ProviderRejectedError {
  return new ProviderRejectedError(error.subCode ?? error.code, error.subMsg ?? error.msg);
}

/**
 * `alipay.trade.query` answers an order the buyer never opened with `ACQ.TRADE_NOT_EXIST`: for us that is an
 * unpaid order, not a failure.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query
 */
export function isAlipayTradeNotExist(error: AlipayErrorBody | undefined): boolean {
  return error?.subCode === "ACQ.TRADE_NOT_EXIST";
}
