import { quoteIdentifier, type IndexDefinition } from "./schema";
import { toSqlJsonPath } from "./json-path";

/**
 * Every field an index names is kept in two real columns beside the JSON `doc`: its value as
 * `json_extract(doc, path)` gives it, and its `json_type`. Indexes are built over these columns instead of
 * over expressions on `doc`, so an update that leaves a field alone names neither column and SQLite leaves
 * that field's indexes alone too, where an expression index on `doc` is rewritten on every update (a
 * payment changes `status` and `transaction_id`, not `out_trade_no`, `user_id` or `create_date`).
 *
 * The writer computes the values in JS (`keyOf`), equal to what SQLite's JSON functions return for the
 * stored text; a file from before this layout gets them from those very functions once (schema.ts).
 */
export interface KeyColumn {
  /** The dotted field path. */
  key: string;
  path: string[];
  /** The SQLite JSON path (`$.a.b`) the columns mirror. */
  jsonPath: string;
  /** Quoted column names, ready for SQL text. */
  value: string;
  type: string;
}

/** The key columns a collection's indexes need, one pair per distinct field (`_id` has its own column). */
export function keyColumnsOf(indexes: readonly IndexDefinition[]): KeyColumn[] {
  const columns = new Map<string, KeyColumn>();
  for (const index of indexes) {
    for (const { path } of index.keys) {
      const key = path.join(".");
      if (key === "_id" || columns.has(key)) continue;
      const jsonPath = toSqlJsonPath(path);
      // schema.ts refuses such an index with its own message.
      if (jsonPath === undefined) continue;
      columns.set(key, { key, path, jsonPath, value: quoteIdentifier(`key:${key}`), type: quoteIdentifier(`type:${key}`) });
    }
  }
  return [...columns.values()];
}

/** An SQL value and a `json_type` name; both null when the field is missing. */
export type KeyValue = readonly [value: unknown, type: string | null];

const MISSING: KeyValue = [null, null];
const NULL: KeyValue = [null, "null"];

/**
 * What `json_extract` and `json_type` give for the field in the stored form of `document` (a caller's
 * document: Dates are stored as `{ "$date": ms }`). A path through an array or a scalar reaches nothing,
 * as `$.a.b` does in SQLite; booleans are 1/0 as json_extract returns them, and objects their JSON text.
 */
export function keyOf(document: Record<string, unknown>, column: KeyColumn): KeyValue {
  let current: unknown = document;
  for (const segment of column.path) {
    if (current === null || typeof current !== "object" || Array.isArray(current) || current instanceof Date) return MISSING;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return MISSING;
    current = (current as Record<string, unknown>)[segment];
  }
  switch (typeof current) {
    case "undefined":
      return MISSING;
    case "string":
      return [current, "text"];
    case "boolean":
      return current ? [1, "true"] : [0, "false"];
    case "number":
      // JSON.stringify writes an integral number below 1e21 without a point or exponent: an integer to SQLite.
      return [current, Number.isInteger(current) && Math.abs(current) < 1e21 ? "integer" : "real"];
    default:
      if (current === null) return NULL;
      return [JSON.stringify(current, storedForm), Array.isArray(current) ? "array" : "object"];
  }
}

/** JSON.stringify replacer: a Date as the codec stores it (its toJSON has already run on `value`). */
function storedForm(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.getTime() } : value;
}

export function sameKey(left: KeyValue, right: KeyValue): boolean {
  return left[0] === right[0] && left[1] === right[1];
}
