import { COLLECTIONS, isRefundable } from "./repository";
import type { RefundState } from "../kernel/contract";
import { inTransaction, single, type Database, type TransactionRef } from "./database";
import { failures } from "./errors";
import { type Order } from "./orders";

/** One refund: its `_id` is the merchant's `out_refund_no`, so the same number is the same refund. */
export interface RefundRecord {
  _id: string;
  order_id: string;
  out_trade_no: string;
  out_refund_no: string;
  refund_fee: number;
  refund_desc: string;
  status: RefundState;
  create_date: number;
  settle_date?: number;
  refund_id?: string;
  operator?: string;
  force?: boolean;
  /** The caller's extra provider fields, kept so that a refund that never reached the provider is sent again unchanged. */
  other?: Record<string, unknown>;
  /**
   * The provider set it going, not our refund call (a buyer's refund the merchant agreed to): it is never
   * sent, so never sent again either, whatever a query says.
   */
  provider_initiated?: boolean;
  /** How many times reconciliation sent it again because the provider had no record of it. */
  resent?: number;
  /** When the provider first reported it ABNORMAL. */
  abnormal_date?: number;
  /** An ABNORMAL refund the merchant asked the provider to pay another way (applyAbnormalRefund). */
  abnormal_apply?: { type: string; date: number; bank_type?: string; bank_account_tail?: string };
  /** When the provider took the settled refund back (reverseRefund): the refund is CLOSED from then on. */
  reversed_date?: number;
  /** The `refundReversed` hook has run (or there was nothing for it to undo). */
  reversal_hook_done?: boolean;
}

/** Refunds whose money is still on its way: both hold their reservation against the order. */
export const OPEN_REFUND_STATUSES: readonly RefundState[] = ["PROCESSING", "ABNORMAL"];

/**
 * The number a refund without an explicit `out_refund_no` gets: vk-uni-pay's `<out_trade_no>-<n>`, n the
 * order's next refund sequence number, read inside the reserving transaction (a number taken from an
 * earlier read would be the same in two instances). A number already used, by a merchant who chose it
 * himself, is skipped.
 */
async function nextRefundNo(transaction: TransactionRef, order: Order): Promise<string> {
  for (let n = (order.refund_num ?? 0) + 1; ; n++) {
    const candidate = `${order.out_trade_no}-${n}`;
    if (!single(await transaction.collection(COLLECTIONS.refunds).doc(candidate).get())) return candidate;
  }
}

/**
 * Reserves a refund against the order's ceiling before the provider is asked: the refund number, and
 * reserved + this ≤ paid, are checked and written in one transaction, so concurrent refunds, in one
 * instance or many, can never add up to more than was paid nor share a number. On SQLite the writers are
 * serialised; on uniCloud's MongoDB two transactions that both write the order document conflict and one
 * aborts (and runs again, see inTransaction), and the refund's `_id` (its number) is unique besides, so
 * the check-then-write holds there too.
 * Asking again with the same `out_refund_no` and amount returns the existing refund (`created: false`):
 * only the caller that created it sends it to the provider.
 */
export async function reserveRefund(
  orderId: string,
  request: {
    outRefundNo?: string;
    refundFee: number;
    desc: string;
    operator?: string;
    force?: boolean;
    other?: Record<string, unknown>;
    refundId?: string;
    providerInitiated?: boolean;
  },
  now: number,
  db: Database,
): Promise<{ record: RefundRecord; created: boolean }> {
  return inTransaction(db, async (transaction) => {
    const order = single(await transaction.collection(COLLECTIONS.orders).doc(orderId).get()) as Order | undefined;
    if (!order) throw failures.orderNotFound();
    if (request.outRefundNo !== undefined) {
      const existing = single(await transaction.collection(COLLECTIONS.refunds).doc(request.outRefundNo).get()) as unknown as RefundRecord | undefined;
      if (existing) {
        if (existing.order_id === orderId && existing.refund_fee === request.refundFee) return { record: existing, created: false };
        throw failures.refundNoConflict();
      }
    }
    if (!isRefundable(order.status)) throw failures.orderNotPaid();
    const reserved = order.refund_reserved ?? order.refund_fee ?? 0;
    if (reserved + request.refundFee > order.total_fee) throw failures.refundExceedsPaid();
    const outRefundNo = request.outRefundNo ?? (await nextRefundNo(transaction, order));
    const record: RefundRecord = {
      _id: outRefundNo,
      order_id: orderId,
      out_trade_no: order.out_trade_no,
      out_refund_no: outRefundNo,
      refund_fee: request.refundFee,
      refund_desc: request.desc,
      status: "PROCESSING",
      create_date: now,
      ...(request.operator ? { operator: request.operator } : {}),
      ...(request.force ? { force: true } : {}),
      ...(request.other ? { other: request.other } : {}),
      ...(request.refundId ? { refund_id: request.refundId } : {}),
      ...(request.providerInitiated ? { provider_initiated: true } : {}),
    };
    await transaction.collection(COLLECTIONS.refunds).add({ ...record });
    await transaction
      .collection(COLLECTIONS.orders)
      .doc(orderId)
      .update({ refund_reserved: reserved + request.refundFee, refund_num: (order.refund_num ?? 0) + 1 });
    return { record, created: true };
  });
}

export type SettleOutcome = "settled" | "already-settled" | "unknown-refund";

/**
 * Which moves a refund may make. PROCESSING may end any way. ABNORMAL is not an end: WeChat holds the
 * money until the merchant acts (applyAbnormalRefund, or its merchant platform), and then reports SUCCESS
 * or CLOSED. SUCCESS and CLOSED are final.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (退款申请: status ABNORMAL)
 */
function mayMove(from: RefundState, to: RefundState): boolean {
  if (from === "PROCESSING") return to !== "PROCESSING";
  return from === "ABNORMAL" && (to === "SUCCESS" || to === "CLOSED");
}

/**
 * Settles a refund once, whichever way its result arrives (the refund call's answer, a notification, a
 * query, the timer). SUCCESS counts it into `refund_fee` and marks the order REFUND; CLOSED releases the
 * reservation; ABNORMAL only records the state and keeps the reservation, so the same money cannot be
 * refunded twice while WeChat holds it. A move `mayMove` forbids is left alone ("already-settled").
 *
 * A transaction, not a conditional `_.inc`, because two documents move together (the refund's status and
 * the order's totals) and the amount itself was already bounded when the refund was reserved: reserving is
 * the conditional write under the ceiling. Both documents are read and written inside the transaction, so
 * two settles of one refund, or of two refunds of one order, cannot both commit on what they read: uniCloud's
 * MongoDB aborts the second with WriteConflict and inTransaction runs it again, when it sees the moved
 * status (the emulator's fault mode does the same; otherwise it serialises writers).
 */
export async function settleRefund(
  outRefundNo: string,
  result: { state: Exclude<RefundState, "PROCESSING">; refundId?: string; settledAt: number },
  db: Database,
): Promise<SettleOutcome> {
  return inTransaction(db, async (transaction) => {
    const record = single(await transaction.collection(COLLECTIONS.refunds).doc(outRefundNo).get()) as unknown as RefundRecord | undefined;
    if (!record) return "unknown-refund";
    if (!mayMove(record.status, result.state)) return "already-settled";
    const order = single(await transaction.collection(COLLECTIONS.orders).doc(record.order_id).get()) as Order | undefined;
    if (!order) return "unknown-refund";
    const refundUpdate: Record<string, unknown> = { status: result.state, settle_date: result.settledAt };
    if (result.refundId) refundUpdate.refund_id = result.refundId;
    // Kept after it settles, so the back office still sees which refunds went through WeChat's intermediate account.
    if (result.state === "ABNORMAL") refundUpdate.abnormal_date = result.settledAt;
    await transaction.collection(COLLECTIONS.refunds).doc(outRefundNo).update(refundUpdate);
    if (result.state === "SUCCESS") {
      const entry = { refund_date: result.settledAt, refund_fee: record.refund_fee, out_refund_no: outRefundNo, refund_desc: record.refund_desc };
      await transaction
        .collection(COLLECTIONS.orders)
        .doc(order._id)
        .update({ status: "REFUND", refund_fee: (order.refund_fee ?? 0) + record.refund_fee, refund_list: [...(order.refund_list ?? []), entry] });
    } else if (result.state === "CLOSED") {
      await transaction
        .collection(COLLECTIONS.orders)
        .doc(order._id)
        .update({ refund_reserved: (order.refund_reserved ?? record.refund_fee) - record.refund_fee });
    }
    return "settled";
  });
}

export type ReverseOutcome = "reversed" | "already-reversed" | "not-settled" | "unknown-refund";

/**
 * Undoes a SUCCESS refund that the provider took back, once: the refund becomes CLOSED with its
 * `reversed_date` (kept, not deleted, so a late redelivery of the original refund is still a duplicate),
 * and the order's `refund_fee` and reservation go down by its amount, its `refund_list` entry goes, and
 * an order left with nothing refunded returns from REFUND to SUCCESS. One transaction, as settleRefund.
 */
export async function reverseRefund(outRefundNo: string, reversedAt: number, db: Database): Promise<ReverseOutcome> {
  return inTransaction(db, async (transaction) => {
    const record = single(await transaction.collection(COLLECTIONS.refunds).doc(outRefundNo).get()) as unknown as RefundRecord | undefined;
    if (!record) return "unknown-refund";
    if (record.reversed_date !== undefined) return "already-reversed";
    if (record.status !== "SUCCESS") return "not-settled";
    const order = single(await transaction.collection(COLLECTIONS.orders).doc(record.order_id).get()) as Order | undefined;
    if (!order) return "unknown-refund";
    await transaction.collection(COLLECTIONS.refunds).doc(outRefundNo).update({ status: "CLOSED", reversed_date: reversedAt });
    const refunded = Math.max((order.refund_fee ?? 0) - record.refund_fee, 0);
    await transaction
      .collection(COLLECTIONS.orders)
      .doc(order._id)
      .update({
        refund_fee: refunded,
        refund_reserved: Math.max((order.refund_reserved ?? record.refund_fee) - record.refund_fee, 0),
        refund_list: (order.refund_list ?? []).filter((entry) => entry.out_refund_no !== outRefundNo),
        ...(order.status === "REFUND" && refunded === 0 ? { status: "SUCCESS" } : {}),
      });
    return "reversed";
  });
}

export async function findRefund(outRefundNo: string, db: Database): Promise<RefundRecord | undefined> {
  return single(await db.collection(COLLECTIONS.refunds).doc(outRefundNo).get()) as unknown as RefundRecord | undefined;
}
