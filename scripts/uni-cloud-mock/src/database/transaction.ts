import { Collection } from "./collection";
import type { Connection, Session } from "./connection";
import { DatabaseError } from "./errors";
import { faults } from "../faults/plan";

/** MongoDB's text for error 112, which uniCloud passes on. */
const WRITE_CONFLICT_MESSAGE =
  "WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.";
import { transactionExecutor, transactionFinished, type Executor, type Registry } from "./executor";

/** uniCloud aborts a transaction not finished within 10 s of its start. */
export const TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * `db.startTransaction()`: one `BEGIN IMMEDIATE` on the writer connection, held across awaits under the
 * in-process lock, so no other write (from this process or another) can interleave. Reads outside the
 * transaction keep working on the reader connection and see the last committed state.
 */
export class Transaction {
  private state: "open" | "committed" | "rolledBack" | "timedOut" | "aborted" = "open";
  private readonly executor: Executor;
  private readonly timer: NodeJS.Timeout;
  rollbackValue?: unknown;
  private readonly commitEffects: Array<() => void> = [];

  private readonly abortHook = () => this.endQuietly("aborted");

  private constructor(
    registry: Registry,
    session: Session,
    private readonly connection: Connection,
    private readonly finish: (commit: boolean) => void,
  ) {
    this.executor = transactionExecutor(registry, { session, check: () => this.check(), afterCommit: (effect) => this.commitEffects.push(effect) });
    this.timer = setTimeout(() => this.endQuietly("timedOut"), TRANSACTION_TIMEOUT_MS);
    // An abandoned transaction must not keep the process alive, only release its lock.
    this.timer.unref();
    connection.abortOnClose.add(this.abortHook);
  }

  static async start(registry: Registry, connection: Connection): Promise<Transaction> {
    const { session, finish } = await connection.begin();
    return new Transaction(registry, session, connection, finish);
  }

  collection(name: string): Collection<"transaction"> {
    return new Collection<"transaction">(this.executor, name);
  }

  private check(): void {
    if (this.state === "timedOut") {
      throw new DatabaseError("TRANSACTION_ERROR", `the transaction was rolled back after ${TRANSACTION_TIMEOUT_MS} ms`);
    }
    if (this.state === "aborted") throw new DatabaseError("TRANSACTION_ERROR", "the transaction was rolled back because the database closed");
    if (this.state !== "open") throw transactionFinished();
  }

  private end(state: "committed" | "rolledBack" | "timedOut" | "aborted", commit: boolean): void {
    if (this.state !== "open") return;
    this.state = state;
    clearTimeout(this.timer);
    this.connection.abortOnClose.delete(this.abortHook);
    this.finish(commit);
    if (commit) for (const effect of this.commitEffects) effect();
  }

  /** Timer and close paths have no caller to report to; a failed ROLLBACK must not crash the process. */
  private endQuietly(state: "timedOut" | "aborted"): void {
    try {
      this.end(state, false);
    } catch {
      // The connection's lock is released by finish() regardless.
    }
  }

  async commit(): Promise<void> {
    this.check();
    if (faults().writeConflict()) {
      // Fault mode: MongoDB aborted the transaction; nothing of it is kept, as in the cloud.
      this.end("rolledBack", false);
      throw new DatabaseError("WRITE_CONFLICT", WRITE_CONFLICT_MESSAGE);
    }
    try {
      this.end("committed", true);
    } catch (error) {
      throw new DatabaseError("TRANSACTION_ERROR", `commit failed: ${(error as Error).message}`);
    }
  }

  async rollback(value?: unknown): Promise<void> {
    this.check();
    this.rollbackValue = value;
    this.end("rolledBack", false);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  get status(): "open" | "committed" | "rolledBack" | "timedOut" | "aborted" {
    return this.state;
  }
}

/**
 * `db.runTransaction(callback)`: commits when the callback resolves, rolls back when it throws, and
 * rejects with the value given to `transaction.rollback(value)`. Writers are serialised, so there are
 * no write conflicts to retry; `times` is accepted for API compatibility.
 */
export async function runTransaction<T>(registry: Registry, connection: Connection, callback: (transaction: Transaction) => Promise<T> | T): Promise<T> {
  const transaction = await Transaction.start(registry, connection);
  let result: T;
  try {
    result = await callback(transaction);
  } catch (error) {
    if (transaction.isOpen) await transaction.rollback();
    throw error;
  }
  if (transaction.status === "rolledBack") throw transaction.rollbackValue;
  // Committing also reports a transaction that timed out while the callback ran.
  if (transaction.status !== "committed") await transaction.commit();
  return result;
}
