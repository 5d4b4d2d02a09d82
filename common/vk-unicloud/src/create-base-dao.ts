import { add, adds } from "./add-methods";
import { createDaoContext, type BaseDaoOptions } from "./dao-context";
import type { DbRecord, DbTransaction } from "./database-types";
import { fieldStat } from "./field-stats";
import type {
  AddParams,
  AddsParams,
  CountParams,
  DelParams,
  DeleteByIdParams,
  FieldStatParams,
  FindByIdParams,
  FindByWhereJsonParams,
  RollbackParams,
  RollbackResult,
  SelectParams,
  SelectResult,
  SetByIdParams,
  SetByIdResult,
  UpdateAndReturnParams,
  UpdateByIdParams,
  UpdateParams,
} from "./params";
import { count, findById, findByWhereJson } from "./read-methods";
import { select } from "./select";
import { rollbackTransaction, startTransaction } from "./transaction";
import { del, deleteById, setById, update, updateAndReturn, updateById } from "./write-methods";

/**
 * VK's `vk.baseDao`. Record types are the caller's claim (`findById<Order>(...)`); nothing checks them
 * at run time, exactly as with the untyped original.
 */
export interface BaseDao {
  add(params: AddParams): Promise<string | null>;
  adds(params: AddsParams): Promise<string[]>;
  findById<T extends object = DbRecord>(params: FindByIdParams): Promise<T | undefined>;
  findByWhereJson<T extends object = DbRecord>(params: FindByWhereJsonParams): Promise<T | null>;
  select<T extends object = DbRecord>(params: SelectParams & { getOne: true }): Promise<T | null>;
  select<T extends object = DbRecord>(params: SelectParams & { getMain: true }): Promise<T[]>;
  select<T extends object = DbRecord>(params: SelectParams): Promise<SelectResult<T>>;
  update(params: UpdateParams): Promise<number>;
  updateById<T extends object = DbRecord>(params: UpdateByIdParams & { getUpdateData: true }): Promise<T | undefined>;
  updateById(params: UpdateByIdParams): Promise<number>;
  updateAndReturn<T extends object = DbRecord>(params: UpdateAndReturnParams): Promise<T | null>;
  setById(params: SetByIdParams): Promise<SetByIdResult>;
  del(params: DelParams): Promise<number>;
  /** Alias of `del`. */
  delete(params: DelParams): Promise<number>;
  /** Alias of `del`. */
  remove(params: DelParams): Promise<number>;
  deleteById(params: DeleteByIdParams): Promise<number>;
  count(params: CountParams): Promise<number>;
  sum(params: FieldStatParams): Promise<number>;
  avg(params: FieldStatParams): Promise<number | null>;
  max(params: FieldStatParams): Promise<number | null>;
  min(params: FieldStatParams): Promise<number | null>;
  startTransaction(): Promise<DbTransaction>;
  rollbackTransaction(params: RollbackParams): Promise<RollbackResult>;
}

export function createBaseDao(options: BaseDaoOptions = {}): BaseDao {
  const ctx = createDaoContext(options);
  const remove = (params: DelParams) => del(ctx, params);
  // The casts below only narrow DbRecord to the caller's declared record type.
  const dao: BaseDao = {
    add: (params) => add(ctx, params),
    adds: (params) => adds(ctx, params),
    findById: <T extends object>(params: FindByIdParams) => findById(ctx, params) as Promise<T | undefined>,
    findByWhereJson: <T extends object>(params: FindByWhereJsonParams) => findByWhereJson(ctx, params) as Promise<T | null>,
    select: ((params: SelectParams) => select(ctx, params)) as BaseDao["select"],
    update: (params) => update(ctx, params),
    updateById: ((params: UpdateByIdParams) => updateById(ctx, params)) as BaseDao["updateById"],
    updateAndReturn: <T extends object>(params: UpdateAndReturnParams) => updateAndReturn(ctx, params) as Promise<T | null>,
    setById: (params) => setById(ctx, params),
    del: remove,
    delete: remove,
    remove,
    deleteById: (params) => deleteById(ctx, params),
    count: (params) => count(ctx, params),
    sum: (params) => fieldStat(ctx, "sum", params) as Promise<number>,
    avg: (params) => fieldStat(ctx, "avg", params),
    max: (params) => fieldStat(ctx, "max", params),
    min: (params) => fieldStat(ctx, "min", params),
    startTransaction: () => startTransaction(ctx),
    rollbackTransaction: (params) => rollbackTransaction(params),
  };
  return Object.freeze(dao);
}
