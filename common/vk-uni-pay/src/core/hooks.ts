import { isPaid } from "./repository";
import { inTransaction, single, type Database, type TransactionRef } from "./database";
import { type Order } from "./orders";
import { COLLECTIONS } from "./repository";

/** What a typed hook receives; `db` is an open transaction that commits together with the "done" marker. */
export interface HookContext {
  order: Order;
  custom: Record<string, unknown>;
  db: TransactionRef;
  now: number;
  log: (line: string) => void;
  /** Stable per order and event, for effects outside the database (at-least-once delivery). */
  idempotencyKey: string;
}

/** The refund a `refunded` hook reacts to (already counted into the order's `refund_fee`). */
export interface RefundFacts {
  out_refund_no: string;
  refund_fee: number;
  refund_desc: string;
  /** An admin asked to refund even if the hook's own checks (say, an insufficient balance) object. */
  force?: boolean;
}

/** What an order type's `create` hook receives: the caller, the client's input, the database, its config. */
export interface CreateHookInput {
  user: Record<string, unknown> & { _id: string };
  input: Record<string, unknown>;
  db: Database;
  config: Readonly<Record<string, unknown>>;
}

/** The server's own terms of the order: the amount is computed here, never taken from the client. */
export interface CreateHookResult {
  total_fee: number;
  subject: string;
  custom?: Record<string, unknown>;
}

export interface OrderTypeHooks {
  create?(input: CreateHookInput): Promise<CreateHookResult> | CreateHookResult;
  paid?(context: HookContext): Promise<boolean | void> | boolean | void;
  /** Asked before a refund is reserved; throwing refuses the refund (say, a balance already spent). */
  beforeRefund?(input: { order: Order; refund_fee: number; force: boolean; db: Database }): Promise<void> | void;
  refunded?(context: HookContext & { refund: RefundFacts }): Promise<boolean | void> | boolean | void;
  /**
   * A refund whose `refunded` hook ran was taken back by the provider (Apple REFUND_REVERSED): undo what
   * `refunded` did (say, credit the balance again). Runs once per reversal, after the order's totals went back.
   */
  refundReversed?(context: HookContext & { refund: RefundFacts }): Promise<boolean | void> | boolean | void;
  /**
   * Only in the `transfer` hook file (`service/pay-notify/transfer.js`): a transfer reached its final
   * state (SUCCESS, FAIL or CANCELLED). Runs once per transfer; its writes commit with the done marker.
   */
  transferred?(context: TransferHookContext): Promise<boolean | void> | boolean | void;
}

/** What the `transferred` hook receives: the stored transfer in its final state, and an open transaction. */
export interface TransferHookContext {
  transfer: Readonly<Record<string, unknown>> & { out_bill_no: string; status: string; transfer_amount: number };
  db: TransactionRef;
  now: number;
  log: (line: string) => void;
  idempotencyKey: string;
}

/** vk-uni-pay's hook file: `module.exports = async (obj) => boolean`, `obj.data` = the order with `custom` spread. */
export type LegacyHook = (input: { data: Record<string, unknown> }) => Promise<unknown> | unknown;

export type HookModule = OrderTypeHooks | LegacyHook;

/** Finds the hooks of an order type (`service/pay-notify/<type>.js` in the vk-pay function). */
export type HookResolver = (type: string) => HookModule | undefined;

export type HookOutcome = "done" | "already-done" | "failed" | "not-paid";

const MAX_ERROR_LENGTH = 500;

/** Retry delay after the n-th failure: 30 s doubling, at most 6 h. */
export function hookRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
}

/** The hook itself said no (returned false, or is missing): a failure of the hook, not of the database. */
export class HookRefused extends Error {}

export function describe(error: unknown): string {
  const text = error instanceof HookRefused ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/** For the function's log only (the stored hook_error stays short): the stack names the hook's file and function. */
export function stackOf(error: unknown): string {
  return error instanceof Error && typeof error.stack === "string" ? error.stack : describe(error);
}

export async function recordFailure(db: Database, order: Order, error: unknown, now: number): Promise<void> {
  const attempts = ((order as { hook_attempts?: number }).hook_attempts ?? 0) + 1;
  const _ = db.command;
  // Conditional: a concurrent run that succeeded meanwhile must not be overwritten with a failure.
  await db
    .collection(COLLECTIONS.orders)
    .where({ _id: order._id, user_order_success: _.in([false, null]) })
    .update({
      user_order_success: false,
      hook_error: describe(error),
      hook_attempts: _.inc(1),
      hook_date: now,
      hook_next_retry: now + hookRetryDelayMs(attempts),
    });
}

async function runLegacy(hook: LegacyHook, order: Order, db: Database, now: number): Promise<HookOutcome> {
  // A legacy hook writes through its own database handle, so it cannot share our transaction: it gets
  // at-least-once delivery, and the marker below is set only after it reported success.
  const result = await hook({ data: { ...order, ...(order.custom ?? {}) } });
  if (result !== true) throw new HookRefused("hook returned a value other than true");
  const _ = db.command;
  const { updated } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: order._id, user_order_success: _.in([false, null]) })
    .update({ user_order_success: true, hook_error: "", hook_attempts: _.inc(1), hook_date: now });
  return updated === 1 ? "done" : "already-done";
}

/**
 * The typed `paid` hook inside an open transaction, for an order as read in that transaction. It returns
 * the "done" marker for the caller to write in the same transaction (so the hook's writes and the marker
 * commit together, and a run that committed first is seen and this one does nothing).
 */
export async function callPaidHookIn(
  hooks: OrderTypeHooks,
  order: Order | undefined,
  transaction: TransactionRef,
  now: number,
  log: (line: string) => void,
): Promise<{ outcome: HookOutcome; marker?: Record<string, unknown> }> {
  if (!order || !isPaid(order.status)) return { outcome: "not-paid" };
  if (order.user_order_success === true) return { outcome: "already-done" };
  const result = await hooks.paid?.({ order, custom: order.custom ?? {}, db: transaction, now, log, idempotencyKey: `${order._id}:paid` });
  if (result === false) throw new HookRefused("hook returned false");
  const attempts = ((order as { hook_attempts?: number }).hook_attempts ?? 0) + 1;
  return { outcome: "done", marker: { user_order_success: true, hook_error: "", hook_attempts: attempts, hook_date: now } };
}

async function runTyped(hooks: OrderTypeHooks, orderId: string, db: Database, now: number, log: (line: string) => void): Promise<HookOutcome> {
  return inTransaction(db, async (transaction) => {
    const { outcome, marker } = await callPaidHookIn(
      hooks,
      single<Order>(await transaction.collection(COLLECTIONS.orders).doc(orderId).get()),
      transaction,
      now,
      log,
    );
    if (marker) await transaction.collection(COLLECTIONS.orders).doc(orderId).update(marker);
    return outcome;
  });
}

/**
 * Runs the order type's `paid` hook at most once to completion. Its database writes and the
 * `user_order_success` marker commit in one transaction; a failure is recorded with a retry time and
 * nothing of the hook's writes remains.
 */
export async function runPaidHook(
  orderId: string,
  resolve: HookResolver,
  options: { now: number; log?: (line: string) => void; db: Database },
): Promise<HookOutcome> {
  const db = options.db;
  const log = options.log ?? ((line: string) => console.log(line));
  const order = single(await db.collection(COLLECTIONS.orders).doc(orderId).get()) as Order | undefined;
  if (!order || !isPaid(order.status)) return "not-paid";
  if (order.user_order_success === true) return "already-done";
  try {
    const hooks = resolve(order.type);
    if (!hooks) throw new HookRefused(`no hook for order type "${order.type}"`);
    if (typeof hooks === "function") return await runLegacy(hooks, order, db, options.now);
    return await runTyped(hooks, orderId, db, options.now, log);
  } catch (error) {
    log(`vk-uni-pay: paid hook of order ${order.out_trade_no} (type ${order.type}) failed: ${stackOf(error)}`);
    await recordFailure(db, order, error, options.now);
    return "failed";
  }
}

export type RefundHookOutcome = "done" | "already-done" | "failed" | "not-settled" | "no-hook";

/** The two refund hooks, each with its own marker on the refund row and the refund state it runs in. */
const REFUND_HOOKS = {
  refunded: { done: "hook_done", error: "hook_error", date: "hook_date", attempts: "hook_attempts", ready: (refund: RefundRow) => refund.status === "SUCCESS" },
  refundReversed: {
    done: "reversal_hook_done",
    error: "reversal_hook_error",
    date: "reversal_hook_date",
    attempts: "reversal_hook_attempts",
    ready: (refund: RefundRow) => refund.reversed_date !== undefined,
  },
} as const;

type RefundRow = RefundFacts & { order_id: string; status: string; reversed_date?: number } & Record<string, unknown>;

async function runRefundHook(
  which: keyof typeof REFUND_HOOKS,
  outRefundNo: string,
  resolve: HookResolver,
  options: { now: number; log?: (line: string) => void; db: Database },
): Promise<RefundHookOutcome> {
  const marker = REFUND_HOOKS[which];
  const db = options.db;
  const log = options.log ?? ((line: string) => console.log(line));
  const refunds = db.collection(COLLECTIONS.refunds);
  const refund = single(await refunds.doc(outRefundNo).get()) as RefundRow | undefined;
  if (!refund || !marker.ready(refund)) return "not-settled";
  if (refund[marker.done] === true) return "already-done";
  const order = single(await db.collection(COLLECTIONS.orders).doc(refund.order_id).get()) as Order | undefined;
  const hooks = order ? resolve(order.type) : undefined;
  // Nothing to undo when `refunded` never completed: its effect never happened.
  const nothingToUndo = which === "refundReversed" && refund.hook_done !== true;
  if (!order || !hooks || typeof hooks === "function" || !hooks[which] || nothingToUndo) {
    await refunds.doc(outRefundNo).update({ [marker.done]: true });
    return "no-hook";
  }
  const run = hooks[which]!.bind(hooks);
  try {
    return await inTransaction(db, async (transaction) => {
      const current = single<Record<string, unknown>>(await transaction.collection(COLLECTIONS.refunds).doc(outRefundNo).get());
      if (current?.[marker.done] === true) return "already-done";
      const freshOrder = single<Order>(await transaction.collection(COLLECTIONS.orders).doc(order._id).get())!;
      const facts: RefundFacts = {
        out_refund_no: outRefundNo,
        refund_fee: refund.refund_fee,
        refund_desc: refund.refund_desc,
        ...(refund.force ? { force: true } : {}),
      };
      const result = await run({
        order: freshOrder,
        custom: freshOrder.custom ?? {},
        db: transaction,
        now: options.now,
        log,
        idempotencyKey: `${order._id}:${which}:${outRefundNo}`,
        refund: facts,
      });
      if (result === false) throw new HookRefused(`${which} hook returned false`);
      await transaction
        .collection(COLLECTIONS.refunds)
        .doc(outRefundNo)
        .update({ [marker.done]: true, [marker.error]: "", [marker.date]: options.now });
      return "done" as const;
    });
  } catch (error) {
    log(`vk-uni-pay: ${which} hook of ${outRefundNo} failed: ${stackOf(error)}`);
    await refunds.doc(outRefundNo).update({ [marker.error]: describe(error), [marker.date]: options.now, [marker.attempts]: db.command.inc(1) });
    return "failed";
  }
}

/**
 * Runs the order type's `refunded` hook once per successful refund; its writes and the refund's
 * `hook_done` marker commit together. Legacy hook files have no refund hook.
 */
export function runRefundedHook(
  outRefundNo: string,
  resolve: HookResolver,
  options: { now: number; log?: (line: string) => void; db: Database },
): Promise<RefundHookOutcome> {
  return runRefundHook("refunded", outRefundNo, resolve, options);
}

/**
 * Runs the order type's `refundReversed` hook once per reversed refund (reverseRefund), with the
 * `reversal_hook_done` marker in the same transaction. It runs only if `refunded` had completed.
 */
export function runRefundReversedHook(
  outRefundNo: string,
  resolve: HookResolver,
  options: { now: number; log?: (line: string) => void; db: Database },
): Promise<RefundHookOutcome> {
  return runRefundHook("refundReversed", outRefundNo, resolve, options);
}
