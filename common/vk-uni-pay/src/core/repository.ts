import type { OrderStatus } from "./orders";

/**
 * The library's collections and what their states mean, owned here once: every query of the core, the
 * API and the router's admin views reads these names rather than spelling them.
 */
export const COLLECTIONS = Object.freeze({
  orders: "vk-pay-orders",
  refunds: "vk-pay-refunds",
  notifyLog: "vk-pay-notify-log",
  taskLog: "vk-pay-task-log",
  merchantConfigs: "vk-pay-config",
  transfers: "vk-pay-transfers",
  /** Per-day transfer totals, one document per day (and per payee and day), which the limits are checked against. */
  transferLimits: "vk-pay-transfer-limits",
});

/** Paid at the provider; a partly refunded order stays SUCCESS, a fully refunded one is REFUND. */
export const PAID_STATUSES: readonly OrderStatus[] = Object.freeze(["SUCCESS", "REFUND"]);

/** Not yet paid and still payable: only these may be closed, paid or expire. */
export const OPEN_STATUSES: readonly OrderStatus[] = Object.freeze(["NOTPAY", "USERPAYING"]);

/** What a refund may be taken from: a paid order (whatever was refunded so far, the ceiling is checked on the amounts). */
export const REFUNDABLE_STATUSES: readonly OrderStatus[] = PAID_STATUSES;

export function isPaid(status: unknown): boolean {
  return (PAID_STATUSES as readonly unknown[]).includes(orderStatusOf(status));
}

export function isOpen(status: unknown): boolean {
  return (OPEN_STATUSES as readonly unknown[]).includes(orderStatusOf(status));
}

export function isRefundable(status: unknown): boolean {
  return (REFUNDABLE_STATUSES as readonly unknown[]).includes(orderStatusOf(status));
}

/**
 * vk-uni-pay's numeric order statuses (reference/vk-pay.md §4.1: -1 closed, 0 unpaid, 1 paid, 2 partly
 * refunded, 3 fully refunded), as this library names them. An order written by vk-uni-pay keeps its number
 * until `migrateLegacyOrders` rewrites it; until then every reading goes through `orderStatusOf`, so a paid
 * legacy order is never taken for an unpaid one. REFUND means any amount refunded here, so 2 and 3 both map to it.
 */
export const LEGACY_STATUSES: Readonly<Record<string, OrderStatus>> = Object.freeze({
  "-1": "CLOSED",
  "0": "NOTPAY",
  "1": "SUCCESS",
  "2": "REFUND",
  "3": "REFUND",
});

/** The status as this library names it, whether stored as its string or as vk-uni-pay's number; undefined for anything else. */
export function orderStatusOf(status: unknown): OrderStatus | undefined {
  if (typeof status === "number") return LEGACY_STATUSES[String(status)];
  return typeof status === "string" ? (status as OrderStatus) : undefined;
}

export function isLegacyStatus(status: unknown): status is number {
  return typeof status === "number" && String(status) in LEGACY_STATUSES;
}
