import { randomBytes } from "node:crypto";
import { COLLECTIONS } from "../core/repository";
import type { DocumentWriter } from "../core/database";
import type { RawNotification } from "../kernel/contract";

export const NOTIFY_LOG = COLLECTIONS.notifyLog;

export type NotifyOutcome = "applied" | "duplicate" | "ignored" | "refused" | "error";

export interface NotifyLogEntry {
  provider: string;
  pay_type: string;
  outcome: NotifyOutcome;
  reason?: string;
  kind?: "payment" | "refund" | "refundReversed" | "transfer" | "ignored";
  out_trade_no?: string;
  out_bill_no?: string;
  out_refund_no?: string;
  hook?: string;
}

function isUtf8Text(body: Buffer): boolean {
  return Buffer.from(body.toString("utf8"), "utf8").equals(body);
}

/**
 * An id for a log row chosen before it is written, so the order a payment settles can name the row that
 * holds its raw notification (original_data.notify_log_id) instead of carrying a second copy of the body.
 * ObjectId-shaped (24 hex digits), like the ids the database picks itself.
 */
export function newNotifyLogId(): string {
  return randomBytes(12).toString("hex");
}

/**
 * Every notification, accepted or refused, with the reason: the audit trail and the material for replay.
 * The only place the raw headers and body are stored.
 */
export async function logNotification(db: DocumentWriter, raw: RawNotification, entry: NotifyLogEntry, now: number, id?: string): Promise<void> {
  const text = isUtf8Text(raw.body);
  await db.collection(NOTIFY_LOG).add({
    ...(id ? { _id: id } : {}),
    ...entry,
    path: raw.path,
    method: raw.method,
    headers: raw.headers,
    body: text ? raw.body.toString("utf8") : raw.body.toString("base64"),
    body_base64: !text,
    create_date: now,
  });
}
