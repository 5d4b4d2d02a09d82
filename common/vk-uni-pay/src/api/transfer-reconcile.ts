import type { Database } from "../core/database";
import { runTransferHook } from "../core/transfer-hook";
import { FINAL_TRANSFER_STATES, isFinalTransferState, markSendUnknown, UNCONFIRMED_TRANSFER_STATES, type TransferRecord } from "../core/transfers";
import { COLLECTIONS } from "../core/repository";
import type { ApiDeps } from "./shared";
import { followUpTransfer } from "./transfer-follow-up";

/** A transfer untouched for this long had no notification (or none that arrived): the provider is asked. */
export const TRANSFER_QUIET_MS = 60_000;
/**
 * A send still "sending" after this long was cut off (the function timed out or its instance died): it is
 * marked unknown, so the next `transfer` call with the same `out_bill_no` sends it again. That is safe, as
 * the same number is the same bill at the provider (WeChat: keep the out_bill_no when retrying).
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/transfer-to-user.html (发起转账)
 */
export const STALE_SEND_MS = 15 * 60_000;
const BATCH = 50;

export interface TransferReconcileReport {
  /** Transfers asked about. */
  queried: number;
  /** Of those, the ones the answer moved forward. */
  moved: number;
  /** Sends cut off mid-way, now open to a retry under the same number. */
  sendsReopened: number;
  /** Final-state `transfer` hooks that completed on this run. */
  hooks: number;
}

type Each = <T>(items: T[], label: (item: T) => string, work: (item: T) => Promise<void>) => Promise<void>;

async function stuck(db: Database, now: number): Promise<TransferRecord[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.transfers)
    .where({ status: _.in([...UNCONFIRMED_TRANSFER_STATES, "CANCELING"]), update_date: _.lt(now - TRANSFER_QUIET_MS) })
    .orderBy("update_date", "asc")
    .limit(BATCH)
    .get();
  return data as unknown as TransferRecord[];
}

async function unhooked(db: Database, now: number): Promise<TransferRecord[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.transfers)
    .where({ status: _.in([...FINAL_TRANSFER_STATES]), hook_done: _.in([false, null]) })
    .limit(BATCH)
    .get();
  return (data as unknown as TransferRecord[]).filter((record) => !(record.hook_next_retry! > now));
}

/**
 * The timer's share of transfers: a transfer left in a non-final state is queried at its provider and
 * moved forward (a lost notification, a payee's confirmation or WeChat's 24-hour close); a final one whose
 * `transfer` hook failed runs it again once its retry time has come (the payments' backoff and cap).
 */
export async function reconcileTransfers(deps: ApiDeps, now: number, each: Each): Promise<TransferReconcileReport> {
  const report: TransferReconcileReport = { queried: 0, moved: 0, sendsReopened: 0, hooks: 0 };
  const db = deps.db;
  await each(
    await stuck(db, now),
    (record) => `transfer ${record.out_bill_no}`,
    async (record) => {
      report.queried += 1;
      try {
        const answer = await followUpTransfer(record, deps);
        if (answer.state !== record.status) report.moved += 1;
      } catch (error) {
        if (record.send_state === "sending" && record.update_date < now - STALE_SEND_MS) {
          await markSendUnknown(record._id, now, db);
          report.sendsReopened += 1;
        }
        throw error;
      }
    },
  );
  if (deps.hooks) {
    const hooks = deps.hooks;
    await each(
      await unhooked(db, now),
      (record) => `transfer ${record.out_bill_no}`,
      async (record) => {
        if (!isFinalTransferState(record.status)) return;
        if ((await runTransferHook(record._id, hooks, { now, log: deps.log, db })) === "done") report.hooks += 1;
      },
    );
  }
  return report;
}
