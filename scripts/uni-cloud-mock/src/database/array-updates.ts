import { cloneValue, encodeValue, isPlainObject } from "./codec";
import { QueryCommand, type UpdateCommand } from "./commands";
import { invalidParam } from "./errors";
import { readPath } from "./json-path";
import { matchesPredicate } from "./matcher";
import { compileElementCondition, type Predicate } from "./query-compiler";
import { compareValues, valuesEqual } from "./values";

/** The array update operators of `db.command` (push, pop, shift, unshift, pull, pullAll, addToSet). */

const ARRAY_OPERATORS = new Set(["push", "pop", "shift", "unshift", "pull", "pullAll", "addToSet"]);

export function isArrayCommand(command: UpdateCommand): boolean {
  if (!ARRAY_OPERATORS.has(command.operator)) return false;
  // Validate now so a bad operand fails before any document is written.
  const [operand] = command.operands;
  const name = `db.command.${command.operator}`;
  switch (command.operator) {
    case "push":
      parsePush(operand, name);
      break;
    case "unshift":
    case "pullAll":
      if (operand === undefined) throw invalidParam(`${name} needs a value`);
      if (command.operator === "pullAll" && !Array.isArray(operand)) throw invalidParam(`${name} expects an array`);
      encodeValue(operand, name);
      break;
    case "addToSet":
      eachValues(operand, name);
      break;
    case "pull":
      pullMatcher(operand, name);
      break;
  }
  return true;
}

interface PushSpec {
  values: unknown[];
  position?: number;
  slice?: number;
  sort?: 1 | -1 | Record<string, 1 | -1>;
}

/** `push(v)`, `push([a, b])` or `push({ each, position, sort, slice })`. */
function parsePush(operand: unknown, name: string): PushSpec {
  if (operand === undefined) throw invalidParam(`${name} needs a value`);
  if (!isPlainObject(operand) || !("each" in operand)) {
    encodeValue(operand, name);
    return { values: Array.isArray(operand) ? operand : [operand] };
  }
  const { each, position, slice, sort, ...rest } = operand;
  if (Object.keys(rest).length > 0) throw invalidParam(`${name}: unknown modifier ${Object.keys(rest).join(", ")}`);
  if (!Array.isArray(each)) throw invalidParam(`${name}: each must be an array`);
  encodeValue(each, name);
  if (position !== undefined && !Number.isInteger(position)) throw invalidParam(`${name}: position must be an integer`);
  if (slice !== undefined && !Number.isInteger(slice)) throw invalidParam(`${name}: slice must be an integer`);
  if (sort !== undefined && sort !== 1 && sort !== -1) {
    const valid = isPlainObject(sort) && Object.keys(sort).length > 0 && Object.values(sort).every((d) => d === 1 || d === -1);
    if (!valid) throw invalidParam(`${name}: sort must be 1, -1 or { field: 1 | -1 }`);
  }
  return {
    values: each,
    position: position as number | undefined,
    slice: slice as number | undefined,
    sort: sort as PushSpec["sort"],
  };
}

function eachValues(operand: unknown, name: string): unknown[] {
  if (operand === undefined) throw invalidParam(`${name} needs a value`);
  encodeValue(operand, name);
  if (isPlainObject(operand) && "each" in operand) {
    if (!Array.isArray(operand.each) || Object.keys(operand).length !== 1) throw invalidParam(`${name}: expected { each: [...] }`);
    return operand.each;
  }
  return [operand];
}

/** `pull` takes a value, a query command on elements, or field conditions on object elements. */
function pullMatcher(operand: unknown, name: string): (element: unknown) => boolean {
  if (operand === undefined) throw invalidParam(`${name} needs a value`);
  if (operand instanceof QueryCommand || operand instanceof RegExp) {
    const predicate: Predicate = compileElementCondition(operand instanceof RegExp ? new QueryCommand("eq", [operand]) : operand, name);
    return (element) => matchesPredicate(element, predicate);
  }
  if (isPlainObject(operand) && Object.keys(operand).length > 0) {
    const predicate = compileElementCondition(operand, name);
    return (element) => isPlainObject(element) && matchesPredicate(element, predicate);
  }
  encodeValue(operand, name);
  return (element) => valuesEqual(element, operand);
}

/** Returns the new array, or undefined when the field should stay as it is (missing and nothing to do). */
export function applyArrayCommand(current: unknown[] | undefined, command: UpdateCommand, name: string): unknown[] | undefined {
  const operand = command.operands[0];
  const label = `db.command.${command.operator} on ${name}`;
  const array = current ? [...current] : [];
  switch (command.operator) {
    case "push": {
      const spec = parsePush(operand, label);
      const values = spec.values.map(cloneValue);
      const at =
        spec.position === undefined ? array.length : spec.position < 0 ? Math.max(array.length + spec.position, 0) : Math.min(spec.position, array.length);
      array.splice(at, 0, ...values);
      if (spec.sort !== undefined) sortArray(array, spec.sort);
      if (spec.slice !== undefined) return spec.slice >= 0 ? array.slice(0, spec.slice) : array.slice(spec.slice);
      return array;
    }
    case "unshift": {
      const values = Array.isArray(operand) ? operand : [operand];
      return [...values.map(cloneValue), ...array];
    }
    case "pop":
    case "shift":
      if (!current) return undefined;
      if (command.operator === "pop") array.pop();
      else array.shift();
      return array;
    case "pull": {
      if (!current) return undefined;
      const matches = pullMatcher(operand, label);
      return array.filter((element) => !matches(element));
    }
    case "pullAll":
      if (!current) return undefined;
      return array.filter((element) => !(operand as unknown[]).some((value) => valuesEqual(element, value)));
    case "addToSet":
      for (const value of eachValues(operand, label)) {
        if (!array.some((element) => valuesEqual(element, value))) array.push(cloneValue(value));
      }
      return array;
    default:
      throw invalidParam(`update: unknown array operator ${command.operator}`);
  }
}

function sortArray(array: unknown[], sort: 1 | -1 | Record<string, 1 | -1>): void {
  if (typeof sort === "number") {
    array.sort((a, b) => sort * compareValues(a, b));
    return;
  }
  const keys = Object.entries(sort);
  array.sort((a, b) => {
    for (const [key, direction] of keys) {
      const order = compareValues(readPath(a, key.split(".")), readPath(b, key.split(".")));
      if (order !== 0) return direction * order;
    }
    return 0;
  });
}
