import { isPlainObject } from "./codec";
import { invalidParam } from "./errors";
import { compareValues, valuesEqual } from "./values";

/**
 * Aggregation expressions (`db.command.aggregate`, aliased `$`): field paths (`"$a.b"`), `$$ROOT`/
 * `$$CURRENT`, constants, and operators. An operator is an `AggregateOperator` built by `$.name(...)`
 * or, as in MongoDB pipelines, a one-key object `{ $name: args }`; inside a pipeline that raw form is
 * the documented syntax, unlike `where`, where `$` keys are plain data. Unknown operators are errors.
 */
export class AggregateOperator {
  constructor(
    readonly operator: string,
    readonly args: unknown,
  ) {}
}

export const ACCUMULATORS = new Set(["sum", "avg", "min", "max", "first", "last", "push", "addToSet", "mergeObjects", "stdDevPop", "stdDevSamp"]);

/** Splits an expression into operator name and arguments, or undefined when it is not an operator. */
export function asOperator(expression: unknown): { name: string; args: unknown } | undefined {
  if (expression instanceof AggregateOperator) return { name: expression.operator, args: expression.args };
  if (isPlainObject(expression)) {
    const keys = Object.keys(expression);
    if (keys.length === 1 && keys[0].startsWith("$")) return { name: keys[0].slice(1), args: expression[keys[0]] };
  }
  return undefined;
}

export function fieldValue(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (let index = 0; index < path.length; index += 1) {
    if (Array.isArray(current)) {
      // A path through an array yields the values found in its object elements.
      const rest = path.slice(index);
      return current
        .filter(isPlainObject)
        .map((element) => fieldValue(element, rest))
        .filter((item) => item !== undefined);
    }
    if (!isPlainObject(current)) return undefined;
    current = current[path[index]];
  }
  return current;
}

export function evaluate(expression: unknown, root: unknown): unknown {
  if (typeof expression === "string") {
    if (expression === "$$ROOT" || expression === "$$CURRENT") return root;
    if (expression.startsWith("$$")) throw invalidParam(`aggregate: unknown variable ${expression}`);
    if (expression.startsWith("$")) return fieldValue(root, expression.slice(1).split("."));
    return expression;
  }
  const operator = asOperator(expression);
  if (operator) return applyOperator(operator.name, operator.args, root);
  if (Array.isArray(expression)) return expression.map((item) => evaluate(item, root));
  if (isPlainObject(expression)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(expression)) {
      const value = evaluate(item, root);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return expression;
}

function list(args: unknown, root: unknown): unknown[] {
  return Array.isArray(args) ? args.map((arg) => evaluate(arg, root)) : [evaluate(args, root)];
}

const isNullish = (value: unknown) => value === null || value === undefined;
const truthy = (value: unknown) => !(value === false || value === 0 || isNullish(value));

function numbers(name: string, values: unknown[]): number[] | null {
  if (values.some(isNullish)) return null;
  for (const value of values) if (typeof value !== "number") throw invalidParam(`aggregate: $${name} only supports numeric types, got ${typeof value}`);
  return values as number[];
}

/** `$sum`/`$avg`/`$min`/`$max` used as expressions: over one array operand, or over the operand list. */
function operands(args: unknown, root: unknown): unknown[] {
  const values = list(args, root);
  return values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
}

type Handler = (args: unknown, root: unknown) => unknown;

const math =
  (name: string, fn: (...values: number[]) => number): Handler =>
  (args, root) => {
    const values = numbers(name, list(args, root));
    return values === null ? null : fn(...values);
  };

const compare =
  (test: (order: number) => boolean): Handler =>
  (args, root) => {
    const [left, right] = list(args, root);
    return test(compareValues(left ?? null, right ?? null));
  };

const OPERATORS: Record<string, Handler> = {
  literal: (args) => args,
  add: (args, root) => {
    const values = list(args, root);
    if (values.some(isNullish)) return null;
    const date = values.find((value) => value instanceof Date) as Date | undefined;
    const total = values.reduce<number>((sum, value) => sum + (value instanceof Date ? value.getTime() : numbers("add", [value])![0]), 0);
    return date ? new Date(total) : total;
  },
  subtract: (args, root) => {
    const [left, right] = list(args, root);
    if (isNullish(left) || isNullish(right)) return null;
    if (left instanceof Date) return right instanceof Date ? left.getTime() - right.getTime() : new Date(left.getTime() - numbers("subtract", [right])![0]);
    return numbers("subtract", [left, right])!.reduce((a, b) => a - b);
  },
  multiply: math("multiply", (...values) => values.reduce((a, b) => a * b, 1)),
  divide: math("divide", (a, b) => {
    if (b === 0) throw invalidParam("aggregate: $divide by zero");
    return a / b;
  }),
  mod: math("mod", (a, b) => a % b),
  abs: math("abs", Math.abs),
  ceil: math("ceil", Math.ceil),
  floor: math("floor", Math.floor),
  trunc: math("trunc", Math.trunc),
  sqrt: math("sqrt", Math.sqrt),
  pow: math("pow", Math.pow),
  eq: compare((order) => order === 0),
  neq: compare((order) => order !== 0),
  ne: compare((order) => order !== 0),
  gt: compare((order) => order > 0),
  gte: compare((order) => order >= 0),
  lt: compare((order) => order < 0),
  lte: compare((order) => order <= 0),
  cmp: (args, root) => {
    const [left, right] = list(args, root);
    return compareValues(left ?? null, right ?? null);
  },
  and: (args, root) => list(args, root).every(truthy),
  or: (args, root) => list(args, root).some(truthy),
  not: (args, root) => !truthy(list(args, root)[0]),
  cond: (args, root) => {
    const [test, then, otherwise] = isPlainObject(args) ? [args.if, args.then, args.else] : (args as unknown[]);
    return truthy(evaluate(test, root)) ? evaluate(then, root) : evaluate(otherwise, root);
  },
  ifNull: (args, root) => {
    const [value, fallback] = list(args, root);
    return isNullish(value) ? fallback : value;
  },
  concat: (args, root) => {
    const values = list(args, root);
    if (values.some(isNullish)) return null;
    if (values.some((value) => typeof value !== "string")) throw invalidParam("aggregate: $concat only supports strings");
    return values.join("");
  },
  toLower: (args, root) => String(list(args, root)[0] ?? "").toLowerCase(),
  toUpper: (args, root) => String(list(args, root)[0] ?? "").toUpperCase(),
  strLenCP: (args, root) => Array.from(String(list(args, root)[0] ?? "")).length,
  substrCP: (args, root) => {
    const [text, start, length] = list(args, root);
    return Array.from(String(text ?? ""))
      .slice(start as number, (start as number) + (length as number))
      .join("");
  },
  size: (args, root) => {
    const [value] = list(args, root);
    if (!Array.isArray(value)) throw invalidParam("aggregate: the argument to $size must be an array");
    return value.length;
  },
  arrayElemAt: (args, root) => {
    const [array, index] = list(args, root);
    if (!Array.isArray(array)) return null;
    return array.at(index as number);
  },
  in: (args, root) => {
    const [value, array] = list(args, root);
    if (!Array.isArray(array)) throw invalidParam("aggregate: the second argument of $in must be an array");
    return array.some((item) => valuesEqual(item, value));
  },
  isArray: (args, root) => Array.isArray(list(args, root)[0]),
  concatArrays: (args, root) => {
    const values = list(args, root);
    return values.some(isNullish) ? null : (values as unknown[][]).flat(1);
  },
  sum: (args, root) => operands(args, root).reduce<number>((sum, value) => (typeof value === "number" ? sum + value : sum), 0),
  avg: (args, root) => {
    const values = operands(args, root).filter((value): value is number => typeof value === "number");
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  },
  min: (args, root) => extreme(operands(args, root), -1),
  max: (args, root) => extreme(operands(args, root), 1),
  mergeObjects: (args, root) => Object.assign({}, ...list(args, root).filter(isPlainObject)),
  year: (args, root) => datePart(args, root, (date) => date.getUTCFullYear()),
  month: (args, root) => datePart(args, root, (date) => date.getUTCMonth() + 1),
  dayOfMonth: (args, root) => datePart(args, root, (date) => date.getUTCDate()),
  hour: (args, root) => datePart(args, root, (date) => date.getUTCHours()),
};

export function extreme(values: unknown[], direction: 1 | -1): unknown {
  let best: unknown = null;
  for (const value of values) {
    if (isNullish(value)) continue;
    if (best === null || compareValues(value, best) * direction > 0) best = value;
  }
  return best;
}

function datePart(args: unknown, root: unknown, part: (date: Date) => number): number | null {
  const [value] = list(args, root);
  if (isNullish(value)) return null;
  if (!(value instanceof Date)) throw invalidParam("aggregate: date operators need a Date");
  return part(value);
}

function applyOperator(name: string, args: unknown, root: unknown): unknown {
  const handler = Object.prototype.hasOwnProperty.call(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (!handler) throw invalidParam(`aggregate: operator $${name} is not supported by the local emulator`);
  return handler(args, root);
}
