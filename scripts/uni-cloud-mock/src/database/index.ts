import { Collection } from "./collection";
import { createCommand, type Command } from "./commands";
import { Connection } from "./connection";
import { Registry, standaloneExecutor } from "./executor";
import { runTransaction, Transaction } from "./transaction";
import { faults, type FaultPlan } from "../faults/plan";

/**
 * The emulator's `uniCloud.database()`: uniCloud's classic database API over an embedded SQLite file
 * (better-sqlite3, WAL). One table per collection, documents as JSON; see the sibling modules for the
 * query compiler (SQL prefilter + exact JS matcher), update compiler and connection handling.
 *
 * Choices where uniCloud leaves room, so code behaves the same here and in the cloud (or fails here first):
 * - Dates are stored as `{ "$date": <epoch ms> }` and come back as `Date` objects (codec.ts).
 * - `get()` returns 100 records unless `limit()`, at most 1000; `aggregate().end()` 20 unless a `limit` stage.
 * - `update()`/`remove()` on a collection need `where()` or `doc()`; `undefined` in a query is an error
 *   (dropping it silently would widen the write), and `{ $gt: 1 }` objects are data, never operators.
 * - A unique index treats a missing field as null, as MongoDB does, unless the index is sparse.
 * - Transactions hold this process's write lock and SQLite's write lock until commit/rollback (10 s max);
 *   reads outside a transaction never wait for it, other writes wait at most 5 s (then DATABASE_BUSY).
 *   Collections are created by their first write.
 * - The fault mode (faults/plan.ts) fails commits with MongoDB's WriteConflict as the cloud can: a share at
 *   random, and (`overlap`) a transaction that writes a document another writer committed after it was
 *   asked for (transaction.ts, write-log.ts); `runTransaction` then runs its callback again, `times` in all.
 */

export { DatabaseError, type DatabaseErrorCode } from "./errors";
export { Collection, DocumentReference, Query, DEFAULT_LIMIT, MAX_LIMIT, type DocumentData, type Mode } from "./collection";
export { QueryCommand, UpdateCommand, type Command } from "./commands";
export { Transaction, TRANSACTION_TIMEOUT_MS } from "./transaction";
export { Aggregate, AGGREGATE_DEFAULT_LIMIT } from "./aggregate";
export { AggregateOperator } from "./aggregate-expressions";

export interface DatabaseOptions {
  /** Path of the SQLite file, or ":memory:" for a private throwaway database. */
  file: string;
  /** Folders holding `<collection>.index.json` files (uniCloud's `uniCloud/database/`); the first with a file wins. */
  definitionsDir?: string | string[];
  /** The fault mode (faults/plan.ts); the process's, read from the environment, unless given. */
  faults?: FaultPlan;
}

export interface CloudDatabase {
  collection(name: string): Collection;
  readonly command: Command;
  startTransaction(): Promise<Transaction>;
  runTransaction<T>(callback: (transaction: Transaction) => Promise<T> | T, times?: number): Promise<T>;
  /** `db.RegExp({ regex, options })` (Tencent style); a JS RegExp literal works everywhere. */
  RegExp(options: { regex: string; options?: string }): RegExp;
  /** The server's current time; the emulator's server is this process. */
  serverDate(options?: { offset?: number }): Date;
  close(): Promise<void>;
}

export function createDatabase(options: DatabaseOptions): CloudDatabase {
  const connection = new Connection(options.file);
  const registry = new Registry(connection, options.definitionsDir, options.faults ?? faults());
  const executor = standaloneExecutor(registry);
  return {
    collection: (name) => new Collection(executor, name),
    command: createCommand(),
    startTransaction: () => Transaction.start(registry, connection),
    runTransaction: (callback, times) => runTransaction(registry, connection, callback, times),
    RegExp: ({ regex, options: flags }) => new RegExp(regex, (flags ?? "").replace(/[^imsu]/g, "")),
    serverDate: (options) => new Date(Date.now() + (options?.offset ?? 0)),
    close: () => connection.close(),
  };
}
