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

/** Every notification, accepted or refused, with the reason: the audit trail and the material for replay. */
export async function logNotification(db: DocumentWriter, raw: RawNotification, entry: NotifyLogEntry, now: number): Promise<void> {
  const text = isUtf8Text(raw.body);
  await db.collection(NOTIFY_LOG).add({
    ...entry,
    path: raw.path,
    method: raw.method,
    headers: raw.headers,
    body: text ? raw.body.toString("utf8") : raw.body.toString("base64"),
    body_base64: !text,
    create_date: now,
  });
}
