import type { Database, DbHandle, DbHandleLike } from "./database-types";
import { invalidParam, unsupported } from "./errors";

export interface BaseDaoOptions {
  /** Where the default database comes from; defaults to the global `uniCloud.database()`. */
  database?: () => DbHandleLike;
  /** Clock for `_add_time`; injected so tests can pin it. */
  now?: () => number;
}

/** What every method needs: the database for this call and the clock. */
export interface DaoContext {
  /** The handle to run on: the caller's `db` (e.g. a transaction) or the default database. */
  handle(method: string, db: unknown): DbHandle;
  /** The default database, for things a transaction handle does not carry (`command`, `startTransaction`). */
  database(method: string): Database;
  now(): number;
}

export function createDaoContext(options: BaseDaoOptions = {}): DaoContext {
  const now = options.now ?? Date.now;
  const database = (method: string): Database => {
    const source = options.database ?? globalDatabase(method);
    const handle = source();
    if (!hasCollection(handle)) throw unsupported(method, "the default database has no collection() method");
    return handle as Database;
  };
  return {
    now,
    database,
    handle(method, db) {
      if (db === undefined || db === null) return database(method);
      if (!hasCollection(db)) throw invalidParam(method, "db has no collection() method; pass uniCloud.database() or a transaction");
      return db as DbHandle;
    },
  };
}

/** The global is read per call, not at import: bundles load before the runtime (or a test) installs it. */
function globalDatabase(method: string): () => unknown {
  const uniCloud = (globalThis as { uniCloud?: { database?: () => unknown } }).uniCloud;
  if (!uniCloud || typeof uniCloud.database !== "function") {
    throw unsupported(method, "no database: the global uniCloud.database() is missing and no database option or db was given");
  }
  return () => uniCloud.database!();
}

function hasCollection(handle: unknown): boolean {
  return typeof (handle as Partial<DbHandleLike> | null)?.collection === "function";
}
