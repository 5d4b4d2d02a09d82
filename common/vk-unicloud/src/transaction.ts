import type { DaoContext } from "./dao-context";
import type { DbTransaction } from "./database-types";
import { invalidParam, unsupported } from "./errors";
import type { RollbackParams, RollbackResult } from "./params";
import { requireParams } from "./validate";

/**
 * `startTransaction` only: Aliyun has no `runTransaction` (unicloud.md §3.6). Pass the handle as `db` to
 * add/findById/updateById/deleteById/updateAndReturn/setById, then `commit()` it.
 */
export async function startTransaction(ctx: DaoContext): Promise<DbTransaction> {
  const database = ctx.database("startTransaction");
  if (typeof database.startTransaction !== "function") {
    throw unsupported("startTransaction", "this database does not support transactions");
  }
  return database.startTransaction();
}

/**
 * Rolls back and shapes VK's failure reply, so a service can `return rollbackTransaction({ db, err })`
 * from its catch block. The reply goes to clients, so the error is reduced to its message and code.
 */
export async function rollbackTransaction(params: RollbackParams): Promise<RollbackResult> {
  const p = requireParams("rollbackTransaction", params);
  const transaction = p.db as Partial<DbTransaction> | undefined;
  if (!transaction || typeof transaction.rollback !== "function") {
    throw invalidParam("rollbackTransaction", "db must be the transaction from startTransaction()");
  }
  let rollbackError: string | undefined;
  try {
    await transaction.rollback();
  } catch (error) {
    // The original failure is what the caller needs to see; a failed rollback (already ended, timed out)
    // is reported alongside it instead of replacing it.
    rollbackError = error instanceof Error ? error.message : String(error);
  }
  const err = summarise(p.err);
  const reply: RollbackResult = {
    code: p.code ?? -1,
    msg: p.msg ?? err?.message ?? "操作失败，数据已回滚",
  };
  if (err) reply.err = err;
  if (rollbackError !== undefined) reply.rollbackError = rollbackError;
  return reply;
}

function summarise(err: unknown): RollbackResult["err"] {
  if (err === undefined || err === null) return undefined;
  if (typeof err === "string") return { message: err };
  const source = err as { message?: unknown; errMsg?: unknown; code?: unknown; errCode?: unknown };
  const message = typeof source.message === "string" ? source.message : typeof source.errMsg === "string" ? source.errMsg : String(err);
  const code = source.errCode ?? source.code;
  return code === undefined ? { message } : { message, code };
}
