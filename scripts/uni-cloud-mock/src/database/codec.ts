import { DatabaseError, invalidParam } from "./errors";

/**
 * How documents are stored: JSON text in the `doc` column, without `_id` (that lives in its own column).
 * A `Date` is stored as `{ "$date": <epoch ms> }` and read back as a `Date`, the same shape uniCloud's
 * `*.init_data.json` uses (which also allows an ISO string there, accepted when reading). Field names may
 * not start with `$` or contain `.` (MongoDB's rules), which keeps `$date` unambiguous and means an
 * operator-looking object such as `{ $gt: 1 }` can never be stored or be mistaken for an operator.
 */

/** MongoDB's BSON document limit; JSON text is a close enough stand-in. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/** MongoDB rejects documents nested deeper than 100 levels. */
export const MAX_NESTING_DEPTH = 100;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Document = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks a value the caller wants stored and converts it to its stored JSON form. */
export function encodeValue(value: unknown, where: string, depth = 0): JsonValue {
  if (depth > MAX_NESTING_DEPTH) {
    throw invalidParam(`${where}: document nesting exceeds ${MAX_NESTING_DEPTH} levels`);
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalidParam(`${where}: ${value} cannot be stored (numbers must be finite)`);
    return value;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw invalidParam(`${where}: invalid Date`);
    return { $date: ms };
  }
  if (Array.isArray(value)) {
    // JSON (how uniCloud ships data) turns holes and undefined array items into null.
    return Array.from(value, (item, index) => (item === undefined ? null : encodeValue(item, `${where}.${index}`, depth + 1)));
  }
  if (isPlainObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      checkFieldName(key, where);
      // undefined fields vanish, as they do when uniCloud serialises the request as JSON.
      if (item === undefined) continue;
      out[key] = encodeValue(item, `${where}.${key}`, depth + 1);
    }
    return out;
  }
  throw invalidParam(`${where}: values of type ${describeType(value)} cannot be stored`);
}

export function checkFieldName(key: string, where: string): void {
  if (key === "" || key.startsWith("$") || key.includes(".")) {
    throw invalidParam(`${where}: invalid field name ${JSON.stringify(key)} (must be non-empty, not start with "$", contain no ".")`);
  }
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

/** Serialises a stored document body, enforcing the size limit. */
export function serializeDocument(body: Record<string, JsonValue>, id: string): string {
  const text = JSON.stringify(body);
  // A UTF-16 unit takes at most three UTF-8 bytes, so most documents need no byte count at all.
  if (text.length * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(text, "utf8") > MAX_DOCUMENT_BYTES) {
    throw new DatabaseError("DOCUMENT_TOO_LARGE", `document ${id} exceeds the ${MAX_DOCUMENT_BYTES} byte limit`);
  }
  return text;
}

/** Turns stored JSON back into what the caller sees: `$date` wrappers become `Date`s. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === "$date") {
      const raw = record.$date;
      if (typeof raw === "number" || typeof raw === "string") return new Date(raw);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = decodeValue(record[key]);
    return out;
  }
  return value;
}

export function parseDocument(id: string, text: string): Document {
  const parsed = JSON.parse(text) as Document;
  // JSON.parse already built fresh objects; only `$date` wrappers need a second walk. A stored string
  // containing that text merely takes the walk too (decodeValue only converts a real wrapper).
  const body = text.includes('"$date"') ? (decodeValue(parsed) as Document) : parsed;
  return { _id: id, ...body };
}

/** A deep copy in stored form, used to give callers documents they may mutate freely. */
export function cloneValue<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
    return out as T;
  }
  return value;
}
