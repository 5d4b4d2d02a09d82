import { asDatabaseError, type Connection, type Session } from "./connection";
import { DatabaseError } from "./errors";
import { RowCache } from "./row-cache";
import { checkCollectionName, ensureSchema, loadIndexDefinitions } from "./schema";
import { CollectionStore } from "./store";
import { isWriteConflict, logWrite } from "./write-log";
import type { FaultPlan } from "../faults/plan";

/**
 * Where an operation runs: standalone (its own snapshot read or its own IMMEDIATE write transaction) or
 * inside an open `startTransaction()` (reads and writes on the transaction's connection, each write in a
 * savepoint so a failed operation changes nothing and leaves the transaction usable).
 */
export interface Executor {
  readonly inTransaction: boolean;
  /**
   * The collection's store; for writes its table and indexes are ensured first. Reads never create
   * anything (a missing table reads as empty), so they never wait for the write lock.
   */
  store(name: string, purpose: "read" | "write"): Promise<CollectionStore>;
  read<T>(work: (session: Session) => T): Promise<T>;
  /**
   * `singleStatement`: the work changes at most one row with one statement (plus path tracking, whose
   * leftovers are harmless, see store.ts). SQLite undoes a failed statement by itself, so inside a
   * transaction such work needs no SAVEPOINT of its own.
   */
  write<T>(work: (session: Session) => T, singleStatement?: boolean): Promise<T>;
  /** Inside a transaction: the rows it has read or written (row-cache.ts); absent outside. */
  readonly rows?: RowCache;
  /**
   * The overlap fault mode's hooks (write-log.ts), called by a write's work on its session; absent
   * otherwise, so the normal path pays a property read. `mayWrite`, before a transaction writes a
   * document, throws WriteConflict when another writer committed it after the transaction started,
   * whatever this write would do (it was decided on the older version the transaction was shown).
   * `wrote`, after a write changed a document, logs it for the transactions still open.
   */
  readonly mayWrite?: (session: Session, collection: string, id: string) => void;
  readonly wrote?: (session: Session, collection: string, id: string) => void;
  /**
   * Inside a transaction in the overlap mode: the session to read this document from when another writer
   * changed it after the transaction started (the version the cloud's snapshot would show); else undefined.
   */
  readonly snapshotFor?: (session: Session, collection: string, id: string) => Session | undefined;
}

/** Per-database collection registry: index definitions are read and the schema ensured once per process. */
export class Registry {
  private readonly ready = new Map<string, Promise<CollectionStore>>();
  private readonly confirmed = new Map<string, CollectionStore>();
  private readonly described = new Map<string, CollectionStore>();

  constructor(
    readonly connection: Connection,
    private readonly definitionsDir: string | string[] | undefined,
    /** The fault mode this database runs in (the process's, from the environment, unless a test gives one). */
    readonly faults: FaultPlan,
  ) {}

  /** Schema set up through its own committed write; used outside transactions. */
  prepared(name: string): Promise<CollectionStore> {
    let ready = this.ready.get(name);
    if (!ready) {
      ready = (async () => {
        const store = this.describe(name);
        await this.connection.write((session) => ensureSchema(session, name, store.indexes));
        this.confirmed.set(name, store);
        return store;
      })();
      this.ready.set(name, ready);
      ready.catch(() => this.ready.delete(name));
    }
    return ready;
  }

  /**
   * Inside a transaction the schema is ensured on the transaction's connection (rolled back with it);
   * once that transaction commits, the collection counts as set up (DDL is the costliest statement here).
   */
  inSession(transaction: OpenTransaction, name: string): CollectionStore {
    const known = this.confirmed.get(name);
    if (known) return known;
    const store = this.describe(name);
    ensureSchema(transaction.session, name, store.indexes);
    transaction.afterCommit(() => {
      this.confirmed.set(name, store);
      if (!this.ready.has(name)) this.ready.set(name, Promise.resolve(store));
    });
    return store;
  }

  describe(name: string): CollectionStore {
    let store = this.described.get(name);
    if (!store) {
      checkCollectionName(name);
      store = new CollectionStore(name, loadIndexDefinitions(this.definitionsDir, name));
      this.described.set(name, store);
    }
    return store;
  }
}

export function standaloneExecutor(registry: Registry): Executor {
  return {
    inTransaction: false,
    store: async (name, purpose) => (purpose === "read" ? registry.describe(name) : registry.prepared(name)),
    read: (work) => registry.connection.read(work),
    write: (work) => registry.connection.write(work),
    // A single write is never refused: MongoDB retries it itself, or it waits for a transaction holding the
    // document. It is logged, because a transaction that started before it commits must not keep a write
    // of the same document (MongoDB: "a write outside the transaction modifies a document that an
    // operation in the transaction later tries to modify: the transaction aborts").
    ...(registry.faults.overlapConflicts ? { wrote: logWrite } : {}),
  };
}

export interface OpenTransaction {
  session: Session;
  /** Throws when the transaction is finished (committed, rolled back or timed out). */
  check(): void;
  /** Runs `effect` once the transaction has committed (never after a rollback). */
  afterCommit(effect: () => void): void;
  /** The overlap rule (write-log.ts): throws WriteConflict when another writer got to this document first. */
  mayWrite?(session: Session, collection: string, id: string): void;
  snapshotFor?(session: Session, collection: string, id: string): Session | undefined;
  /** Waits as a round trip to the cloud's database would, letting the process serve others meanwhile. */
  roundTrip?(): Promise<void>;
  /** After a WriteConflict: rolls everything back, as MongoDB aborts the whole transaction. */
  abortOnConflict(): void;
}

export function transactionExecutor(registry: Registry, transaction: OpenTransaction): Executor {
  /** Collections already set up within this transaction. */
  const ensured = new Map<string, CollectionStore>();
  /** Reads and single-statement writes change nothing that could need undoing: no SAVEPOINT. */
  const run = async <T>(work: (session: Session) => T, needsSavepoint: boolean): Promise<T> => {
    if (transaction.roundTrip) await transaction.roundTrip();
    transaction.check();
    const { session } = transaction;
    try {
      // Nested inside the open transaction, `atomically` runs the work in a SAVEPOINT.
      return needsSavepoint ? session.atomically(() => work(session)) : work(session);
    } catch (error) {
      // Raised inside the work, so its savepoint (if any) has been unwound first.
      if (isWriteConflict(error)) transaction.abortOnConflict();
      throw asDatabaseError(error);
    }
  };
  return {
    inTransaction: true,
    store: async (name, purpose) => {
      transaction.check();
      if (purpose === "read") return registry.describe(name);
      let store = ensured.get(name);
      if (!store) {
        store = registry.inSession(transaction, name);
        ensured.set(name, store);
      }
      return store;
    },
    read: (work) => run(work, false),
    write: (work, singleStatement) => run(work, singleStatement !== true),
    rows: new RowCache(),
    ...(transaction.mayWrite ? { mayWrite: transaction.mayWrite, wrote: logWrite, snapshotFor: transaction.snapshotFor } : {}),
  };
}

export function transactionFinished(): DatabaseError {
  return new DatabaseError("TRANSACTION_ERROR", "the transaction has already been committed, rolled back or timed out");
}
