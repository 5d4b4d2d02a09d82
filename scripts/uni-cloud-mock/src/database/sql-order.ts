import { OBJECT_PATH_MARK, toSqlJsonPath } from "./json-path";
import type { KeyColumn } from "./key-columns";
import type { SortKey } from "./store";

/**
 * `orderBy` in SQL, when that gives exactly MongoDB's order: every key must be a plain field path that
 * never held an array (at any prefix) nor an embedded document or Date in this collection, so its values
 * are only null/missing, numbers, strings and booleans. Those are ranked by MongoDB's type order
 * (null < numbers < strings < booleans), then by value (SQLite compares numbers numerically, strings by
 * UTF-8 bytes, false(0) < true(1)), then by rowid, which is the JS sort's tie-break too. The gain: only the
 * requested page is parsed in JS instead of every match. Anything else returns undefined (sort in JS).
 */
export function buildSqlOrder(
  order: readonly SortKey[],
  knownPaths: ReadonlySet<string>,
  keyColumns: ReadonlyMap<string, KeyColumn> = new Map(),
): string | undefined {
  // Without the completeness mark the tracked paths may predate object tracking (schema.ts).
  if (!knownPaths.has(OBJECT_PATH_MARK)) return undefined;
  const terms: string[] = [];
  for (const key of order) {
    // `_id` lives in its own column (always a string), not in the JSON.
    if (key.path.length === 1 && key.path[0] === "_id") {
      terms.push(`_id ${key.direction === 1 ? "ASC" : "DESC"}`);
      continue;
    }
    const path = toSqlJsonPath(key.path);
    if (!path || !scalarOnly(key.path, knownPaths)) return undefined;
    // An indexed field is read from its columns, which hold json_extract's and json_type's answers.
    const column = keyColumns.get(key.path.join("."));
    const expression = column?.value ?? `json_extract(doc, '${path}')`;
    const direction = key.direction === 1 ? "ASC" : "DESC";
    const type = column?.type ?? `json_type(doc, '${path}')`;
    const rank = `CASE WHEN ${type} IS NULL OR ${type} = 'null' THEN 1 WHEN ${type} IN ('integer', 'real') THEN 2 WHEN ${type} = 'text' THEN 3 ELSE 8 END`;
    terms.push(`${rank} ${direction}`, `${expression} ${direction}`);
  }
  return terms.length ? `${terms.join(", ")}, rowid ASC` : undefined;
}

function scalarOnly(path: readonly string[], knownPaths: ReadonlySet<string>): boolean {
  for (let length = 1; length <= path.length; length += 1) {
    const prefix = path.slice(0, length).join(".");
    if (knownPaths.has(prefix)) return false;
  }
  return !knownPaths.has(OBJECT_PATH_MARK + path.join("."));
}
