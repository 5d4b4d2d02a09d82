import { Collection } from "./collection";
import type { Connection, Session } from "./connection";
import { DatabaseError } from "./errors";
import { transactionExecutor, transactionFinished, type Executor, type Registry } from "./executor";
import { isWriteConflict, readWriteClock, writeConflict, writtenBetween } from "./write-log";

/** uniCloud aborts a transaction not finished within 10 s of its start. */
export const TRANSACTION_TIMEOUT_MS = 10_000;

type State = "open" | "committed" | "rolledBack" | "timedOut" | "aborted" | "conflicted";

/**
 * In the overlap mode each operation of a transaction first waits this long, as a round trip to the cloud's
 * MongoDB does; without it a transaction here runs start to commit in one turn of the event loop, and
 * requests of the same instance could never overlap it as they do in the cloud.
 */
const ROUND_TRIP_MS = 2;
const roundTrip = () => new Promise<void>((resolve) => setTimeout(resolve, ROUND_TRIP_MS));

/** What a transaction in the overlap mode knows of its start (write-log.ts positions). */
interface Overlap {
  /** The newest commit when the transaction was asked for. */
  startedAfter: number;
  /** The newest commit once it held the writer: entries above are its own. */
  heldFrom: number;
  /** The database as it was when the transaction was asked for. */
  snapshot: Session;
  releaseSnapshot: () => void;
}

/**
 * `db.startTransaction()`: one `BEGIN IMMEDIATE` on the writer connection, held across awaits under the
 * in-process lock, so no other write (from this process or another) can interleave. Reads outside the
 * transaction keep working on the reader connection and see the last committed state.
 *
 * In the overlap fault mode the transaction behaves as MongoDB's snapshot isolation does: it started when
 * it was asked for (in the cloud it would not have waited for the other one), so a document that another
 * writer committed between then and the moment this one got the writer reads as it was at the start (from
 * a snapshot connection pinned then), and writing it is a WriteConflict that rolls everything back.
 * Only `doc(id).get()` reads the snapshot: `where().updateAndReturn()` matches the current version, and
 * its write of a document changed since the start conflicts like any other.
 */
export class Transaction {
  private state: State = "open";
  private readonly executor: Executor;
  private readonly timer: NodeJS.Timeout;
  rollbackValue?: unknown;
  private readonly commitEffects: Array<() => void> = [];

  private readonly abortHook = () => this.endQuietly("aborted");

  private constructor(
    private readonly registry: Registry,
    session: Session,
    private readonly connection: Connection,
    private readonly finish: (commit: boolean) => void,
    private readonly overlap?: Overlap,
  ) {
    this.executor = transactionExecutor(registry, {
      session,
      check: () => this.check(),
      afterCommit: (effect) => this.commitEffects.push(effect),
      ...(overlap
        ? {
            mayWrite: (writer: Session, collection: string, id: string) => this.mayWrite(writer, collection, id),
            snapshotFor: (writer: Session, collection: string, id: string) => this.snapshotFor(writer, collection, id),
            roundTrip,
          }
        : {}),
      abortOnConflict: () => this.endQuietly("conflicted"),
    });
    this.timer = setTimeout(() => this.endQuietly("timedOut"), TRANSACTION_TIMEOUT_MS);
    // An abandoned transaction must not keep the process alive, only release its lock.
    this.timer.unref();
    connection.abortOnClose.add(this.abortHook);
  }

  static async start(registry: Registry, connection: Connection): Promise<Transaction> {
    if (!registry.faults.overlapConflicts) {
      const { session, finish } = await connection.begin();
      return new Transaction(registry, session, connection, finish);
    }
    // Pinned before waiting for the writer: the wait is the emulator's, the cloud would have started now.
    const start = await connection.snapshot(readWriteClock);
    try {
      const { session, finish } = await connection.begin();
      let heldFrom: number;
      try {
        heldFrom = readWriteClock(session);
      } catch (error) {
        finish(false);
        throw error;
      }
      const overlap = { startedAfter: start.pinned, heldFrom, snapshot: start.session, releaseSnapshot: start.release };
      return new Transaction(registry, session, connection, finish, overlap);
    } catch (error) {
      start.release();
      throw error;
    }
  }

  /** The snapshot, for a document another writer changed since this transaction started; otherwise the writer's view is the same. */
  private snapshotFor(session: Session, collection: string, id: string): Session | undefined {
    const { startedAfter, heldFrom, snapshot } = this.overlap!;
    return writtenBetween(session, collection, id, startedAfter, heldFrom) ? snapshot : undefined;
  }

  /** First writer wins: a document another writer committed since this transaction started is theirs. */
  private mayWrite(session: Session, collection: string, id: string): void {
    const { startedAfter, heldFrom } = this.overlap!;
    if (!writtenBetween(session, collection, id, startedAfter, heldFrom)) return;
    this.registry.faults.overlapConflict();
    throw writeConflict();
  }

  collection(name: string): Collection<"transaction"> {
    return new Collection<"transaction">(this.executor, name);
  }

  private check(): void {
    if (this.state === "timedOut") {
      throw new DatabaseError("TRANSACTION_ERROR", `the transaction was rolled back after ${TRANSACTION_TIMEOUT_MS} ms`);
    }
    if (this.state === "aborted") throw new DatabaseError("TRANSACTION_ERROR", "the transaction was rolled back because the database closed");
    if (this.state === "conflicted") throw new DatabaseError("TRANSACTION_ERROR", "the transaction was rolled back after a WriteConflict");
    if (this.state !== "open") throw transactionFinished();
  }

  private end(state: Exclude<State, "open">, commit: boolean): void {
    if (this.state !== "open") return;
    this.state = state;
    clearTimeout(this.timer);
    this.connection.abortOnClose.delete(this.abortHook);
    this.overlap?.releaseSnapshot();
    this.finish(commit);
    if (commit) for (const effect of this.commitEffects) effect();
  }

  /** Timer and close paths have no caller to report to; a failed ROLLBACK must not crash the process. */
  private endQuietly(state: "timedOut" | "aborted" | "conflicted"): void {
    try {
      this.end(state, false);
    } catch {
      // The connection's lock is released by finish() regardless.
    }
  }

  async commit(): Promise<void> {
    if (this.overlap) await roundTrip();
    this.check();
    if (this.registry.faults.writeConflict()) {
      // Fault mode: MongoDB aborted the transaction; nothing of it is kept, as in the cloud.
      this.end("rolledBack", false);
      throw writeConflict();
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

  get status(): State {
    return this.state;
  }
}

/**
 * `db.runTransaction(callback, times)`: commits when the callback resolves, rolls back when it throws, and
 * rejects with the value given to `transaction.rollback(value)`. As in the cloud, a WriteConflict (only
 * the fault mode raises one here) runs the callback again in a fresh transaction, `times` runs in all.
 */
export async function runTransaction<T>(
  registry: Registry,
  connection: Connection,
  callback: (transaction: Transaction) => Promise<T> | T,
  times = 3,
): Promise<T> {
  for (let run = 1; ; run += 1) {
    const transaction = await Transaction.start(registry, connection);
    try {
      return await runOnce(transaction, callback);
    } catch (error) {
      const conflicted = transaction.status === "conflicted" || isWriteConflict(error);
      if (!conflicted || run >= times) throw error;
    }
  }
}

async function runOnce<T>(transaction: Transaction, callback: (transaction: Transaction) => Promise<T> | T): Promise<T> {
  let result: T;
  try {
    result = await callback(transaction);
  } catch (error) {
    if (transaction.isOpen) await transaction.rollback();
    throw error;
  }
  if (transaction.status === "rolledBack") throw transaction.rollbackValue;
  // Committing also reports a transaction that timed out (or conflicted) while the callback ran.
  if (transaction.status !== "committed") await transaction.commit();
  return result;
}
