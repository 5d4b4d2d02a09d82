import { inTransaction, isWriteConflict, single, type Database, type DocumentWriter, type TransactionRef } from "./database";
import { callPaidHookIn, recordFailure, stackOf, runPaidHook, type HookOutcome, type HookResolver, type OrderTypeHooks } from "./hooks";
import { canMarkPaid, markPaid, paidFields, type Order, type PaymentFacts } from "./orders";
import { COLLECTIONS } from "./repository";

export interface SettledPayment {
  /** This call moved the order to SUCCESS (false: it was already paid, closed, or priced differently). */
  applied: boolean;
  hook: HookOutcome | "deferred";
}

export interface SettleOptions {
  db: Database;
  now: number;
  log: (line: string) => void;
  /** Absent outside the vk-pay function: the hook then runs later (query, timer, hookRetry). */
  hooks?: HookResolver;
  /** A write that belongs with the outcome (the notification log), made in the same transaction when there is one. */
  record?: (db: DocumentWriter, outcome: SettledPayment) => Promise<void>;
}

/**
 * A reported payment, exactly once: the conditional move to SUCCESS, the order type's `paid` hook and
 * its marker, and the caller's record of it. With a typed hook all of it is one transaction (one commit
 * instead of three, and nothing half-done if the process dies). If the hook fails, that transaction is
 * rolled back and the payment is recorded on its own with the failure, for a retry with backoff.
 * Legacy hook files write through their own handle, so they run after the payment has committed.
 */
export async function settlePayment(order: Order, facts: PaymentFacts, options: SettleOptions): Promise<SettledPayment> {
  const hooks = options.hooks?.(order.type);
  if (hooks && typeof hooks === "object") {
    let hookFailed = false;
    try {
      return await inTransaction(options.db, async (transaction) => {
        const outcome = await payAndRunHook(order, facts, hooks, transaction, options, () => (hookFailed = true));
        await options.record?.(transaction, outcome);
        return outcome;
      });
    } catch (error) {
      // Anything but the hook's own failure (a write conflict, say) takes the step-by-step path below.
      if (!hookFailed) return settleStepByStep(order, facts, options);
      return recordHookFailure(order, facts, error, options);
    }
  }
  return settleStepByStep(order, facts, options);
}

/** One read and one write of the order: the payment's fields and the hook's marker go in the same update. */
async function payAndRunHook(
  order: Order,
  facts: PaymentFacts,
  hooks: OrderTypeHooks,
  transaction: TransactionRef,
  options: SettleOptions,
  onHookFailure: () => void,
): Promise<SettledPayment> {
  const current = single<Order>(await transaction.collection(COLLECTIONS.orders).doc(order._id).get());
  const applied = canMarkPaid(current, order);
  const paid = applied ? paidFields(facts, options.now) : {};
  let ran: Awaited<ReturnType<typeof callPaidHookIn>>;
  try {
    // The hook sees the order as it will be stored: paid.
    ran = await callPaidHookIn(hooks, current && ({ ...current, ...paid } as Order), transaction, options.now, options.log);
  } catch (error) {
    // A write of the hook's that lost to another transaction is the database's doing, not the hook's.
    if (!isWriteConflict(error)) onHookFailure();
    throw error;
  }
  const fields = { ...paid, ...ran.marker };
  if (Object.keys(fields).length > 0) await transaction.collection(COLLECTIONS.orders).doc(order._id).update(fields);
  return { applied, hook: ran.outcome };
}

async function recordHookFailure(order: Order, facts: PaymentFacts, error: unknown, options: SettleOptions): Promise<SettledPayment> {
  options.log(`vk-uni-pay: paid hook of order ${order.out_trade_no} (type ${order.type}) failed: ${stackOf(error)}`);
  const applied = await markPaid(order, facts, options.now, options.db);
  const current = single<Order>(await options.db.collection(COLLECTIONS.orders).doc(order._id).get());
  // A paid order whose hook has not succeeded gets the failure and a retry time (recordFailure is conditional).
  if (current && current.user_order_success !== true) await recordFailure(options.db, current, error, options.now);
  const outcome: SettledPayment = { applied, hook: current?.user_order_success === true ? "already-done" : "failed" };
  await options.record?.(options.db, outcome);
  return outcome;
}

async function settleStepByStep(order: Order, facts: PaymentFacts, options: SettleOptions): Promise<SettledPayment> {
  const applied = await markPaid(order, facts, options.now, options.db);
  const hook = options.hooks ? await runPaidHook(order._id, options.hooks, { now: options.now, log: options.log, db: options.db }) : "deferred";
  const outcome: SettledPayment = { applied, hook };
  await options.record?.(options.db, outcome);
  return outcome;
}
