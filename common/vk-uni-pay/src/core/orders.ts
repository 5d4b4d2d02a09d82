import { COLLECTIONS, isLegacyStatus, OPEN_STATUSES, orderStatusOf } from "./repository";
import type { TradeState } from "../kernel/contract";
import { isDuplicateKey, type Database, type Doc } from "./database";
import { failures } from "./errors";

/** Order statuses: the seed's strings. REFUND means any amount refunded; `refund_fee` says how much. */
export type OrderStatus = Exclude<TradeState, "PAYERROR">;

/** The states a payment may still move out of; every transition to SUCCESS or CLOSED is conditional on them. */
export { OPEN_STATUSES };

/**
 * The states a verified payment may move to SUCCESS. CLOSED is among them: a provider that confirmed a
 * close never reports a payment afterwards, so a payment for a CLOSED order means it was closed only here
 * (expired, or not yet known to the provider) while the buyer paid. The money has moved; the order follows.
 */
export const PAYABLE_STATUSES: readonly OrderStatus[] = [...OPEN_STATUSES, "CLOSED"];

/** What createPayment knows before the provider is called. */
export interface OrderDraft {
  out_trade_no: string;
  type: string;
  provider: string;
  pay_type: string;
  total_fee: number;
  description: string;
  user_id?: string;
  openid?: string;
  custom?: Record<string, unknown>;
  platform?: string;
  client_ip?: string;
  appid?: string;
  pid?: string;
  /** Service-provider mode (vk-pay.md §3.6), reused by every later call about the order. */
  sub_mchid?: string;
  sub_appid?: string;
  app_auth_token?: string;
  mch_id?: string;
  provider_appid?: string;
  notify_url: string;
  notify_path: string;
  time_expire?: number;
  /** What a platform-priced provider's `priceOrder` stored for its later calls (product id, token). */
  provider_fields?: Record<string, unknown>;
}

export type Order = Doc &
  OrderDraft & {
    status: OrderStatus;
    create_date: number;
    refund_fee: number;
    /** Refunds asked for and not failed: what counts against the ceiling of `total_fee`. */
    refund_reserved?: number;
    refund_num: number;
    refund_list?: Array<{ refund_date: number; refund_fee: number; out_refund_no: string; refund_desc: string }>;
    transaction_id?: string;
    pay_date?: number;
    user_order_success?: boolean;
    /** vk-uni-pay's numeric status, as still stored on an order not yet migrated (`status` then holds its meaning). */
    legacy_status?: number;
  };

/** How a payment reached us: vk-uni-pay's `notify_mode` (0 active query, 1 provider notification). */
export type NotifyMode = 0 | 1;

export async function findOrder(outTradeNo: string, db: Database): Promise<Order | undefined> {
  const { data } = await db.collection(COLLECTIONS.orders).where({ out_trade_no: outTradeNo }).limit(1).get();
  return data[0] ? readableOrder(data[0]) : undefined;
}

/**
 * An order as read: one vk-uni-pay wrote and nobody migrated yet carries its numeric status, read here as
 * its string meaning (a paid `1` is SUCCESS, never unpaid). Conditional writes still match the stored
 * number, so such an order is not paid, closed or expired again here until it is migrated.
 */
export function readableOrder(doc: Doc): Order {
  if (!isLegacyStatus(doc.status)) return doc as Order;
  return { ...doc, status: orderStatusOf(doc.status), legacy_status: doc.status } as Order;
}

/**
 * The order, for a caller acting as `userId` when one is given: another user's order (or one without an
 * owner) is answered exactly like a missing one, so order numbers cannot be probed.
 */
export async function findOrderFor(outTradeNo: string, userId: string | undefined, db: Database): Promise<Order | undefined> {
  const order = await findOrder(outTradeNo, db);
  if (!order || (userId !== undefined && order.user_id !== userId)) return undefined;
  return order;
}

/** Fields a retry of the same order may not change: who pays, for what, to whom, how much. */
function isSameOrder(existing: Order, draft: OrderDraft): boolean {
  return existing.user_id === draft.user_id && existing.type === draft.type && existing.provider === draft.provider && existing.total_fee === draft.total_fee;
}

/**
 * Creates the order, or refreshes an unpaid one for a retry by the same user with the same type,
 * provider and amount. Anything else with the same `out_trade_no` is refused, so nobody can take over
 * or re-price another user's order. The unique index on `out_trade_no` settles concurrent creates.
 */
export async function openOrder(draft: OrderDraft, now: number, db: Database): Promise<Order> {
  const fresh = { ...draft, status: "NOTPAY", create_date: now, refund_fee: 0, refund_reserved: 0, refund_num: 0, refund_list: [] };
  try {
    const { id } = await db.collection(COLLECTIONS.orders).add(fresh);
    return { ...fresh, _id: id } as Order;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const existing = await findOrder(draft.out_trade_no, db);
  if (!existing) throw failures.orderConflict();
  if (!isSameOrder(existing, draft)) throw failures.orderConflict();
  const _ = db.command;
  const { updated } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: existing._id, status: _.in([...OPEN_STATUSES]), user_id: draft.user_id ?? _.exists(false), total_fee: draft.total_fee })
    .update({
      pay_type: draft.pay_type,
      openid: draft.openid ?? "",
      platform: draft.platform ?? "",
      client_ip: draft.client_ip ?? "",
      notify_url: draft.notify_url,
      notify_path: draft.notify_path,
      description: draft.description,
      update_date: now,
    });
  // The first pricing's provider fields stand (the client was already given them); the amount is equal by now.
  if (updated === 1) return { ...existing, ...draft, status: existing.status, provider_fields: existing.provider_fields } as Order;
  // uniCloud reports 0 for an update that changed nothing (an identical concurrent retry), so look again.
  const current = await findOrder(draft.out_trade_no, db);
  if (current && OPEN_STATUSES.includes(current.status) && isSameOrder(current, draft)) return current;
  throw current?.status === "CLOSED" ? failures.orderClosed() : failures.orderAlreadyPaid();
}

/** Why a payment's claims about the order's stored provider fields (`PaymentStatus.orderFields`) do not hold, if they do not. */
export function orderFieldsProblem(order: Pick<Order, "provider_fields">, claimed: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [key, value] of Object.entries(claimed ?? {})) {
    const stored = order.provider_fields?.[key];
    if (stored !== value) return `${key} ${String(value).slice(0, 64)} does not match the order's ${String(stored).slice(0, 64)}`;
  }
  return undefined;
}

export interface PaymentFacts {
  transactionId?: string;
  paidAt: number;
  notifyMode: NotifyMode;
  /** Where the raw notification is kept for audit and replay (its path, method and notification-log row). */
  original?: unknown;
  info?: unknown;
  /** The channel picked inside an aggregate cashier (PaymentStatus.payMethod), stored as `provider_pay_method`. */
  payMethod?: string;
}

/**
 * The exactly-once payment transition: only an open (or locally closed) order with exactly this amount
 * becomes SUCCESS.
 * `false` means another notification, query or process got there first (or the amount differs), and
 * nothing was written.
 */
export async function markPaid(order: Pick<Order, "_id" | "total_fee">, facts: PaymentFacts, now: number, db: Database): Promise<boolean> {
  const _ = db.command;
  const { updated } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: order._id, status: _.in([...PAYABLE_STATUSES]), total_fee: order.total_fee })
    .update(paidFields(facts, now));
  return updated === 1;
}

/** Whether `current` may still become paid with `order`'s amount: markPaid's condition, for code inside a transaction. */
export function canMarkPaid(current: Pick<Order, "status" | "total_fee"> | undefined, order: Pick<Order, "total_fee">): boolean {
  return current !== undefined && PAYABLE_STATUSES.includes(current.status) && current.total_fee === order.total_fee;
}

/** The fields a payment writes onto its order. */
export function paidFields(facts: PaymentFacts, now: number): Record<string, unknown> {
  const fields: Record<string, unknown> = { status: "SUCCESS", pay_date: facts.paidAt, notify_date: now, notify_mode: facts.notifyMode };
  if (facts.transactionId) fields.transaction_id = facts.transactionId;
  if (facts.original !== undefined) fields.original_data = facts.original;
  if (facts.info !== undefined) fields.notify_info = facts.info;
  if (facts.payMethod) fields.provider_pay_method = facts.payMethod;
  return fields;
}

/** An open order becomes CLOSED; a paid one never does. */
export async function markClosed(orderId: string, now: number, db: Database): Promise<boolean> {
  const _ = db.command;
  const { updated } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: orderId, status: _.in([...OPEN_STATUSES]) })
    .update({ status: "CLOSED", cancel_date: now });
  return updated === 1;
}

/** Codepay's "the customer is entering the password": NOTPAY → USERPAYING, nothing else. */
export async function markUserPaying(orderId: string, db: Database): Promise<boolean> {
  const { updated } = await db.collection(COLLECTIONS.orders).where({ _id: orderId, status: "NOTPAY" }).update({ status: "USERPAYING" });
  return updated === 1;
}
