import { inTransaction, single, type Database } from "./database";
import { describe, HookRefused, hookRetryDelayMs, stackOf, type HookResolver, type TransferHookContext } from "./hooks";
import { COLLECTIONS } from "./repository";
import { isFinalTransferState, type TransferRecord } from "./transfers";

/** The hook file a transfer's end is reported to, as vk-uni-pay names it (`service/pay-notify/transfer.js`). */
export const TRANSFER_HOOK = "transfer";

export type TransferHookOutcome = "done" | "already-done" | "failed" | "not-final" | "no-hook";

/** What a vk-uni-pay `transfer.js` reads in `obj.data`: the transfer, named as WeChat's notification names it. */
function legacyData(record: TransferRecord): Record<string, unknown> {
  return {
    out_bill_no: record.out_bill_no,
    transfer_bill_no: record.transfer_bill_no,
    state: record.status,
    transfer_amount: record.transfer_amount,
    openid: record.payee_account,
    mch_id: record.mch_id,
    appid: record.appid,
    transfer_remark: record.transfer_remark,
    fail_reason: record.fail_reason,
    provider: record.provider,
    user_id: record.user_id,
    create_time: record.create_date,
    update_time: record.final_date ?? record.update_date,
  };
}

/** The record without its audit trail, as the typed hook sees it. */
function hookView(record: TransferRecord): TransferRecord {
  const { raw: _raw, notifications: _notifications, ...rest } = record;
  return rest as TransferRecord;
}

/**
 * Runs the `transfer` hook once for a transfer in its final state. A typed hook's writes and the
 * `hook_done` marker commit in one transaction (a second run sees the marker and does nothing); a
 * legacy `module.exports = async (obj) => boolean` writes through its own handle, so it is marked done
 * only after it returned true, with a conditional write. A failure is recorded with a retry time (the
 * payments' backoff: 30 s doubling, at most 6 h) and retried by the next notification of the same
 * transfer (the provider delivers again while we answer it with a failure), by the timer once that time
 * has come, and by `admin/hookRetry`.
 */
export async function runTransferHook(
  outBillNo: string,
  resolve: HookResolver,
  options: { now: number; log: (line: string) => void; db: Database },
): Promise<TransferHookOutcome> {
  const { db, now, log } = options;
  const transfers = db.collection(COLLECTIONS.transfers);
  const record = single<TransferRecord>(await transfers.doc(outBillNo).get());
  if (!record || !isFinalTransferState(record.status)) return "not-final";
  if (record.hook_done === true) return "already-done";
  const hooks = resolve(TRANSFER_HOOK);
  const typed = hooks && typeof hooks === "object" ? hooks.transferred?.bind(hooks) : undefined;
  if (!hooks || (typeof hooks === "object" && !typed)) {
    await transfers.where({ _id: outBillNo, hook_done: db.command.in([false, null]) }).update({ hook_done: true });
    return "no-hook";
  }
  try {
    if (typeof hooks === "function") {
      if ((await hooks({ data: legacyData(record) })) !== true) throw new HookRefused("transfer hook returned a value other than true");
      const { updated } = await transfers
        .where({ _id: outBillNo, hook_done: db.command.in([false, null]) })
        .update({ hook_done: true, hook_error: "", hook_attempts: db.command.inc(1) });
      return updated === 1 ? "done" : "already-done";
    }
    return await inTransaction(db, async (transaction) => {
      const current = single<TransferRecord>(await transaction.collection(COLLECTIONS.transfers).doc(outBillNo).get());
      if (!current || current.hook_done === true) return "already-done" as const;
      const result = await typed!({
        transfer: hookView(current) as unknown as TransferHookContext["transfer"],
        db: transaction,
        now,
        log,
        idempotencyKey: `${outBillNo}:transferred`,
      });
      if (result === false) throw new HookRefused("transferred hook returned false");
      await transaction
        .collection(COLLECTIONS.transfers)
        .doc(outBillNo)
        .update({ hook_done: true, hook_error: "", hook_attempts: (current.hook_attempts ?? 0) + 1 });
      return "done" as const;
    });
  } catch (error) {
    log(`vk-uni-pay: transfer hook of ${outBillNo} failed: ${stackOf(error)}`);
    // Conditional: a concurrent run that succeeded meanwhile must not be overwritten with a failure.
    await transfers.where({ _id: outBillNo, hook_done: db.command.in([false, null]) }).update({
      hook_done: false,
      hook_error: describe(error),
      hook_attempts: db.command.inc(1),
      hook_date: now,
      hook_next_retry: now + hookRetryDelayMs((record.hook_attempts ?? 0) + 1),
    });
    return "failed";
  }
}
