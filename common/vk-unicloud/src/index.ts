import { createBaseDao } from "./create-base-dao";

export { createBaseDao, type BaseDao } from "./create-base-dao";
export type { BaseDaoOptions } from "./dao-context";
export type { Database, DbAggregate, DbCollection, DbDocumentRef, DbHandleLike, DbQuery, DbRecord, DbTransaction, SortDirection } from "./database-types";
export { BaseDaoError, type BaseDaoErrorCode } from "./errors";
export { formatBeijingTime } from "./beijing-time";
export { MAX_ROWS_PER_REQUEST } from "./query-builder";
export { MAX_SCAN_ROWS } from "./field-stats";
export type { SortRule } from "./sort-rules";
export type * from "./params";

/** The baseDao VK code knows, on the global `uniCloud.database()` (looked up at each call, not at import). */
export const baseDao = createBaseDao();
