import type { DaoContext } from "./dao-context";
import { isTransaction, type DbRecord } from "./database-types";
import type { CountParams, FindByIdParams, FindByWhereJsonParams } from "./params";
import { buildQuery, fetchRange, firstOf } from "./query-builder";
import { readSortRules } from "./sort-rules";
import { readFieldJson, readWhere, requireDbName, requireId, requireParams } from "./validate";

/** The record with this `_id`, or undefined (VK's convention for "not found" here). */
export async function findById(ctx: DaoContext, params: FindByIdParams): Promise<DbRecord | undefined> {
  const p = requireParams("findById", params);
  const dbName = requireDbName("findById", p.dbName);
  const id = requireId("findById", p.id);
  const fieldJson = readFieldJson("findById", p.fieldJson);
  const handle = ctx.handle("findById", p.db);
  const collection = handle.collection(dbName);
  const doc = collection.doc(id);
  if (!fieldJson) return firstOf(await doc.get());
  if (typeof doc.field === "function") return firstOf(await doc.field(fieldJson).get());
  // Transactions only read through doc(); without doc().field() the projection is applied here.
  if (isTransaction(handle)) {
    const record = firstOf(await doc.get());
    return record && project(record, fieldJson);
  }
  return firstOf(await collection.where({ _id: id }).field(fieldJson).limit(1).get());
}

/** Top-level projection with uniCloud's rules: all-true keeps listed fields (+ `_id`), all-false drops them. */
function project(record: DbRecord, fieldJson: Record<string, unknown>): DbRecord {
  const entries = Object.entries(fieldJson);
  const including = entries.some(([key, flag]) => key !== "_id" && Boolean(flag));
  if (!including) {
    const out = { ...record };
    for (const [key, flag] of entries) if (!flag) delete out[key];
    return out;
  }
  const out: DbRecord = {};
  if (fieldJson._id !== false && fieldJson._id !== 0 && "_id" in record) out._id = record._id;
  for (const [key, flag] of entries) if (flag && key in record) out[key] = record[key];
  return out;
}

/**
 * The first matching record, or null. An empty whereJson returns null (with a console error) rather than
 * an arbitrary record: VK's behaviour, and the safe reading of a condition that was probably lost.
 */
export async function findByWhereJson(ctx: DaoContext, params: FindByWhereJsonParams): Promise<DbRecord | null> {
  const p = requireParams("findByWhereJson", params);
  const dbName = requireDbName("findByWhereJson", p.dbName);
  const where = readWhere("findByWhereJson", p.whereJson);
  const shape = {
    where,
    fieldJson: readFieldJson("findByWhereJson", p.fieldJson),
    sort: readSortRules("findByWhereJson", p.sortArr, undefined),
  };
  if (where.empty) {
    console.error("vk.baseDao.findByWhereJson: whereJson is empty; returning null");
    return null;
  }
  const collection = ctx.handle("findByWhereJson", p.db).collection(dbName);
  const [first] = await fetchRange(collection, shape, 0, 1);
  return first ?? null;
}

export async function count(ctx: DaoContext, params: CountParams): Promise<number> {
  const p = requireParams("count", params);
  const dbName = requireDbName("count", p.dbName);
  const where = readWhere("count", p.whereJson);
  const collection = ctx.handle("count", p.db).collection(dbName);
  const result = await buildQuery(collection, { where, sort: [] }).count();
  return result?.total ?? 0;
}
