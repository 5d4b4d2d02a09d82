import type { TransferState, TransferStatus } from "../kernel/contract";
import { inTransaction, single, type Database } from "./database";
import { StateError } from "./errors";
import { COLLECTIONS } from "./repository";

/**
 * The transfer ledger (`vk-pay-transfers`): one document per `out_bill_no`, which is its `_id`, so the
 * same number is the same transfer in every instance. A transfer is written before the provider hears of
 * it; its state only moves forward, by conditional writes, so a late or repeated answer changes nothing.
 */

/** SUCCESS, FAIL and CANCELLED end a transfer; every other state may still move, and be cancelled. */
export const FINAL_TRANSFER_STATES: readonly TransferState[] = Object.freeze(["SUCCESS", "FAIL", "CANCELLED"]);

/** What waits for the payee: the confirmation page may be opened (again) in these states. */
export const UNCONFIRMED_TRANSFER_STATES: readonly TransferState[] = Object.freeze(["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING"]);

export function isFinalTransferState(state: string): boolean {
  return (FINAL_TRANSFER_STATES as readonly string[]).includes(state);
}

/**
 * How far along a state is: a report may only move a transfer forward (a query answered before a
 * notification must not undo it). CANCELING comes after the payee's states, since a cancel may follow any.
 */
const RANK: Record<TransferState, number> = {
  ACCEPTED: 0,
  PROCESSING: 1,
  WAIT_USER_CONFIRM: 2,
  TRANSFERING: 3,
  CANCELING: 4,
  SUCCESS: 5,
  FAIL: 5,
  CANCELLED: 5,
};

/** Whether a transfer in `from` may move to `to`: never out of a final state, never backwards. */
export function mayMoveTransfer(from: TransferState, to: TransferState): boolean {
  return from !== to && !isFinalTransferState(from) && RANK[to] >= RANK[from];
}

/** How the provider has heard of the transfer: being sent, answered, or unknown after a network failure. */
export type SendState = "sending" | "sent" | "unknown";

export interface TransferRecord {
  _id: string;
  out_bill_no: string;
  provider: string;
  /** The sub-config it was sent with (`transfer` unless the caller named another) and the merchant row, if any. */
  config_key: string;
  pid?: string;
  /** Fen. */
  transfer_amount: number;
  payee_account: string;
  payee_account_type?: string;
  /** Whether a real name was sent (never the name itself: the ledger is read by the back office). */
  payee_name_sent: boolean;
  /** The payee's uni-id user, when the caller named one: `pay/transfer/pending` lists theirs. */
  user_id?: string;
  transfer_remark: string;
  status: TransferState;
  send_state: SendState;
  transfer_bill_no?: string;
  mch_id?: string;
  /** The sub-merchant it is paid from, when a service provider sent it (WeChat partner mode). */
  sub_mchid?: string;
  appid?: string;
  /** What the payee's client needs to confirm (WeChat's requestMerchantTransfer options), while it waits for them. */
  confirm_info?: Readonly<Record<string, unknown>>;
  fail_reason?: string;
  operator?: string;
  force?: boolean;
  /** Beijing date `yyyyMMdd` of its creation: the day its amount counts against. */
  day: string;
  create_date: number;
  update_date: number;
  final_date?: number;
  /** The provider's last answer, for audit. */
  raw?: unknown;
  /** The verified notifications about it, for audit. */
  notifications?: unknown[];
  /** The `transfer` hook has run for its final state. */
  hook_done?: boolean;
  hook_error?: string;
  hook_attempts?: number;
  hook_date?: number;
  /** After a failed hook: not retried by the timer before this time (ms). */
  hook_next_retry?: number;
}

export type TransferDraft = Omit<TransferRecord, "_id" | "status" | "send_state" | "create_date" | "update_date">;

/**
 * Per-day totals, under the merchant row's `<pid>:` when there is one: `<day>:<provider>` for the
 * merchant's transfers with that provider (each provider's sub-config sets its own `daily`), and
 * `<day>:<provider>:<payee>` for one payee.
 */
interface LimitCounter {
  _id: string;
  amount: number;
  count: number;
}

export interface TransferLimits {
  /** Fen; a transfer above it is refused. */
  perTransfer?: number;
  /** Fen a payee may receive in one Beijing day. */
  perPayeeDaily?: number;
  /** Fen the merchant may pay out in one Beijing day. */
  daily?: number;
}

export const transferFailures = {
  conflict: () => new StateError(4002, "transfer-no-conflict", "该转账单号已用于其他转账"),
  notFound: () => new StateError(4003, "transfer-not-found", "转账单不存在"),
  final: (state: string) => new StateError(4004, "transfer-final", `转账单已是终态（${state}），无法撤销`),
  unconfirmed: (outBillNo: string) =>
    new StateError(4005, "transfer-unconfirmed-exists", `该用户有未确认收款的转账（${outBillNo}），请先撤销或等待其结束，或使用 force 强制转账`),
  payeeDailyLimit: () => new StateError(4006, "transfer-payee-daily-limit", "该用户今日转账金额已达上限"),
  dailyLimit: () => new StateError(4007, "transfer-daily-limit", "今日转账总额已达上限"),
  inFlight: () => new StateError(4008, "transfer-in-flight", "该转账正在提交中，请稍后查询结果"),
};

/** The emulator and uniCloud differ on stored `undefined`s; a field is either there or absent. */
function definedFields(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}

function counterIds(transfer: Pick<TransferDraft, "pid" | "day" | "provider" | "payee_account">): { merchant: string; payee: string } {
  const merchant = `${transfer.pid ? `${transfer.pid}:` : ""}${transfer.day}:${transfer.provider}`;
  return { merchant, payee: `${merchant}:${transfer.payee_account}` };
}

function sameTransfer(existing: TransferRecord, draft: TransferDraft): boolean {
  return (
    existing.provider === draft.provider &&
    existing.transfer_amount === draft.transfer_amount &&
    existing.payee_account === draft.payee_account &&
    (existing.pid || undefined) === (draft.pid || undefined)
  );
}

/**
 * Writes the transfer and counts it against the day's limits in one transaction: concurrent calls with
 * one `out_bill_no` cannot both create it (its `_id` is the number), and concurrent transfers cannot
 * together exceed a limit (both write the same counter document, so on uniCloud's MongoDB one aborts
 * with a write conflict and runs again, and the emulator serialises writers). The same number asked again with the
 * same amount and payee answers the stored transfer (`created: false`); anything else is refused.
 */
export async function reserveTransfer(
  draft: TransferDraft,
  limits: TransferLimits,
  now: number,
  db: Database,
): Promise<{ record: TransferRecord; created: boolean }> {
  return inTransaction(db, async (transaction) => {
    const transfers = transaction.collection(COLLECTIONS.transfers);
    const existing = single<TransferRecord>(await transfers.doc(draft.out_bill_no).get());
    if (existing) {
      if (!sameTransfer(existing, draft)) throw transferFailures.conflict();
      return { record: existing, created: false };
    }
    const counters = transaction.collection(COLLECTIONS.transferLimits);
    const bump = async (id: string, limit: number | undefined, refuse: () => Error) => {
      const counter = single<LimitCounter>(await counters.doc(id).get());
      const amount = (counter?.amount ?? 0) + draft.transfer_amount;
      if (limit !== undefined && amount > limit) throw refuse();
      const next = { amount, count: (counter?.count ?? 0) + 1 };
      if (counter) await counters.doc(id).update(next);
      else await counters.add({ _id: id, ...next });
    };
    const ids = counterIds(draft);
    await bump(ids.merchant, limits.daily, transferFailures.dailyLimit);
    await bump(ids.payee, limits.perPayeeDaily, transferFailures.payeeDailyLimit);
    const record: TransferRecord = { ...draft, _id: draft.out_bill_no, status: "ACCEPTED", send_state: "sending", create_date: now, update_date: now };
    await transfers.add(definedFields(record));
    return { record, created: true };
  });
}

export async function findTransfer(outBillNo: string, db: Database): Promise<TransferRecord | undefined> {
  return single<TransferRecord>(await db.collection(COLLECTIONS.transfers).doc(outBillNo).get());
}

export async function findTransferByBillNo(transferBillNo: string, db: Database): Promise<TransferRecord | undefined> {
  const { data } = await db.collection(COLLECTIONS.transfers).where({ transfer_bill_no: transferBillNo }).limit(1).get();
  return data[0] as unknown as TransferRecord | undefined;
}

/** A payee's transfers that still wait for them (the unconfirmed-transfer rule, and `pay/transfer/pending`). */
export async function unconfirmedTransfers(where: { provider?: string; payee_account?: string; user_id?: string }, db: Database): Promise<TransferRecord[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.transfers)
    .where({ ...where, status: _.in([...UNCONFIRMED_TRANSFER_STATES]) })
    .orderBy("create_date", "desc")
    .limit(100)
    .get();
  return data as unknown as TransferRecord[];
}

/** The send's outcome was lost (a timeout): the next call with the same number may send it again. */
export async function markSendUnknown(outBillNo: string, now: number, db: Database): Promise<void> {
  await db.collection(COLLECTIONS.transfers).where({ _id: outBillNo, send_state: "sending" }).update({ send_state: "unknown", update_date: now });
}

/** Claims a transfer whose send was lost, so only one caller sends it again. */
export async function claimResend(outBillNo: string, now: number, db: Database): Promise<boolean> {
  const { updated } = await db
    .collection(COLLECTIONS.transfers)
    .where({ _id: outBillNo, send_state: "unknown" })
    .update({ send_state: "sending", update_date: now });
  return updated === 1;
}

/** The provider refused the transfer outright: no bill exists there, and the number is spent (FAIL). */
export async function markRefused(outBillNo: string, reason: string, now: number, db: Database): Promise<boolean> {
  const _ = db.command;
  const { updated } = await db
    .collection(COLLECTIONS.transfers)
    .where({ _id: outBillNo, status: _.in([...UNCONFIRMED_TRANSFER_STATES]), transfer_bill_no: _.exists(false) })
    .update({ status: "FAIL", send_state: "sent", fail_reason: reason, update_date: now, final_date: now, hook_done: true });
  return updated === 1;
}

export type TransferMove = "moved" | "unchanged";

/**
 * Applies what the provider reports, once: the state moves only forward and only from the state it was
 * read in (a conditional write, so of two reports racing one moves it and the other changes nothing).
 * The provider's number, the confirmation options and the failure reason travel with the state.
 */
export async function applyTransferStatus(
  record: TransferRecord,
  status: TransferStatus,
  now: number,
  db: Database,
  notification?: unknown,
): Promise<TransferMove> {
  // Objects are written whole: update() would merge them into the stored ones (and fail on a stored null).
  const whole = (value: unknown) => (typeof value === "object" && value !== null && !Array.isArray(value) ? db.command.set(value) : value);
  const fields: Record<string, unknown> = { update_date: now, send_state: "sent", raw: whole(status.raw) };
  if (status.transferBillNo) fields.transfer_bill_no = status.transferBillNo;
  if (status.mchId) fields.mch_id = status.mchId;
  if (status.subMchId) fields.sub_mchid = status.subMchId;
  if (status.appId) fields.appid = status.appId;
  if (status.failReason) fields.fail_reason = status.failReason;
  const transfers = db.collection(COLLECTIONS.transfers);
  if (!mayMoveTransfer(record.status, status.state)) {
    // Only what the send left unknown is filled in; the state stays where it is.
    if (record.send_state !== "sent" || (status.transferBillNo && !record.transfer_bill_no)) {
      await transfers
        .where({ _id: record._id, status: record.status })
        .update({ ...fields, ...(status.confirmInfo ? { confirm_info: whole(status.confirmInfo) } : {}) });
    }
    return "unchanged";
  }
  fields.status = status.state;
  // The confirmation options are usable only while the provider waits for the payee.
  fields.confirm_info = whole(
    status.state === "WAIT_USER_CONFIRM" || status.state === "TRANSFERING" ? (status.confirmInfo ?? record.confirm_info ?? null) : null,
  );
  if (isFinalTransferState(status.state)) fields.final_date = status.updatedAt ?? now;
  if (notification !== undefined) fields.notifications = db.command.push(notification);
  const { updated } = await transfers.where({ _id: record._id, status: record.status }).update(fields);
  return updated === 1 ? "moved" : "unchanged";
}

/** Records a verified notification that moved nothing (a duplicate), for audit. */
export async function recordTransferNotification(outBillNo: string, notification: unknown, db: Database): Promise<void> {
  await db
    .collection(COLLECTIONS.transfers)
    .doc(outBillNo)
    .update({ notifications: db.command.push(notification) });
}

/**
 * Gives back what a transfer that never reached the provider reserved (the provider refused its input
 * before sending: a missing real name, say), so the same number may be sent again once it is fixed.
 */
export async function releaseUnsentTransfer(record: TransferRecord, db: Database): Promise<void> {
  await inTransaction(db, async (transaction) => {
    const transfers = transaction.collection(COLLECTIONS.transfers);
    const current = single<TransferRecord>(await transfers.doc(record._id).get());
    if (!current || current.send_state !== "sending" || current.transfer_bill_no) return;
    const counters = transaction.collection(COLLECTIONS.transferLimits);
    const ids = counterIds(record);
    for (const id of [ids.merchant, ids.payee]) {
      const counter = single<LimitCounter>(await counters.doc(id).get());
      if (counter) await counters.doc(id).update({ amount: Math.max(0, counter.amount - record.transfer_amount), count: Math.max(0, counter.count - 1) });
    }
    await transfers.doc(record._id).remove();
  });
}

/** A provider's report must describe the stored transfer: same number, amount, payee, merchant and app. */
export function transferBindingProblem(record: TransferRecord, status: TransferStatus): string | undefined {
  if (status.outBillNo !== record.out_bill_no) return `out_bill_no ${status.outBillNo} does not match ${record.out_bill_no}`;
  if (status.amount !== undefined && status.amount !== record.transfer_amount)
    return `amount ${status.amount} does not match the transfer's ${record.transfer_amount}`;
  if (status.payeeAccount && status.payeeAccount !== record.payee_account) return `payee ${status.payeeAccount} does not match the transfer's`;
  if (status.mchId && record.mch_id && status.mchId !== record.mch_id) return `merchant ${status.mchId} does not match the transfer's ${record.mch_id}`;
  if (status.subMchId && record.sub_mchid && status.subMchId !== record.sub_mchid)
    return `sub-merchant ${status.subMchId} does not match the transfer's ${record.sub_mchid}`;
  if (status.appId && record.appid && status.appId !== record.appid) return `app id ${status.appId} does not match the transfer's ${record.appid}`;
  if (status.transferBillNo && record.transfer_bill_no && status.transferBillNo !== record.transfer_bill_no)
    return `transfer_bill_no ${status.transferBillNo} does not match the transfer's ${record.transfer_bill_no}`;
  return undefined;
}
