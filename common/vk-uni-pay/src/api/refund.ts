import { failures, ValidationError } from "../core/errors";
import { isFen } from "../core/money";
import { findOrder, type Order } from "../core/orders";
import { findRefund, reserveRefund, type RefundRecord } from "../core/refunds";
import { sendRefund } from "./refund-follow-up";
import { respond, type Result } from "../core/result";
import type { RefundState } from "../kernel/contract";
import { checkOutTradeNo, optionalObject, orderMerchant, productionDeps, type ApiDeps } from "./shared";

export interface RefundParams {
  out_trade_no: string;
  out_refund_no?: string;
  /** The order's amount, if the caller wants it checked. */
  total_fee?: number;
  /** Defaults to what is left to refund. */
  refund_fee?: number;
  refund_desc?: string;
  provider?: string;
  /** Who asked (an admin's uid), kept on the refund. */
  operator?: string;
  /** Admin override: refund even where the order type's hook would object (e.g. a spent balance). */
  force?: boolean;
  /** Extra provider fields merged into the refund request (e.g. `{ funds_account: "AVAILABLE" }` for WeChat v3). */
  other?: Record<string, unknown>;
}

export interface RefundData {
  out_trade_no: string;
  out_refund_no: string;
  refund_id?: string;
  refund_fee: number;
  refund_status: RefundState;
  total_refund_fee: number;
}

async function answer(outRefundNo: string, deps: ApiDeps): Promise<RefundData> {
  const record = (await findRefund(outRefundNo, deps.db)) as RefundRecord;
  const order = (await findOrder(record.out_trade_no, deps.db)) as Order;
  return {
    out_trade_no: record.out_trade_no,
    out_refund_no: outRefundNo,
    ...(record.refund_id ? { refund_id: record.refund_id } : {}),
    refund_fee: record.refund_fee,
    refund_status: record.status,
    total_refund_fee: order.refund_fee ?? 0,
  };
}

async function refundOrder(params: RefundParams, deps: ApiDeps): Promise<RefundData> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  const order = await findOrder(outTradeNo, deps.db);
  if (!order) throw failures.orderNotFound();
  if (order.status !== "SUCCESS" && order.status !== "REFUND") throw failures.orderNotPaid();
  if (params.total_fee !== undefined && params.total_fee !== order.total_fee)
    throw new ValidationError(1003, "total-fee-mismatch", "total_fee与订单金额不一致");
  const remaining = order.total_fee - (order.refund_reserved ?? order.refund_fee ?? 0);
  const refundFee = params.refund_fee ?? remaining;
  if (!isFen(refundFee)) throw new ValidationError(1003, "refund-fee-invalid", "refund_fee必须为正整数（单位分）");
  // Without a number, the reservation numbers the refund itself, inside its transaction.
  const chosenRefundNo = params.out_refund_no === undefined ? undefined : checkOutTradeNo(params.out_refund_no);
  const desc = typeof params.refund_desc === "string" ? params.refund_desc.slice(0, 80) : "";
  const other = optionalObject(params.other, "other");

  // Checked again atomically by the reservation; here it answers before the order type is asked.
  if (refundFee > remaining && params.out_refund_no === undefined) throw failures.refundExceedsPaid();
  const hooks = deps.hooks?.(order.type);
  if (hooks && typeof hooks !== "function" && hooks.beforeRefund)
    await hooks.beforeRefund({ order, refund_fee: refundFee, force: params.force === true, db: deps.db });

  // Resolved before anything is reserved: a merchant that cannot be read must not hold an amount back.
  await orderMerchant(order, deps);
  // The amount is reserved before the provider hears of it: concurrent refunds can never exceed the payment.
  const { record, created } = await reserveRefund(
    order._id,
    { outRefundNo: chosenRefundNo, refundFee, desc, operator: params.operator, force: params.force === true, ...(other ? { other } : {}) },
    deps.now(),
    deps.db,
  );
  const outRefundNo = record.out_refund_no;
  if (!created) {
    // The same refund asked again: a settled one answers its result; one still in flight is not sent a
    // second time (a provider that does not de-duplicate by number would pay twice). Its result comes
    // by notification, by queryRefund, or by the timer's reconciliation.
    if (record.status === "PROCESSING") throw failures.refundLocked();
    return answer(outRefundNo, deps);
  }

  await sendRefund(order, record, deps);
  return answer(outRefundNo, deps);
}

/**
 * `vkPay.refund`: reserves the amount against what was paid, asks the provider, and settles when the
 * provider answers (or later, by notification or query). The same `out_refund_no` twice is one refund.
 */
export function refund(params: RefundParams, deps: ApiDeps = productionDeps()): Promise<Result<RefundData>> {
  return respond("refund", () => refundOrder(params, deps), deps.log);
}
