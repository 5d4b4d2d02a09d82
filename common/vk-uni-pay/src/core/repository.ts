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

export function isPaid(status: string): boolean {
  return (PAID_STATUSES as readonly string[]).includes(status);
}

export function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}
