import * as buffer from "node:buffer";
import { randomBytes } from "node:crypto";
import { COLLECTIONS } from "../core/repository";
import type { DocumentWriter } from "../core/database";
import type { RawNotification } from "../kernel/contract";
import { SignatureError, VkPayError } from "../core/errors";

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
  /** A refused verification: the errCode of the check that failed. */
  check?: string;
  /** The key id or certificate serial the refused message named (never key material; not named `key_id`, which the admin views mask). */
  serial?: string;
  /** Arrival minus the message's own signing time, in seconds: a large value is a clock or a replay. */
  clock_offset_seconds?: number;
  /**
   * SHA-256 (hex) of the text the refused check ran over (keyed digests without their key). Not named
   * `signed_…`: the admin views mask every field whose name holds "sign".
   */
  checked_text_sha256?: string;
  /** The signature algorithm the message named (`sign_type`, a JWS `alg`), for the same reason not `sign_type`. */
  algorithm?: string;
}

type Diagnosis = Pick<NotifyLogEntry, "check" | "serial" | "clock_offset_seconds" | "checked_text_sha256" | "algorithm">;

/**
 * The refusal's diagnosis for the log, so a developer can fix a key, serial or clock from the console:
 * which check failed and, where the protocol code attached them, the key named, the clock offset, the hash
 * of the text the check ran over and the algorithm the message named.
 */
export function refusalDiagnosis(error: unknown, now: number): Diagnosis {
  if (!(error instanceof VkPayError)) return {};
  const evidence = error instanceof SignatureError ? error.evidence : undefined;
  // Every value the message supplied is cut short: a hostile sender may put anything in a header.
  return {
    check: error.errCode,
    ...(evidence?.keyId ? { serial: evidence.keyId.slice(0, 128) } : {}),
    ...(typeof evidence?.signedAt === "number" && Number.isFinite(evidence.signedAt)
      ? { clock_offset_seconds: Math.round((now - evidence.signedAt) / 1000) }
      : {}),
    ...(evidence?.checkedTextSha256 ? { checked_text_sha256: evidence.checkedTextSha256 } : {}),
    ...(evidence?.algorithm ? { algorithm: evidence.algorithm.slice(0, 32) } : {}),
  };
}

/** `buffer.isUtf8` where the runtime has it (Node 18.14+), else decode and re-encode. */
const isUtf8 = (buffer as { isUtf8?: (body: Buffer) => boolean }).isUtf8;

function isUtf8Text(body: Buffer): boolean {
  return isUtf8 ? isUtf8(body) : Buffer.from(body.toString("utf8"), "utf8").equals(body);
}

// Random bytes drawn 256 ids at a time: one call into the CSPRNG per id costs more than the id is worth.
const ID_BYTES = 12;
let idPool: Buffer = Buffer.alloc(0);
let idOffset = 0;

/**
 * An id for a log row chosen before it is written, so the order a payment settles can name the row that
 * holds its raw notification (original_data.notify_log_id) instead of carrying a second copy of the body.
 * ObjectId-shaped (24 hex digits), like the ids the database picks itself.
 */
export function newNotifyLogId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idPool.toString("hex", idOffset - ID_BYTES, idOffset);
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
