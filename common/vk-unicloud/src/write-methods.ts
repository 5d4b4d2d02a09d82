import type { DaoContext } from "./dao-context";
import type { DbRecord } from "./database-types";
import { invalidParam, unsupported } from "./errors";
import type { DelParams, DeleteByIdParams, SetByIdParams, SetByIdResult, UpdateAndReturnParams, UpdateByIdParams, UpdateParams } from "./params";
import { firstOf } from "./query-builder";
import { requireData, requireDbName, requireId, requireParams, writeWhere } from "./validate";

/** `_id` is immutable in MongoDB; VK strips it so passing a whole record back as dataJson works. */
function updateData(method: string, dataJson: unknown): Record<string, unknown> {
  const { _id: _ignored, ...rest } = requireData(method, dataJson);
  if (Object.keys(rest).length === 0) throw invalidParam(method, "dataJson has nothing to update");
  return rest;
}

/** Returns how many records changed. */
export async function update(ctx: DaoContext, params: UpdateParams): Promise<number> {
  const p = requireParams("update", params);
  const dbName = requireDbName("update", p.dbName);
  const where = writeWhere("update", p.whereJson);
  const data = updateData("update", p.dataJson);
  const result = await ctx.handle("update", p.db).collection(dbName).where(where).update(data);
  // Alipay once omitted `updated`; absent means nothing we can count.
  return result?.updated ?? 0;
}

export async function updateById(ctx: DaoContext, params: UpdateByIdParams & { getUpdateData: true }): Promise<DbRecord | undefined>;
export async function updateById(ctx: DaoContext, params: UpdateByIdParams): Promise<number>;
export async function updateById(ctx: DaoContext, params: UpdateByIdParams): Promise<number | DbRecord | undefined> {
  const p = requireParams("updateById", params);
  const dbName = requireDbName("updateById", p.dbName);
  const id = requireId("updateById", p.id);
  const data = updateData("updateById", p.dataJson);
  const collection = ctx.handle("updateById", p.db).collection(dbName);
  const result = await collection.doc(id).update(data);
  if (!p.getUpdateData) return result?.updated ?? 0;
  return firstOf(await collection.doc(id).get());
}

/** Atomic update that returns the document after the change, or null when nothing matched. */
export async function updateAndReturn(ctx: DaoContext, params: UpdateAndReturnParams): Promise<DbRecord | null> {
  const p = requireParams("updateAndReturn", params);
  const dbName = requireDbName("updateAndReturn", p.dbName);
  if ((p.id === undefined) === (p.whereJson === undefined)) {
    throw invalidParam("updateAndReturn", "pass exactly one of id and whereJson");
  }
  // Everything is checked before the database is touched.
  const id = p.id !== undefined ? requireId("updateAndReturn", p.id) : undefined;
  const where = id === undefined ? writeWhere("updateAndReturn", p.whereJson) : undefined;
  const data = updateData("updateAndReturn", p.dataJson);
  const collection = ctx.handle("updateAndReturn", p.db).collection(dbName);
  let target;
  if (id !== undefined) {
    const doc = collection.doc(id);
    // Tencent has no doc().updateAndReturn; where({ _id }) is the portable spelling.
    target = typeof doc.updateAndReturn === "function" ? doc : collection.where({ _id: id });
  } else {
    target = collection.where(where);
  }
  if (typeof target.updateAndReturn !== "function") {
    throw unsupported("updateAndReturn", "this database has no updateAndReturn()");
  }
  const result = await target.updateAndReturn(data);
  return (result?.doc as DbRecord | undefined) ?? null;
}

/** Replaces (or creates) the whole record with this `_id` in one atomic write. */
export async function setById(ctx: DaoContext, params: SetByIdParams): Promise<SetByIdResult> {
  const p = requireParams("setById", params);
  const dbName = requireDbName("setById", p.dbName);
  const { _id: dataId, ...data } = requireData("setById", p.dataJson);
  if (p.id !== undefined && dataId !== undefined && p.id !== dataId) {
    throw invalidParam("setById", "id and dataJson._id differ");
  }
  const id = requireId("setById", p.id ?? dataId, "dataJson._id (or id)");
  const result = await ctx.handle("setById", p.db).collection(dbName).doc(id).set(data);
  const upsertedId = result?.upsertedId ?? undefined;
  if (upsertedId) return { updated: result?.updated ?? 0, upsertedId, type: "add", id: upsertedId };
  return { updated: result?.updated ?? 0, type: "update" };
}

/** Returns how many records were deleted. */
export async function del(ctx: DaoContext, params: DelParams): Promise<number> {
  const p = requireParams("del", params);
  const dbName = requireDbName("del", p.dbName);
  const where = writeWhere("del", p.whereJson);
  const result = await ctx.handle("del", p.db).collection(dbName).where(where).remove();
  return result?.deleted ?? 0;
}

export async function deleteById(ctx: DaoContext, params: DeleteByIdParams): Promise<number> {
  const p = requireParams("deleteById", params);
  const dbName = requireDbName("deleteById", p.dbName);
  const id = requireId("deleteById", p.id);
  const result = await ctx.handle("deleteById", p.db).collection(dbName).doc(id).remove();
  return result?.deleted ?? 0;
}
