import type { DbHandleLike, DbRecord } from "./database-types";
import type { SortRule } from "./sort-rules";

/** Every method may run on another handle, typically a transaction from `startTransaction()`. */
export interface WithDb {
  db?: DbHandleLike;
}

export interface WithTable extends WithDb {
  dbName: string;
}

/** A condition: a plain object of field → value/command, or a `db.command` condition such as `_.or([...])`. */
export type WhereJson = object;

export interface AddParams extends WithTable {
  dataJson: Record<string, unknown>;
  /** Skip both `_add_time` and `_add_time_str`. */
  cancelAddTime?: boolean;
  /** Skip only `_add_time_str`. */
  cancelAddTimeStr?: boolean;
}

export interface AddsParams extends Omit<AddParams, "dataJson"> {
  dataJson: Record<string, unknown>[];
}

export interface FindByIdParams extends WithTable {
  id: string;
  fieldJson?: Record<string, unknown>;
}

export interface FindByWhereJsonParams extends WithTable {
  whereJson: WhereJson;
  fieldJson?: Record<string, unknown>;
  sortArr?: SortRule[];
}

export interface SelectParams extends WithTable {
  whereJson?: WhereJson;
  /** The seed docs' name for `whereJson`. */
  where?: WhereJson;
  pageIndex?: number;
  /** Records per page; ≤ 0 means all matching records (VK's `-1`). */
  pageSize?: number;
  getCount?: boolean;
  getMain?: boolean;
  getOne?: boolean;
  fieldJson?: Record<string, unknown>;
  sortArr?: SortRule[];
  /** The seed docs' SQL-like form of `sortArr`: `"create_date desc"`, `"a asc, b desc"`. */
  orderBy?: string;
}

export interface SelectResult<T = DbRecord> {
  code: 0;
  msg: string;
  rows: T[];
  /** The number of matching records with `getCount`; otherwise `rows.length` (VK's convention). */
  total: number;
  hasMore: boolean;
  pagination: { pageIndex: number; pageSize: number };
}

export interface UpdateParams extends WithTable {
  whereJson: WhereJson;
  dataJson: Record<string, unknown>;
}

export interface UpdateByIdParams extends WithTable {
  id: string;
  dataJson: Record<string, unknown>;
  /** Return the record as re-read after the update (not atomic; see updateAndReturn). */
  getUpdateData?: boolean;
}

export interface UpdateAndReturnParams extends WithTable {
  id?: string;
  whereJson?: WhereJson;
  dataJson: Record<string, unknown>;
}

export interface SetByIdParams extends WithTable {
  /** The whole new document; its `_id` (or `id`) names the record. */
  dataJson: Record<string, unknown>;
  id?: string;
}

export interface SetByIdResult {
  updated: number;
  upsertedId?: string;
  type: "add" | "update";
  /** Present when the record was created. */
  id?: string;
}

export interface DelParams extends WithTable {
  whereJson: WhereJson;
}

export interface DeleteByIdParams extends WithTable {
  id: string;
}

export interface CountParams extends WithTable {
  whereJson?: WhereJson;
}

export interface FieldStatParams extends WithTable {
  fieldName: string;
  whereJson?: WhereJson;
}

export interface RollbackParams {
  db: DbHandleLike;
  err?: unknown;
  msg?: string;
  code?: number | string;
}

export interface RollbackResult {
  code: number | string;
  msg: string;
  /** The failure, reduced to what is safe to send to a client (no stack). */
  err?: { message: string; code?: unknown };
  /** Set when the rollback call itself failed (e.g. the transaction had already ended). */
  rollbackError?: string;
}
