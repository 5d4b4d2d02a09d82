import type { Session } from "./connection";
import { DatabaseError } from "./errors";

/**
 * The overlap rule of the fault mode (`UNICLOUD_WRITE_CONFLICTS=overlap`): which document each committed
 * write touched, in commit order, so a transaction can tell that a document it is about to keep was
 * written by someone else after it started. It lives in the database file, written in the same SQLite
 * transaction as the write it describes (a rollback takes the entry with it), so every process on one
 * file sees the same log. `seq` is AUTOINCREMENT: a number is never handed out twice, even after pruning.
 *
 * Nothing here runs unless the mode is on: the normal path neither reads nor writes this table.
 */

export const WRITE_LOG_TABLE = "__vk_write_log";

/** MongoDB's text for error 112, which uniCloud passes on. */
export const WRITE_CONFLICT_MESSAGE =
  "WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.";

export function writeConflict(): DatabaseError {
  return new DatabaseError("WRITE_CONFLICT", WRITE_CONFLICT_MESSAGE);
}

export function isWriteConflict(error: unknown): boolean {
  return error instanceof DatabaseError && error.errCode === "WRITE_CONFLICT";
}

/**
 * Entries older than this cannot matter: a transaction waits at most 5 s for the lock, 5 s more for
 * SQLITE_BUSY, and is rolled back 10 s after it got the writer.
 */
const KEEP_MS = 60_000;
/** Pruning is one DELETE; every so many logged writes of a process is often enough to keep the table small. */
const PRUNE_EVERY = 256;
let writesSincePrune = 0;

function tableExists(session: Session): boolean {
  if (session.knownTables.has(WRITE_LOG_TABLE)) return true;
  const found = session.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(WRITE_LOG_TABLE) !== undefined;
  if (found) session.knownTables.add(WRITE_LOG_TABLE);
  return found;
}

/** The newest committed entry this session can see; 0 while nothing was ever logged. */
export function readWriteClock(session: Session): number {
  if (!tableExists(session)) return 0;
  return (session.statement(`SELECT max(seq) FROM ${WRITE_LOG_TABLE}`).pluck().get() as number | null) ?? 0;
}

/** Logs that the current write (standalone or in a transaction, on the writer) touched this document. */
export function logWrite(session: Session, collection: string, id: string): void {
  if (!tableExists(session)) {
    // Created by whichever write comes first; inside a transaction a rollback undoes it (forgetUncommitted).
    session.db.exec(
      `CREATE TABLE IF NOT EXISTS ${WRITE_LOG_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, doc_id TEXT NOT NULL, at INTEGER NOT NULL);` +
        `CREATE INDEX IF NOT EXISTS ${WRITE_LOG_TABLE}__doc ON ${WRITE_LOG_TABLE} (collection, doc_id, seq);` +
        `CREATE INDEX IF NOT EXISTS ${WRITE_LOG_TABLE}__at ON ${WRITE_LOG_TABLE} (at);`,
    );
    session.knownTables.add(WRITE_LOG_TABLE);
  }
  const now = Date.now();
  session.statement(`INSERT INTO ${WRITE_LOG_TABLE} (collection, doc_id, at) VALUES (?, ?, ?)`).run(collection, id, now);
  writesSincePrune += 1;
  if (writesSincePrune >= PRUNE_EVERY) {
    writesSincePrune = 0;
    session.statement(`DELETE FROM ${WRITE_LOG_TABLE} WHERE at < ?`).run(now - KEEP_MS);
  }
}

/** Whether a write committed in (after, upTo] touched this document: entries above `upTo` are the asker's own. */
export function writtenBetween(session: Session, collection: string, id: string, after: number, upTo: number): boolean {
  if (upTo <= after || !tableExists(session)) return false;
  const sql = `SELECT 1 FROM ${WRITE_LOG_TABLE} WHERE collection = ? AND doc_id = ? AND seq > ? AND seq <= ? LIMIT 1`;
  return session.statement(sql).pluck().get(collection, id, after, upTo) !== undefined;
}
