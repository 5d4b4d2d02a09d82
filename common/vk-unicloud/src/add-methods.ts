import { formatBeijingTime } from "./beijing-time";
import type { DaoContext } from "./dao-context";
import { isTransaction } from "./database-types";
import { invalidParam } from "./errors";
import type { AddParams, AddsParams } from "./params";
import { describe, requireData, requireDbName, requireParams } from "./validate";

/** Adds `_add_time`/`_add_time_str` like VK does: they overwrite caller values, so the stamp is trustworthy. */
function stamp(data: Record<string, unknown>, params: Omit<AddParams, "dataJson">, nowMs: number): Record<string, unknown> {
  const out = { ...data };
  if (!params.cancelAddTime) {
    out._add_time = nowMs;
    if (!params.cancelAddTimeStr) out._add_time_str = formatBeijingTime(nowMs);
  }
  return out;
}

/** Returns the new `_id`, or null when the database reports none (VK's documented failure value). */
export async function add(ctx: DaoContext, params: AddParams): Promise<string | null> {
  const p = requireParams("add", params);
  const dbName = requireDbName("add", p.dbName);
  const data = requireData("add", p.dataJson);
  const handle = ctx.handle("add", p.db);
  const result = await handle.collection(dbName).add(stamp(data, p, ctx.now()));
  return result?.id ?? null;
}

export async function adds(ctx: DaoContext, params: AddsParams): Promise<string[]> {
  const p = requireParams("adds", params);
  const dbName = requireDbName("adds", p.dbName);
  if (!Array.isArray(p.dataJson)) throw invalidParam("adds", `dataJson must be an array, got ${describe(p.dataJson)}`);
  const nowMs = ctx.now();
  const records = p.dataJson.map((item, index) => stamp(requireData("adds", item, `dataJson[${index}]`), p, nowMs));
  // uniCloud rejects an empty batch; an empty input simply adds nothing.
  if (records.length === 0) return [];
  const handle = ctx.handle("adds", p.db);
  const collection = handle.collection(dbName);
  if (isTransaction(handle)) {
    // Transactions accept one record per add (unicloud.md §3.6).
    const ids: string[] = [];
    for (const record of records) {
      const result = await collection.add(record);
      if (typeof result?.id === "string") ids.push(result.id);
    }
    return ids;
  }
  const result = await collection.add(records);
  return result?.ids ?? [];
}
