import { NetworkError } from "../../../core/errors";
import type { PaymentStatus, RefundStatus } from "../../../kernel/contract";
import { mapRefundStatus, mapTradeState, parseFen } from "./protocol";

/**
 * WeChat Pay v3 transactions and refunds (from queries, refund answers and decrypted notifications) as
 * the contract's PaymentStatus / RefundStatus, and WeChat's RFC 3339 times as ms and back.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml (transaction)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml (refund)
 */

const BEIJING_OFFSET_MS = 8 * 3600_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `2018-06-08T10:34:56+08:00` → ms; undefined for anything else (Date.parse alone accepts too much).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay2_0.shtml (time format)
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * ms → `yyyy-MM-DDTHH:mm:ss+08:00`: WeChat documents Beijing time, whatever the cloud's time zone.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_5_1.shtml (time_expire)
 */
export function toRfc3339Beijing(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + BEIJING_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A verified answer that is not the documented shape: WeChat or something between us misbehaved. */
function malformed(what: string): NetworkError {
  return new NetworkError(`支付平台返回的${what}格式不正确，请稍后再试`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(what);
  return value as Record<string, unknown>;
}

/**
 * A transaction object → PaymentStatus. The amount is required once money moved; before that WeChat may
 * omit fields, and unknown states stay pending (mapTradeState).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml
 */
export function toPaymentStatus(value: unknown): PaymentStatus {
  const tx = record(value, "订单");
  const outTradeNo = text(tx.out_trade_no);
  if (!outTradeNo) throw malformed("订单");
  const state = mapTradeState(tx.trade_state);
  const amount = tx.amount === undefined ? undefined : record(tx.amount, "订单金额");
  const paid = state === "SUCCESS" || state === "REFUND";
  const status: PaymentStatus = { state, outTradeNo, raw: tx };
  if (amount?.total !== undefined || paid) status.totalFee = parseFen(amount?.total, "amount.total");
  const transactionId = text(tx.transaction_id);
  if (transactionId) status.transactionId = transactionId;
  const paidAt = parseRfc3339(tx.success_time);
  if (paidAt !== undefined) status.paidAt = paidAt;
  // A service-provider transaction names the provider as sp_mchid / sp_appid: the merchant the order was placed with.
  const mchId = text(tx.mchid) ?? text(tx.sp_mchid);
  if (mchId) status.mchId = mchId;
  const appId = text(tx.appid) ?? text(tx.sp_appid);
  if (appId) status.appId = appId;
  const subMchId = text(tx.sub_mchid);
  if (subMchId) status.subMchId = subMchId;
  return status;
}

/**
 * A refund object (answer, query, or decrypted notification, where the status is `refund_status`) →
 * RefundStatus; unknown statuses stay PROCESSING.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_11.shtml (refund notification)
 */
export function toRefundStatus(value: unknown): RefundStatus {
  const refund = record(value, "退款单");
  const outTradeNo = text(refund.out_trade_no);
  const outRefundNo = text(refund.out_refund_no);
  if (!outTradeNo || !outRefundNo) throw malformed("退款单");
  const amount = record(refund.amount, "退款金额");
  const status: RefundStatus = {
    state: mapRefundStatus(refund.status ?? refund.refund_status),
    outTradeNo,
    outRefundNo,
    refundFee: parseFen(amount.refund, "amount.refund"),
    raw: refund,
  };
  const refundId = text(refund.refund_id);
  if (refundId) status.refundId = refundId;
  const settledAt = parseRfc3339(refund.success_time);
  if (settledAt !== undefined) status.settledAt = settledAt;
  return status;
}
