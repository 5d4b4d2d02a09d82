import type { DaoContext } from "./dao-context";
import type { AggregateOperators, DbAggregate, DbCollection, DbHandle } from "./database-types";
import { BaseDaoError } from "./errors";
import type { FieldStatParams } from "./params";
import { buildQuery, MAX_ROWS_PER_REQUEST, rowsOf, type QueryShape } from "./query-builder";
import { readWhere, requireDbName, requireFieldName, requireParams, type WhereCondition } from "./validate";

export type FieldStat = "sum" | "avg" | "max" | "min";

/** The fallback scan reads at most this many records; past it the answer would be partial, so it throws. */
export const MAX_SCAN_ROWS = 100 * MAX_ROWS_PER_REQUEST;

/**
 * sum/avg/max/min of one field. With `aggregate()` (every uniCloud vendor) this is one
 * `match` + `group({ _id: null })` request computed by the database. Handles that cannot aggregate (a
 * transaction, the local emulator) fall back to a paged scan of that one field, bounded by MAX_SCAN_ROWS;
 * the scan only counts numeric values, which is what these helpers are for (amounts).
 * `sum` of nothing is 0; the others are null.
 */
export async function fieldStat(ctx: DaoContext, stat: FieldStat, params: FieldStatParams): Promise<number | null> {
  const p = requireParams(stat, params);
  const dbName = requireDbName(stat, p.dbName);
  const fieldName = requireFieldName(stat, p.fieldName);
  const where = readWhere(stat, p.whereJson);
  const handle = ctx.handle(stat, p.db);
  const collection = handle.collection(dbName);
  const pipeline = buildPipeline(collection, aggregateOperators(ctx, stat, handle)?.[stat], where, fieldName);
  const value = pipeline ? await runPipeline(pipeline) : await scanStat(collection, stat, where, fieldName);
  if (stat === "sum") return typeof value === "number" ? value : 0;
  return typeof value === "number" ? value : null;
}

/** `db.command.aggregate`: a transaction carries no `command`, so it comes from the default database. */
function aggregateOperators(ctx: DaoContext, stat: FieldStat, handle: DbHandle): AggregateOperators | undefined {
  const own = (handle as { command?: { aggregate?: AggregateOperators } }).command?.aggregate;
  if (own) return own;
  try {
    return ctx.database(stat).command?.aggregate;
  } catch {
    return undefined;
  }
}

/**
 * Builds the pipeline, or returns undefined when this database cannot. Building is local (nothing is sent
 * before `end()`), and the emulator's `aggregate()` and `$.sum` exist but throw when called, so a throw
 * here means "no aggregation" and the scan is the right answer. Failures of the request itself, in
 * runPipeline, are never swallowed.
 */
function buildPipeline(
  collection: DbCollection,
  operator: ((expression: string) => unknown) | undefined,
  where: WhereCondition,
  fieldName: string,
): DbAggregate | undefined {
  if (typeof collection.aggregate !== "function" || typeof operator !== "function") return undefined;
  try {
    let pipeline = collection.aggregate();
    if (!where.empty) pipeline = pipeline.match(where.condition);
    return pipeline.group({ _id: null, value: operator(`$${fieldName}`) });
  } catch {
    return undefined;
  }
}

async function runPipeline(pipeline: DbAggregate): Promise<unknown> {
  const result = await pipeline.end();
  // VK reads `.data`; uniCloud's docs call it `list`.
  const rows = rowsOf({ data: result?.data ?? result?.list });
  return rows[0]?.value;
}

async function scanStat(collection: DbCollection, stat: FieldStat, where: WhereCondition, fieldName: string): Promise<number | null> {
  // Ordered by _id so the chunks neither overlap nor skip records.
  const shape: QueryShape = { where, fieldJson: { [fieldName]: true }, sort: [{ name: "_id", type: "asc" }] };
  let sum = 0;
  let seen = 0;
  let best: number | null = null;
  for (let offset = 0; ; offset += MAX_ROWS_PER_REQUEST) {
    if (offset >= MAX_SCAN_ROWS) {
      throw new BaseDaoError(
        "VK_BASE_DAO_LIMIT_EXCEEDED",
        `vk.baseDao.${stat}: more than ${MAX_SCAN_ROWS} records match and this database has no aggregate(); narrow whereJson`,
      );
    }
    let query = buildQuery(collection, shape);
    if (offset > 0) query = query.skip(offset);
    const batch = rowsOf(await query.limit(MAX_ROWS_PER_REQUEST).get());
    for (const record of batch) {
      const value = readPath(record, fieldName);
      if (typeof value !== "number" || !Number.isFinite(value)) continue;
      sum += value;
      seen += 1;
      if (best === null || (stat === "max" ? value > best : value < best)) best = value;
    }
    if (batch.length < MAX_ROWS_PER_REQUEST) break;
  }
  if (stat === "sum") return sum;
  if (stat === "avg") return seen === 0 ? null : sum / seen;
  return best;
}

function readPath(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
