import { describeType, encodeValue, isPlainObject, MAX_NESTING_DEPTH } from "./codec";
import { QueryCommand, UpdateCommand } from "./commands";
import { invalidParam } from "./errors";
import { splitPath } from "./json-path";

/**
 * Turns a `where` argument into a predicate tree. Only `QueryCommand` instances are operators; plain
 * objects are sub-field equality (`{ a: { b: 1 } }` is `"a.b" == 1`), so `{ $gt: 1 }` is a field named
 * "$gt" that no stored document can have. Anything that cannot be sent to uniCloud as a query value
 * (undefined, functions, class instances) is rejected instead of being silently dropped, because a
 * dropped condition would widen an update or remove to the whole collection.
 */

export type FieldTest =
  | { op: "eq"; value: unknown }
  | { op: "gt" | "gte" | "lt" | "lte"; value: unknown }
  | { op: "in"; values: unknown[] }
  | { op: "exists"; value: boolean }
  | { op: "size"; value: number }
  | { op: "all"; values: unknown[] }
  | { op: "elemMatch"; predicate: Predicate }
  | { op: "mod"; divisor: number; remainder: number }
  | { op: "regex"; regex: RegExp };

export type Predicate =
  | { kind: "all" }
  | { kind: "and" | "or" | "nor"; children: Predicate[] }
  | { kind: "not"; child: Predicate }
  /** `db.command.expr(<aggregation expression>)`: the document matches when the expression is truthy. */
  | { kind: "expr"; expression: unknown }
  | { kind: "field"; path: string[]; test: FieldTest };

const MATCH_ALL: Predicate = { kind: "all" };

export function compileWhere(query: unknown): Predicate {
  if (query instanceof QueryCommand) return compileRootCommand(query);
  if (!isPlainObject(query)) throw invalidParam(`where: expected an object, got ${describeType(query)}`);
  const children: Predicate[] = [];
  for (const [key, value] of Object.entries(query)) {
    children.push(compileFieldValue(splitPath(key, "where"), value));
  }
  return combine("and", children);
}

function compileRootCommand(command: QueryCommand): Predicate {
  switch (command.operator) {
    case "and":
    case "or":
    case "nor":
      return combine(command.operator, nonEmptyOperands(command).map(compileWhere));
    case "not":
      return { kind: "not", child: compileWhere(command.operands[0]) };
    case "expr":
      if (command.operands[0] === undefined) throw invalidParam("db.command.expr needs an aggregation expression");
      return { kind: "expr", expression: command.operands[0] };
    default:
      throw invalidParam(`where: db.command.${command.operator} must be applied to a field`);
  }
}

function combine(kind: "and" | "or" | "nor", children: Predicate[]): Predicate {
  if (kind === "and") {
    const useful = children.filter((child) => child.kind !== "all");
    if (useful.length === 0) return MATCH_ALL;
    if (useful.length === 1) return useful[0];
    return { kind, children: useful };
  }
  return { kind, children };
}

function nonEmptyOperands(command: QueryCommand): unknown[] {
  if (command.operands.length === 0) throw invalidParam(`db.command.${command.operator} needs at least one condition`);
  return [...command.operands];
}

function compileFieldValue(path: string[], value: unknown): Predicate {
  // Documents cannot be nested deeper than this, so a deeper query could only be hostile input.
  if (path.length > MAX_NESTING_DEPTH) throw invalidParam(`where: field paths nest deeper than ${MAX_NESTING_DEPTH} levels`);
  if (value instanceof QueryCommand) return compileFieldCommand(path, value);
  if (value instanceof UpdateCommand) {
    throw invalidParam(`where: update operator db.command.${value.operator} used as a query condition on ${path.join(".")}`);
  }
  if (value instanceof RegExp) return field(path, { op: "regex", regex: cloneRegExp(value) });
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    // An empty object can only be matched as a whole value.
    if (entries.length === 0) return field(path, { op: "eq", value: {} });
    return combine(
      "and",
      entries.map(([key, item]) => compileFieldValue([...path, ...splitPath(key, "where")], item)),
    );
  }
  return field(path, { op: "eq", value: queryValue(value, path) });
}

function compileFieldCommand(path: string[], command: QueryCommand): Predicate {
  const name = path.join(".");
  const [first, second] = command.operands;
  switch (command.operator) {
    case "eq":
      return first instanceof RegExp ? field(path, { op: "regex", regex: cloneRegExp(first) }) : field(path, { op: "eq", value: queryValue(first, path) });
    case "neq":
      return { kind: "not", child: compileFieldCommand(path, new QueryCommand("eq", [first])) };
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return field(path, { op: command.operator, value: queryValue(first, path) });
    case "in":
      return field(path, { op: "in", values: arrayOperand(first, command.operator, name) });
    case "nin":
      return { kind: "not", child: field(path, { op: "in", values: arrayOperand(first, "nin", name) }) };
    case "exists":
      if (typeof first !== "boolean") throw invalidParam(`db.command.exists on ${name} expects a boolean`);
      return field(path, { op: "exists", value: first });
    case "size":
      if (!Number.isInteger(first) || (first as number) < 0) throw invalidParam(`db.command.size on ${name} expects a non-negative integer`);
      return field(path, { op: "size", value: first as number });
    case "all":
      return field(path, { op: "all", values: arrayOperand(first, "all", name) });
    case "elemMatch":
      return field(path, { op: "elemMatch", predicate: compileElementCondition(first, name) });
    case "mod":
      if (typeof first !== "number" || typeof second !== "number" || !Number.isFinite(first) || !Number.isFinite(second) || Math.trunc(first) === 0) {
        throw invalidParam(`db.command.mod on ${name} expects (divisor, remainder) numbers with a non-zero divisor`);
      }
      return field(path, { op: "mod", divisor: Math.trunc(first), remainder: Math.trunc(second) });
    case "and":
    case "or":
    case "nor":
      return combine(
        command.operator,
        nonEmptyOperands(command).map((operand) => compileFieldValue(path, operand)),
      );
    case "expr":
      throw invalidParam(`where: db.command.expr must be the whole condition (or inside and/or), not applied to ${name}`);
    case "not":
      if (!(first instanceof QueryCommand) && !(first instanceof RegExp)) {
        throw invalidParam(`db.command.not on ${name} expects a query command or RegExp`);
      }
      return { kind: "not", child: compileFieldValue(path, first) };
    default:
      throw invalidParam(`where: unknown query operator ${String(command.operator)} on ${name}`);
  }
}

/**
 * `elemMatch` (and the update operator `pull`) take either field conditions on object elements or a
 * command on the element itself.
 */
export function compileElementCondition(condition: unknown, name: string): Predicate {
  if (condition instanceof QueryCommand) return compileFieldCommand([], condition);
  if (isPlainObject(condition)) return compileWhere(condition);
  throw invalidParam(`db.command.elemMatch on ${name} expects an object of conditions or a query command`);
}

function arrayOperand(value: unknown, operator: string, name: string): unknown[] {
  if (!Array.isArray(value)) throw invalidParam(`db.command.${operator} on ${name} expects an array`);
  return value.map((item) => (item instanceof RegExp ? cloneRegExp(item) : queryValue(item, [name])));
}

function field(path: string[], test: FieldTest): Predicate {
  return { kind: "field", path, test };
}

/** A query operand must be something storable; checking it the same way keeps types honest. */
function queryValue(value: unknown, path: readonly string[]): unknown {
  if (value === undefined) throw invalidParam(`where: value for ${path.join(".") || "element"} is undefined`);
  encodeValue(value, `where ${path.join(".")}`);
  return value;
}

/** `g`/`y` make `RegExp.test` stateful; uniCloud regexes are stateless matches. */
function cloneRegExp(regex: RegExp): RegExp {
  return new RegExp(regex.source, regex.flags.replace(/[gy]/g, ""));
}
