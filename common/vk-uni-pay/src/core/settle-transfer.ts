import type { TransferStatus } from "../kernel/contract";
import type { Database } from "./database";
import type { HookResolver } from "./hooks";
import { runTransferHook, type TransferHookOutcome } from "./transfer-hook";
import { applyTransferStatus, findTransfer, isFinalTransferState, transferBindingProblem, type TransferMove, type TransferRecord } from "./transfers";

export interface SettledTransfer {
  move: TransferMove | "refused";
  reason?: string;
  hook: TransferHookOutcome | "deferred" | "none";
  record: TransferRecord;
}

/**
 * What a provider reports about a transfer (its answer to a send, cancel or query, or a verified
 * notification), applied exactly once: bound to the stored transfer first (a report about another
 * amount or payee changes nothing), then the forward-only conditional move, then, in a final state, the
 * `transfer` hook (once; a failed hook runs again on the next report).
 */
export async function settleTransfer(
  record: TransferRecord,
  status: TransferStatus,
  options: { db: Database; now: number; log: (line: string) => void; hooks?: HookResolver; notification?: unknown },
): Promise<SettledTransfer> {
  const problem = transferBindingProblem(record, status);
  if (problem) {
    options.log(`vk-uni-pay: transfer ${record.out_bill_no} report refused: ${problem}`);
    return { move: "refused", reason: problem, hook: "none", record };
  }
  const move = await applyTransferStatus(record, status, options.now, options.db, options.notification);
  const current = (await findTransfer(record._id, options.db)) ?? record;
  if (!isFinalTransferState(current.status) || current.hook_done === true) return { move, hook: "none", record: current };
  if (!options.hooks) return { move, hook: "deferred", record: current };
  const hook = await runTransferHook(record._id, options.hooks, { now: options.now, log: options.log, db: options.db });
  return { move, hook, record: (await findTransfer(record._id, options.db)) ?? current };
}
