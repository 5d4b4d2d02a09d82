import { NetworkError } from "../../../core/errors";
import type { PaymentStatus, RefundStatus } from "../../../kernel/contract";
import { mapV2RefundStatus, mapV2TradeState, parseV2DateTime, parseV2Fen, parseV2TimeEnd, type V2Fields } from "./protocol";

/**
 * Verified v2 answers and notifications as the contract's PaymentStatus / RefundStatus. The amount is
 * required once money moved; unknown states stay pending (mapping.ts).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2 (orderquery)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (refund)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (refundquery)
 */

function text(value: string | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function required(fields: V2Fields, name: string, what: string): string {
  const value = text(fields[name]);
  // A verified answer without its key field: WeChat (or something between us) misbehaved.
  if (!value) throw new NetworkError(`支付平台返回的${what}缺少 ${name}，请稍后再试`);
  return value;
}

/**
 * An orderquery answer or a payment notification. A notification has no `trade_state`: its
 * `result_code` is the outcome (`tradeState` lets the caller say so).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8 (支付结果通知)
 */
export function toV2PaymentStatus(fields: V2Fields, tradeState: string | undefined = fields.trade_state): PaymentStatus {
  const state = mapV2TradeState(tradeState);
  const status: PaymentStatus = { state, outTradeNo: required(fields, "out_trade_no", "订单"), raw: fields };
  const paid = state === "SUCCESS" || state === "REFUND";
  if (fields.total_fee !== undefined || paid) status.totalFee = parseV2Fen(fields.total_fee, "total_fee");
  const transactionId = text(fields.transaction_id);
  if (transactionId) status.transactionId = transactionId;
  const paidAt = parseV2TimeEnd(fields.time_end);
  if (paidAt !== undefined) status.paidAt = paidAt;
  const mchId = text(fields.mch_id);
  if (mchId) status.mchId = mchId;
  const subMchId = text(fields.sub_mch_id);
  if (subMchId) status.subMchId = subMchId;
  const appId = text(fields.appid);
  if (appId) status.appId = appId;
  return status;
}

/**
 * A refund request's answer: accepted, not yet settled (the money moves later).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4
 */
export function toV2RefundAccepted(fields: V2Fields): RefundStatus {
  const status: RefundStatus = {
    state: "PROCESSING",
    outTradeNo: required(fields, "out_trade_no", "退款单"),
    outRefundNo: required(fields, "out_refund_no", "退款单"),
    refundFee: parseV2Fen(fields.refund_fee, "refund_fee"),
    raw: fields,
  };
  const refundId = text(fields.refund_id);
  if (refundId) status.refundId = refundId;
  return status;
}

/**
 * The refund numbered `outRefundNo` in a refundquery answer, which lists refunds as `field_$n`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5
 */
export function toV2RefundQueried(fields: V2Fields, outRefundNo: string): RefundStatus {
  const count = Number(fields.refund_count ?? "0");
  const limit = Number.isSafeInteger(count) && count > 0 ? Math.min(count, 50) : 0;
  for (let n = 0; n < limit; n++) {
    if (fields[`out_refund_no_${n}`] !== outRefundNo) continue;
    const status: RefundStatus = {
      state: mapV2RefundStatus(fields[`refund_status_${n}`]),
      outTradeNo: required(fields, "out_trade_no", "退款单"),
      outRefundNo,
      refundFee: parseV2Fen(fields[`refund_fee_${n}`], `refund_fee_${n}`),
      raw: fields,
    };
    const refundId = text(fields[`refund_id_${n}`]);
    if (refundId) status.refundId = refundId;
    const settledAt = parseV2DateTime(fields[`refund_success_time_${n}`]);
    if (settledAt !== undefined) status.settledAt = settledAt;
    return status;
  }
  throw new NetworkError("支付平台返回的退款单与请求不一致，请稍后再试");
}

/**
 * A decrypted refund notification (`req_info`'s `<root>`).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function toV2RefundNotified(fields: V2Fields): RefundStatus {
  const status: RefundStatus = {
    state: mapV2RefundStatus(fields.refund_status),
    outTradeNo: required(fields, "out_trade_no", "退款通知"),
    outRefundNo: required(fields, "out_refund_no", "退款通知"),
    refundFee: parseV2Fen(fields.refund_fee, "refund_fee"),
    raw: fields,
  };
  const refundId = text(fields.refund_id);
  if (refundId) status.refundId = refundId;
  const settledAt = parseV2DateTime(fields.success_time);
  if (settledAt !== undefined) status.settledAt = settledAt;
  return status;
}
