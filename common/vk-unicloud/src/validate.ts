import { invalidParam } from "./errors";

/**
 * Input checks run before any database call. Most baseDao parameters arrive from client requests, so the
 * aim is that a malformed call fails loudly instead of quietly matching (or writing) more than intended.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return isPlainObject(value) ? "an object" : `a ${value.constructor?.name ?? "object"}`;
  return `a ${typeof value}`;
}

export function requireParams<T>(method: string, params: T | undefined): T {
  if (!isPlainObject(params)) throw invalidParam(method, `expects one object of parameters, got ${describe(params)}`);
  return params;
}

export function requireDbName(method: string, dbName: unknown): string {
  if (typeof dbName !== "string" || dbName.trim() === "") {
    throw invalidParam(method, `dbName must be a non-empty string, got ${describe(dbName)}`);
  }
  return dbName;
}

/** `_id`s are strings in uniCloud; an object here is usually `{ $ne: "" }`-style injection from a client. */
export function requireId(method: string, id: unknown, name = "id"): string {
  if (typeof id !== "string" || id === "") throw invalidParam(method, `${name} must be a non-empty string, got ${describe(id)}`);
  return id;
}

export function requireFieldName(method: string, fieldName: unknown): string {
  if (typeof fieldName !== "string" || fieldName === "" || fieldName.startsWith("$")) {
    throw invalidParam(method, `fieldName must be a field path string, got ${describe(fieldName)}`);
  }
  return fieldName;
}

/**
 * Keys starting with `$` are MongoDB operator syntax. uniCloud's classic API only understands operators
 * built with `db.command`; a literal `{ $gt: 1 }` is either rejected or compared as data, and in practice
 * it is client input trying to widen a query. Refuse it everywhere.
 */
function rejectOperatorKeys(method: string, value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => rejectOperatorKeys(method, item, `${path}.${index}`));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("$")) {
      throw invalidParam(method, `${path} contains the operator-looking key "${key}"; build conditions and updates with db.command`);
    }
    rejectOperatorKeys(method, item, `${path}.${key}`);
  }
}

function rejectUndefined(method: string, value: Record<string, unknown>, path: string): void {
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) {
      throw invalidParam(method, `${path}.${key} is undefined; uniCloud drops undefined conditions, so this write would match more records than intended`);
    }
    if (isPlainObject(item)) rejectUndefined(method, item, `${path}.${key}`);
  }
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[key] = isPlainObject(item) ? dropUndefined(item) : item;
  }
  return out;
}

/** A normalised condition: `empty` is true when it would match every record. */
export interface WhereCondition {
  condition: unknown;
  empty: boolean;
}

/**
 * Reads take `whereJson` leniently: missing means "everything", and undefined values vanish the way they do
 * when uniCloud serialises the request (optional filters such as `{ status: data.status }` rely on that).
 * A non-plain object is taken to be a `db.command` condition such as `_.or([...])`.
 */
export function readWhere(method: string, whereJson: unknown, name = "whereJson"): WhereCondition {
  if (whereJson === undefined || whereJson === null) return { condition: {}, empty: true };
  checkWhereShape(method, whereJson, name);
  if (!isPlainObject(whereJson)) return { condition: whereJson, empty: false };
  const condition = dropUndefined(whereJson);
  return { condition, empty: Object.keys(condition).length === 0 };
}

/**
 * Writes demand a non-empty condition. An empty one, or one whose only keys are undefined, would update or
 * delete the whole collection; VK's documented way to mean "all" is an explicit `{ _id: _.exists(true) }`.
 */
export function writeWhere(method: string, whereJson: unknown): unknown {
  if (whereJson === undefined || whereJson === null) {
    throw invalidParam(method, "whereJson is required; to touch every record say so explicitly with { _id: db.command.exists(true) }");
  }
  checkWhereShape(method, whereJson, "whereJson");
  if (!isPlainObject(whereJson)) return whereJson;
  rejectUndefined(method, whereJson, "whereJson");
  if (Object.keys(whereJson).length === 0) {
    throw invalidParam(method, "whereJson is empty, which would match every record; to touch every record use { _id: db.command.exists(true) }");
  }
  return whereJson;
}

function checkWhereShape(method: string, whereJson: unknown, name: string): void {
  if (typeof whereJson !== "object" || Array.isArray(whereJson) || whereJson instanceof Date || whereJson instanceof RegExp) {
    throw invalidParam(method, `${name} must be an object, got ${describe(whereJson)}`);
  }
  rejectOperatorKeys(method, whereJson, name);
}

/** `dataJson` for add/update/set: a plain object whose values are data or `db.command` updates. */
export function requireData(method: string, dataJson: unknown, name = "dataJson"): Record<string, unknown> {
  if (!isPlainObject(dataJson)) throw invalidParam(method, `${name} must be an object, got ${describe(dataJson)}`);
  rejectOperatorKeys(method, dataJson, name);
  return dataJson;
}

/** `fieldJson`: a projection such as `{ _id: true, money: true }`. */
export function readFieldJson(method: string, fieldJson: unknown): Record<string, unknown> | undefined {
  if (fieldJson === undefined || fieldJson === null) return undefined;
  if (!isPlainObject(fieldJson)) throw invalidParam(method, `fieldJson must be an object, got ${describe(fieldJson)}`);
  for (const [key, flag] of Object.entries(fieldJson)) {
    if (key.startsWith("$") || !(typeof flag === "boolean" || flag === 0 || flag === 1)) {
      throw invalidParam(method, `fieldJson.${key} must be true/false (or 1/0), got ${describe(flag)}`);
    }
  }
  return Object.keys(fieldJson).length > 0 ? fieldJson : undefined;
}

/**
 * Page numbers may arrive as strings (HTTP query parameters are merged into `data`), so integer strings
 * are accepted; anything else, objects in particular, is refused.
 */
export function readInteger(method: string, value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof parsed !== "number" || !Number.isSafeInteger(parsed)) {
    throw invalidParam(method, `${name} must be an integer, got ${describe(value)}`);
  }
  return parsed;
}
