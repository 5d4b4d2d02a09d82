import { cloneValue, describeType, encodeValue, isPlainObject, MAX_NESTING_DEPTH, type Document } from "./codec";
import { QueryCommand, UpdateCommand } from "./commands";
import { invalidParam } from "./errors";
import { applyArrayCommand, isArrayCommand } from "./array-updates";
import { isIndexSegment, readPath, splitPath } from "./json-path";
import { compareValues } from "./values";

/**
 * Compiles `update(data)` into field operations with uniCloud's merge semantics: nested plain objects
 * merge field by field, dotted keys and numeric keys address nested fields and array elements,
 * `db.command.set(obj)` replaces a sub-object, and `_id` can never change. Compilation validates
 * everything up front so a bad update fails before any row is touched.
 */

export type FieldOperation =
  | { kind: "value"; path: string[]; value: unknown }
  | { kind: "ensureObject"; path: string[] }
  | { kind: "command"; path: string[]; command: UpdateCommand; target?: string[] };

export interface CompiledUpdate {
  operations: FieldOperation[];
}

export function compileUpdate(data: unknown): CompiledUpdate {
  if (!isPlainObject(data)) throw invalidParam(`update: expected an object, got ${describeType(data)}`);
  const leaves: unknown[] = [];
  const shape = valueShape(data, 0, leaves);
  const plan = shape === undefined ? undefined : plans.get(shape);
  if (plan) {
    // The same keys as an update already compiled: only the values are new, and they are checked here.
    return {
      operations: plan.map((step, index) => {
        encodeValue(leaves[index], step.where);
        return { kind: "value", path: step.path, value: leaves[index] };
      }),
    };
  }
  const operations: FieldOperation[] = [];
  collectOperations(data, [], operations);
  if (operations.length === 0) throw invalidParam("update: nothing to update");
  checkConflicts(operations);
  if (shape !== undefined) remember(shape, operations);
  return { operations };
}

/**
 * Plans of updates made of plain values only, by the shape of their keys. Payment code repeats a few
 * shapes (a notification's paid fields, a hook's marker, a balance), and splitting, validating and
 * conflict-checking their paths cost more than the write's JSON. Bounded: shapes built from data
 * (say, keys that are ids) must not grow it without limit.
 */
interface PlanStep {
  path: string[];
  where: string;
}
const plans = new Map<string, PlanStep[]>();
const PLAN_CACHE_SIZE = 256;

function remember(shape: string, operations: FieldOperation[]): void {
  if (plans.size >= PLAN_CACHE_SIZE) plans.clear();
  plans.set(
    shape,
    operations.map((operation) => ({ path: operation.path, where: `update ${operation.path.join(".")}` })),
  );
}

/**
 * The keys of `data` as one string (lengths keep any key text unambiguous), with its leaf values pushed
 * to `leaves` in the order collectOperations visits them; undefined when anything but plain values and
 * non-empty plain objects appears (commands compile the long way).
 */
function valueShape(data: Record<string, unknown>, depth: number, leaves: unknown[]): string | undefined {
  if (depth > MAX_NESTING_DEPTH) return undefined;
  let shape = "";
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined) continue;
    if (value instanceof UpdateCommand || value instanceof QueryCommand) return undefined;
    if (isPlainObject(value)) {
      const inner = valueShape(value, depth + 1, leaves);
      if (inner === undefined || inner === "") return undefined;
      shape += `${key.length}:${key}{${inner}}`;
    } else {
      leaves.push(value);
      shape += `${key.length}:${key};`;
    }
  }
  return shape;
}

function collectOperations(data: Record<string, unknown>, prefix: string[], out: FieldOperation[]): void {
  if (prefix.length > MAX_NESTING_DEPTH) throw invalidParam(`update: document nesting exceeds ${MAX_NESTING_DEPTH} levels`);
  for (const [key, value] of Object.entries(data)) {
    const path = [...prefix, ...splitPath(key, "update")];
    for (const segment of path) {
      if (segment.startsWith("$")) throw invalidParam(`update: invalid field name ${JSON.stringify(segment)} in ${path.join(".")}`);
    }
    // undefined disappears in uniCloud's JSON transport, so it updates nothing.
    if (value === undefined) continue;
    if (value instanceof UpdateCommand) {
      out.push(validateCommand(path, value));
    } else if (value instanceof QueryCommand) {
      throw invalidParam(`update: query operator db.command.${value.operator} used as a value for ${path.join(".")}`);
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) out.push({ kind: "ensureObject", path });
      else collectOperations(value, path, out);
    } else {
      encodeValue(value, `update ${path.join(".")}`);
      out.push({ kind: "value", path, value });
    }
  }
}

function validateCommand(path: string[], command: UpdateCommand): FieldOperation {
  const name = path.join(".");
  const [operand] = command.operands;
  switch (command.operator) {
    case "set":
    case "min":
    case "max":
      if (operand === undefined) throw invalidParam(`db.command.${command.operator} on ${name} needs a value`);
      encodeValue(operand, `update ${name}`);
      return { kind: "command", path, command };
    case "inc":
    case "mul":
      if (typeof operand !== "number" || !Number.isFinite(operand)) {
        throw invalidParam(`db.command.${command.operator} on ${name} expects a finite number`);
      }
      return { kind: "command", path, command };
    case "remove":
      return { kind: "command", path, command };
    case "rename": {
      if (typeof operand !== "string") throw invalidParam(`db.command.rename on ${name} expects the new field name`);
      const target = splitPath(operand, "rename");
      if (target[0] === "_id" || target.some((segment) => segment.startsWith("$") || isIndexSegment(segment)) || path.some(isIndexSegment)) {
        throw invalidParam(`db.command.rename cannot address array elements or $ fields (${name} -> ${operand})`);
      }
      return { kind: "command", path, command, target };
    }
    default:
      if (isArrayCommand(command)) return { kind: "command", path, command };
      throw invalidParam(`update: unknown update operator ${String(command.operator)} on ${name}`);
  }
}

/** MongoDB refuses two operations where one path is a prefix of another. */
function checkConflicts(operations: FieldOperation[]): void {
  const paths = operations.flatMap((op) => (op.kind === "command" && op.target ? [op.path, op.target] : [op.path]));
  const keys = paths.map((path) => path.join(".")).sort();
  for (let index = 1; index < keys.length; index += 1) {
    const previous = keys[index - 1];
    if (keys[index] === previous || keys[index].startsWith(`${previous}.`)) {
      throw invalidParam(`update: updating the path '${keys[index]}' would create a conflict at '${previous}'`);
    }
  }
}

/** Applies a compiled update to a copy of the document and returns the copy. */
export function applyUpdate(document: Document, update: CompiledUpdate): Document {
  const result = cloneValue(document);
  for (const operation of update.operations) {
    if (operation.path[0] === "_id") {
      checkIdUnchanged(document._id, operation);
      continue;
    }
    applyOperation(result, operation);
  }
  return result;
}

function checkIdUnchanged(id: unknown, operation: FieldOperation): void {
  const same =
    operation.path.length === 1 &&
    ((operation.kind === "value" && operation.value === id) ||
      (operation.kind === "command" && operation.command.operator === "set" && operation.command.operands[0] === id));
  if (!same) throw invalidParam("update: the field '_id' is immutable");
}

function applyOperation(document: Document, operation: FieldOperation): void {
  const { path } = operation;
  if (operation.kind === "value") return writePath(document, path, cloneValue(operation.value));
  if (operation.kind === "ensureObject") {
    const current = readPath(document, path);
    if (!isPlainObject(current)) writePath(document, path, {});
    return;
  }
  const { command } = operation;
  const operand = command.operands[0];
  const current = readPath(document, path);
  switch (command.operator) {
    case "set":
      return writePath(document, path, cloneValue(operand));
    case "remove":
      return removePath(document, path);
    case "inc":
    case "mul": {
      if (current !== undefined && typeof current !== "number") {
        throw invalidParam(`db.command.${command.operator}: cannot apply to ${path.join(".")} of non-numeric type ${describeType(current)}`);
      }
      const base = current ?? 0;
      const next = command.operator === "inc" ? base + (operand as number) : base * (operand as number);
      return writePath(document, path, command.operator === "mul" && current === undefined ? 0 : next);
    }
    case "min":
    case "max": {
      const order = current === undefined ? 0 : compareValues(operand, current);
      if (current === undefined || (command.operator === "min" ? order < 0 : order > 0)) writePath(document, path, cloneValue(operand));
      return;
    }
    case "rename":
      if (current === undefined) return;
      removePath(document, path);
      return writePath(document, operation.kind === "command" ? operation.target! : path, current);
    default: {
      if (current !== undefined && !Array.isArray(current)) {
        throw invalidParam(`db.command.${command.operator}: the field ${path.join(".")} must be an array but is of type ${describeType(current)}`);
      }
      const next = applyArrayCommand(current === undefined ? undefined : (current as unknown[]), command, path.join("."));
      if (next !== undefined) writePath(document, path, next);
    }
  }
}

function writePath(document: Document, path: readonly string[], value: unknown): void {
  let container: unknown = document;
  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index];
    const last = index === path.length - 1;
    if (Array.isArray(container)) {
      if (!isIndexSegment(segment)) {
        throw invalidParam(`update: cannot create field '${segment}' in an array at ${path.slice(0, index).join(".")}`);
      }
      const position = Number(segment);
      // MongoDB pads with nulls when writing past the end of an array.
      while (container.length < position) container.push(null);
      if (last) container[position] = value;
      else if (container[position] === undefined) container[position] = {};
      container = container[position];
    } else if (isPlainObject(container)) {
      if (last) container[segment] = value;
      else if (container[segment] === undefined) container[segment] = {};
      container = container[segment];
    } else {
      throw invalidParam(`update: cannot create field '${segment}' in ${path.slice(0, index).join(".")} of type ${describeType(container)}`);
    }
  }
}

function removePath(document: Document, path: readonly string[]): void {
  const parent = readPath(document, path.slice(0, -1));
  const key = path[path.length - 1];
  // Unsetting an array element leaves a null in its place, as MongoDB does.
  if (Array.isArray(parent)) {
    if (isIndexSegment(key) && Number(key) < parent.length) parent[Number(key)] = null;
  } else if (isPlainObject(parent)) {
    delete parent[key];
  }
}
