import type { DaoContext } from "./dao-context";
import type { DbRecord } from "./database-types";
import { invalidParam } from "./errors";
import type { SelectParams, SelectResult } from "./params";
import { buildQuery, fetchRange, type QueryShape } from "./query-builder";
import { readSortRules } from "./sort-rules";
import { readFieldJson, readInteger, readWhere, requireDbName, requireParams } from "./validate";

export type SelectOutput = SelectResult<DbRecord> | DbRecord[] | DbRecord | null;

/**
 * A page of records. Pages larger than uniCloud's 1000-per-request limit are read in chunks (see
 * fetchRange). Without `getCount` one extra record is read to know `hasMore` exactly, instead of guessing
 * from a full page (which is wrong when the last page is exactly full).
 */
export async function select(ctx: DaoContext, params: SelectParams): Promise<SelectOutput> {
  const p = requireParams("select", params);
  const dbName = requireDbName("select", p.dbName);
  if (p.where !== undefined && p.whereJson !== undefined) throw invalidParam("select", "pass either whereJson or where, not both");
  const shape: QueryShape = {
    where: readWhere("select", p.whereJson ?? p.where, p.where !== undefined ? "where" : "whereJson"),
    fieldJson: readFieldJson("select", p.fieldJson),
    sort: readSortRules("select", p.sortArr, p.orderBy),
  };
  const pageIndex = readInteger("select", p.pageIndex, "pageIndex", 1);
  const pageSize = readInteger("select", p.pageSize, "pageSize", 10);
  if (pageIndex < 1) throw invalidParam("select", `pageIndex must be 1 or more, got ${pageIndex}`);

  const collection = ctx.handle("select", p.db).collection(dbName);
  const all = pageSize <= 0;
  const offset = all ? 0 : (pageIndex - 1) * pageSize;
  const probe = !all && !p.getCount && !p.getOne ? 1 : 0;
  const wanted = p.getOne ? 1 : all ? Infinity : pageSize + probe;

  const [fetched, total] = await Promise.all([
    fetchRange(collection, shape, offset, wanted),
    p.getCount
      ? buildQuery(collection, { where: shape.where, sort: [] })
          .count()
          .then((r) => r?.total ?? 0)
      : undefined,
  ]);
  if (p.getOne) return fetched[0] ?? null;
  const rows = probe && fetched.length > pageSize ? fetched.slice(0, pageSize) : fetched;
  if (p.getMain) return rows;

  const hasMore = all ? false : total !== undefined ? offset + rows.length < total : fetched.length > rows.length;
  return {
    code: 0,
    msg: "查询成功",
    rows,
    total: total ?? rows.length,
    hasMore,
    pagination: { pageIndex, pageSize },
  };
}
