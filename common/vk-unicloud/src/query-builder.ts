import type { DbCollection, DbGetResult, DbQuery, DbRecord } from "./database-types";
import type { SortRule } from "./sort-rules";
import type { WhereCondition } from "./validate";

/** uniCloud returns at most 1000 records per request (Aliyun and Tencent); bigger reads are paged. */
export const MAX_ROWS_PER_REQUEST = 1000;

export interface QueryShape {
  where: WhereCondition;
  fieldJson?: Record<string, unknown>;
  sort: SortRule[];
}

/**
 * A fresh query per request: uniCloud query objects are builders, and reusing one across chunked requests
 * would be relying on unspecified (im)mutability.
 */
export function buildQuery(collection: DbCollection, shape: QueryShape): DbQuery {
  let query: DbQuery = shape.where.empty ? collection : collection.where(shape.where.condition);
  if (shape.fieldJson) query = query.field(shape.fieldJson);
  for (const rule of shape.sort) query = query.orderBy(rule.name, rule.type);
  return query;
}

/**
 * Reads `wanted` records starting at `offset`, in requests of at most 1000. `wanted` may be Infinity
 * (VK's `pageSize: -1`): it then stops at the first short chunk.
 */
export async function fetchRange(collection: DbCollection, requested: QueryShape, offset: number, wanted: number): Promise<DbRecord[]> {
  const shape = wanted > MAX_ROWS_PER_REQUEST ? withIdTiebreak(requested) : requested;
  const rows: DbRecord[] = [];
  while (rows.length < wanted) {
    const chunk = Math.min(MAX_ROWS_PER_REQUEST, wanted - rows.length);
    let query = buildQuery(collection, shape);
    const skip = offset + rows.length;
    if (skip > 0) query = query.skip(skip);
    const batch = rowsOf(await query.limit(chunk).get());
    rows.push(...batch);
    if (batch.length < chunk) break;
  }
  return rows;
}

/**
 * Chunks are separate requests, and MongoDB's order among equal sort keys (or with no sort) is not
 * guaranteed to repeat between them, so a record could appear in two chunks and another in none. `_id`
 * as the last key makes the order total. Only chunked reads get it: on a single request it would just
 * cost the database an extra sort key.
 */
function withIdTiebreak(shape: QueryShape): QueryShape {
  if (shape.sort.some((rule) => rule.name === "_id")) return shape;
  return { ...shape, sort: [...shape.sort, { name: "_id", type: "asc" }] };
}

/** `get()`'s `data` as a list, whatever form it came in. */
export function rowsOf(result: DbGetResult | undefined): DbRecord[] {
  const data = result?.data;
  if (Array.isArray(data)) return data as DbRecord[];
  if (data !== null && typeof data === "object") return [data as DbRecord];
  return [];
}

/** The single record of a `doc().get()`: an array outside a transaction, an object inside one. */
export function firstOf(result: DbGetResult | undefined): DbRecord | undefined {
  return rowsOf(result)[0];
}
