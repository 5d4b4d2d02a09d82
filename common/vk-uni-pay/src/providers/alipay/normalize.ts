import { NetworkError, RefundNotFoundError } from "../../core/errors";
import type { PaymentStatus, RefundStatus } from "../../kernel/contract";
import { mapAlipayRefundQueryStatus, mapAlipayTradeStatus, parseAlipayAmount } from "./protocol";
import { parseAlipayTime } from "./protocol/time";

export { parseAlipayTime };

/**
 * Alipay trades and refunds (query answers, notification fields) as the contract's PaymentStatus /
 * RefundStatus, with Alipay's Beijing-time `yyyy-MM-dd HH:mm:ss` as ms.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query
 * @see https://opendocs.alipay.com/open/357441a2_alipay.trade.fastpay.refund.query
 * @see https://opendocs.alipay.com/open/270/105902 (notification fields)
 */

export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A verified answer that is not the documented shape: Alipay or something between us misbehaved. */
export function malformed(what: string): NetworkError {
  return new NetworkError(`支付宝返回的${what}格式不正确，请稍后再试`);
}

function amount(value: unknown, field: string): number {
  try {
    return parseAlipayAmount(value, field);
  } catch {
    throw malformed(field);
  }
}

/**
 * A trade (from `alipay.trade.query` or a notification) → PaymentStatus. The amount is required once the
 * trade is paid; `app_id` and `seller_id` are carried when present so the core can bind them to the order.
 *
 * @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query
 */
export function toPaymentStatus(trade: Readonly<Record<string, unknown>>): PaymentStatus {
  const outTradeNo = text(trade.out_trade_no);
  if (!outTradeNo) throw malformed("订单");
  const state = mapAlipayTradeStatus(trade.trade_status);
  const status: PaymentStatus = { state, outTradeNo, raw: trade };
  if (trade.total_amount !== undefined || state === "SUCCESS") status.totalFee = amount(trade.total_amount, "total_amount");
  const transactionId = text(trade.trade_no);
  if (transactionId) status.transactionId = transactionId;
  // A notification carries gmt_payment; a query send_pay_date.
  const paidAt = parseAlipayTime(trade.gmt_payment) ?? parseAlipayTime(trade.send_pay_date);
  if (paidAt !== undefined && state === "SUCCESS") status.paidAt = paidAt;
  const appId = text(trade.app_id);
  if (appId) status.appId = appId;
  const mchId = text(trade.seller_id);
  if (mchId) status.mchId = mchId;
  return status;
}

/**
 * An `alipay.trade.fastpay.refund.query` answer → RefundStatus. Alipay answers `10000` without
 * `refund_status` when it has no such refund (never received, or failed): that is RefundNotFoundError, on
 * which the core resends the same out_request_no.
 *
 * @see https://opendocs.alipay.com/open/357441a2_alipay.trade.fastpay.refund.query
 */
export function toQueriedRefund(answer: Readonly<Record<string, unknown>>, outTradeNo: string, outRefundNo: string): RefundStatus {
  // "未返回该字段表示退款请求未收到或者退款失败": the doc's remedy is to send the refund again under the same
  // out_request_no, which Alipay applies at most once; the core's reconciliation does that on this error.
  if (text(answer.refund_status) === undefined) {
    throw new RefundNotFoundError("REFUND_NOT_EXIST", "支付宝未查询到该退款（未返回 refund_status）");
  }
  if (text(answer.out_request_no) !== undefined && answer.out_request_no !== outRefundNo) throw malformed("退款单号");
  if (text(answer.out_trade_no) !== undefined && answer.out_trade_no !== outTradeNo) throw malformed("订单号");
  const status: RefundStatus = {
    state: mapAlipayRefundQueryStatus(answer.refund_status),
    outTradeNo,
    outRefundNo,
    refundFee: amount(answer.refund_amount, "refund_amount"),
    raw: answer,
  };
  const settledAt = parseAlipayTime(answer.gmt_refund_pay);
  if (settledAt !== undefined && status.state === "SUCCESS") status.settledAt = settledAt;
  return status;
}
