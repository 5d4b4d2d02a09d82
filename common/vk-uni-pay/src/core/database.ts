/**
 * The slice of uniCloud's classic database API the core relies on, typed once. The same calls work on
 * Aliyun, Tencent, Alipay cloud and the local emulator; inside a transaction only `doc()` operations
 * and single `add`s are used, as uniCloud requires.
 */
export type Doc = Record<string, unknown> & { _id: string };

export interface DocumentRef {
  get(): Promise<{ data: Doc[] | Doc | null }>;
  update(data: Record<string, unknown>): Promise<{ updated: number }>;
  set(data: Record<string, unknown>): Promise<{ updated: number }>;
  remove(): Promise<{ deleted: number }>;
}

export interface Query {
  where(query: Record<string, unknown>): Query;
  orderBy(field: string, direction: "asc" | "desc"): Query;
  skip(count: number): Query;
  limit(count: number): Query;
  get(): Promise<{ data: Doc[] }>;
  count(): Promise<{ total: number }>;
  update(data: Record<string, unknown>): Promise<{ updated: number }>;
  remove(): Promise<{ deleted: number }>;
}

export interface CollectionRef extends Query {
  doc(id: string): DocumentRef;
  add(data: Record<string, unknown>): Promise<{ id: string }>;
}

export interface Command {
  in(values: unknown[]): unknown;
  inc(value: number): unknown;
  push(value: unknown): unknown;
  gte(value: unknown): unknown;
  lte(value: unknown): unknown;
  lt(value: unknown): unknown;
  and(...conditions: unknown[]): unknown;
  exists(value: boolean): unknown;
  /** Replaces a field with this object whole: a plain object in update() merges key by key, and cannot write into a null. */
  set(value: unknown): unknown;
}

export interface TransactionRef {
  collection(name: string): { doc(id: string): DocumentRef; add(data: Record<string, unknown>): Promise<{ id: string }> };
  commit(): Promise<void>;
  rollback(value?: unknown): Promise<void>;
}

/** What a record-only write needs: a standalone database or an open transaction both qualify. */
export interface DocumentWriter {
  collection(name: string): { add(data: Record<string, unknown>): Promise<{ id: string }> };
}

export interface Database {
  collection(name: string): CollectionRef;
  readonly command: Command;
  startTransaction(): Promise<TransactionRef>;
}

/** `uniCloud` is injected as a global by the runtime (the cloud, or the local emulator). */
export function cloudDatabase(): Database {
  const runtime = (globalThis as { uniCloud?: { database(): Database } }).uniCloud;
  if (!runtime) throw new Error("uniCloud runtime is not available");
  return runtime.database();
}

/** `doc().get()` answers an array outside a transaction and an object inside one. */
export function single<T = Doc>(result: { data: Doc[] | Doc | null }): T | undefined {
  const { data } = result;
  const doc = Array.isArray(data) ? data[0] : data;
  return (doc ?? undefined) as T | undefined;
}

/** uniCloud reports a unique-key violation in several spellings across vendors and the emulator. */
export function isDuplicateKey(error: unknown): boolean {
  const { errCode, code, message } = (error ?? {}) as { errCode?: unknown; code?: unknown; message?: unknown };
  return errCode === "DUPLICATE_KEY" || code === 11000 || /dup(licate)? key/i.test(String(message ?? ""));
}

/**
 * uniCloud's MongoDB aborts one of two transactions that write one document, with error 112
 * (`WriteConflict`); the emulator's fault mode does the same (`WRITE_CONFLICT`). Operations after it in
 * the aborted transaction fail with a message that names it too.
 */
export function isWriteConflict(error: unknown): boolean {
  const { errCode, code, message } = (error ?? {}) as { errCode?: unknown; code?: unknown; message?: unknown };
  return errCode === "WRITE_CONFLICT" || code === 112 || /WriteConflict/.test(String(message ?? ""));
}

/** Runs of one transaction that keeps meeting WriteConflict, as uniCloud's own `runTransaction` (times = 3). */
export const TRANSACTION_RUNS = 3;

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when it throws. Work that
 * decides to change nothing simply returns; committing an empty transaction is harmless.
 *
 * A WriteConflict runs the work again in a fresh transaction (Aliyun has no `runTransaction` to do it):
 * nothing of the aborted run was kept, and the new run reads what the winner committed, so it decides
 * again (typically: already done). Work here only touches the database, and a hook inside it is
 * at-least-once by contract (its idempotency key), so running it again doubles nothing. After the last
 * run the conflict goes to the caller, whose failure path (a FAIL ack, the timer) takes it from there.
 */
export async function inTransaction<T>(db: Database, work: (transaction: TransactionRef) => Promise<T>): Promise<T> {
  for (let run = 1; ; run += 1) {
    try {
      return await inOneTransaction(db, work);
    } catch (error) {
      if (!isWriteConflict(error) || run >= TRANSACTION_RUNS) throw error;
    }
  }
}

async function inOneTransaction<T>(db: Database, work: (transaction: TransactionRef) => Promise<T>): Promise<T> {
  const transaction = await db.startTransaction();
  let result: T;
  try {
    result = await work(transaction);
  } catch (error) {
    await transaction.rollback().catch(() => undefined);
    throw error;
  }
  await transaction.commit();
  return result;
}
