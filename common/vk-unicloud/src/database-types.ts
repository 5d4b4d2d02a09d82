/**
 * The slice of uniCloud's classic database API (unicloud.md §3.2–3.6) that baseDao calls. These are
 * structural types on purpose: the deployed bundles get the real `uniCloud.database()`, tests get the
 * emulator's, and neither is imported here. Methods that some vendors or the emulator lack are optional
 * and checked at run time, so a missing feature is a clear error instead of "x is not a function".
 */

/** A stored document as baseDao hands it back. */
export type DbRecord = Record<string, unknown>;

export type SortDirection = "asc" | "desc";

export interface DbGetResult {
  /** An array, except `doc().get()` inside a transaction (an object) and an old Alipay bug (`null`). */
  data?: unknown;
}

export interface DbQuery {
  where(condition: unknown): DbQuery;
  orderBy(field: string, direction: SortDirection): DbQuery;
  skip(count: number): DbQuery;
  limit(count: number): DbQuery;
  field(projection: Record<string, unknown>): DbQuery;
  get(): Promise<DbGetResult>;
  count(): Promise<{ total?: number }>;
  update(data: Record<string, unknown>): Promise<{ updated?: number }>;
  remove(): Promise<{ deleted?: number }>;
  updateAndReturn?(data: Record<string, unknown>): Promise<{ updated?: number; doc?: unknown }>;
}

export interface DbDocumentRef {
  get(): Promise<DbGetResult>;
  update(data: Record<string, unknown>): Promise<{ updated?: number }>;
  set(data: Record<string, unknown>): Promise<{ updated?: number; upsertedId?: string | null }>;
  remove(): Promise<{ deleted?: number }>;
  updateAndReturn?(data: Record<string, unknown>): Promise<{ updated?: number; doc?: unknown }>;
  field?(projection: Record<string, unknown>): { get(): Promise<DbGetResult> };
}

export interface DbAggregate {
  match(condition: unknown): DbAggregate;
  group(spec: Record<string, unknown>): DbAggregate;
  end(): Promise<{ data?: unknown; list?: unknown }>;
}

export interface DbCollection extends DbQuery {
  add(data: Record<string, unknown> | Record<string, unknown>[]): Promise<{ id?: string; ids?: string[] }>;
  doc(id: string): DbDocumentRef;
  aggregate?(): DbAggregate;
}

/** Aggregation operators (`db.command.aggregate`, usually aliased `$`). */
export type AggregateOperators = Partial<Record<"sum" | "avg" | "max" | "min", (expression: string) => unknown>>;

export interface DbTransaction {
  collection(name: string): DbCollection;
  commit(): Promise<unknown>;
  rollback(value?: unknown): Promise<unknown>;
}

export interface Database {
  collection(name: string): DbCollection;
  command?: { aggregate?: AggregateOperators };
  startTransaction?(): Promise<DbTransaction>;
}

/** What callers may pass as `db`: a database or a transaction; only `collection` is required to type-check. */
export interface DbHandleLike {
  collection(name: string): unknown;
}

export type DbHandle = Database | DbTransaction;

export function isTransaction(handle: DbHandle): handle is DbTransaction {
  const candidate = handle as Partial<DbTransaction>;
  return typeof candidate.commit === "function" && typeof candidate.rollback === "function";
}
