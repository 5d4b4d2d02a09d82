import { AggregateOperator } from "./aggregate-expressions";
import { DatabaseError } from "./errors";

/**
 * `db.command`: query operators build `QueryCommand` trees, update operators build `UpdateCommand`s.
 * They are plain descriptions; `query-compiler.ts` and `update-compiler.ts` give them meaning. Only
 * instances of these classes are treated as operators: an object literal such as `{ $gt: 1 }` is data.
 */

export type ComparisonOperator = "eq" | "neq" | "gt" | "gte" | "lt" | "lte";
export type QueryOperator = ComparisonOperator | "in" | "nin" | "exists" | "size" | "all" | "elemMatch" | "mod" | "and" | "or" | "not" | "nor" | "expr";

export class QueryCommand {
  constructor(
    readonly operator: QueryOperator,
    readonly operands: readonly unknown[],
  ) {}

  and(...conditions: unknown[]): QueryCommand {
    return new QueryCommand("and", [this, ...spreadOperands(conditions)]);
  }
  or(...conditions: unknown[]): QueryCommand {
    return new QueryCommand("or", [this, ...spreadOperands(conditions)]);
  }
  // Chaining another operator on a field (`dbCmd.gt(1).lt(5)`) is an implicit AND.
  eq(value: unknown) {
    return this.and(new QueryCommand("eq", [value]));
  }
  neq(value: unknown) {
    return this.and(new QueryCommand("neq", [value]));
  }
  gt(value: unknown) {
    return this.and(new QueryCommand("gt", [value]));
  }
  gte(value: unknown) {
    return this.and(new QueryCommand("gte", [value]));
  }
  lt(value: unknown) {
    return this.and(new QueryCommand("lt", [value]));
  }
  lte(value: unknown) {
    return this.and(new QueryCommand("lte", [value]));
  }
  in(values: unknown) {
    return this.and(new QueryCommand("in", [values]));
  }
  nin(values: unknown) {
    return this.and(new QueryCommand("nin", [values]));
  }
  exists(flag: unknown) {
    return this.and(new QueryCommand("exists", [flag]));
  }
}

export type UpdateOperator =
  "set" | "remove" | "inc" | "mul" | "min" | "max" | "rename" | "push" | "pop" | "shift" | "unshift" | "pull" | "pullAll" | "addToSet";

export class UpdateCommand {
  constructor(
    readonly operator: UpdateOperator,
    readonly operands: readonly unknown[],
  ) {}
}

/** `and([a, b])` and `and(a, b)` are both accepted by uniCloud. */
function spreadOperands(args: readonly unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : [...args];
}

/** Operators uniCloud has but the emulator does not implement fail loudly rather than matching wrongly. */
function unsupported(name: string) {
  return (): never => {
    throw new DatabaseError("INVALID_PARAM", `db.command.${name} is not supported by the local emulator`);
  };
}

/**
 * `db.command.aggregate` (`$`): every `$.name(...)` builds an operator; whether `name` exists is
 * decided when the pipeline runs (aggregate-expressions.ts), so unknown operators fail clearly there.
 */
const aggregateOperators = new Proxy(Object.freeze({}), {
  get: (_target, property) => {
    if (typeof property !== "string") return undefined;
    if (property === "pipeline") return unsupported("aggregate.pipeline");
    return (...args: unknown[]) => new AggregateOperator(property, args.length === 1 ? args[0] : args);
  },
});

export function createCommand() {
  const query = (operator: QueryOperator) => (value: unknown) => new QueryCommand(operator, [value]);
  const logic =
    (operator: QueryOperator) =>
    (...conditions: unknown[]) =>
      new QueryCommand(operator, spreadOperands(conditions));
  const update =
    (operator: UpdateOperator) =>
    (...operands: unknown[]) =>
      new UpdateCommand(operator, operands);
  return Object.freeze({
    eq: query("eq"),
    neq: query("neq"),
    gt: query("gt"),
    gte: query("gte"),
    lt: query("lt"),
    lte: query("lte"),
    in: query("in"),
    nin: query("nin"),
    exists: query("exists"),
    size: query("size"),
    all: query("all"),
    elemMatch: query("elemMatch"),
    mod: (divisor: unknown, remainder?: unknown) =>
      Array.isArray(divisor) && remainder === undefined ? new QueryCommand("mod", divisor) : new QueryCommand("mod", [divisor, remainder]),
    and: logic("and"),
    or: logic("or"),
    nor: logic("nor"),
    not: query("not"),
    set: update("set"),
    remove: update("remove"),
    inc: update("inc"),
    mul: update("mul"),
    min: update("min"),
    max: update("max"),
    rename: update("rename"),
    push: update("push"),
    pop: update("pop"),
    shift: update("shift"),
    unshift: update("unshift"),
    pull: update("pull"),
    pullAll: update("pullAll"),
    addToSet: update("addToSet"),
    expr: query("expr"),
    geoNear: unsupported("geoNear"),
    geoWithin: unsupported("geoWithin"),
    geoIntersects: unsupported("geoIntersects"),
    aggregate: aggregateOperators as Record<string, (...args: unknown[]) => AggregateOperator>,
  });
}

export type Command = ReturnType<typeof createCommand>;
