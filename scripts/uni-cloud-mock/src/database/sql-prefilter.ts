import { jsonExtractSql, toSqlJsonPath } from "./json-path";
import type { KeyColumn } from "./key-columns";
import type { FieldTest, Predicate } from "./query-compiler";

/**
 * Narrows a predicate to an SQL condition over `json_extract(doc, '$.path')`, or over the field's key
 * column when an index names it (key-columns.ts), so SQLite can use the indexes. The result must select a superset of what `matchesPredicate` accepts:
 * - a path that ever held an array (at any prefix) in this collection is skipped, since MongoDB matches
 *   through array elements and `json_extract` does not;
 * - `json_extract` turns true/false into 1/0, so a boolean compares as 1/0 and also lets numbers through;
 * - negations (`not`, `nor`, `neq`, `nin`), `exists`, regexes and non-scalar values are left to JS.
 * `undefined` means "no narrowing".
 */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

const MAX_IN_PARAMS = 500;

/**
 * `uniquePaths` are fields with a single-key unique index. SQLite has no statistics here (no ANALYZE), so
 * given `{ out_trade_no, status }` it may well walk the `status` index; when an AND holds an equality on
 * a unique field (or `_id`), the other terms get a unary `+`, which keeps their value but hides them from
 * the index matcher, so the lookup goes through the unique one.
 */
export function buildPrefilter(
  predicate: Predicate,
  arrayPaths: ReadonlySet<string>,
  uniquePaths: ReadonlySet<string> = new Set(),
  sparsePaths: ReadonlySet<string> = new Set(),
  keyColumns: ReadonlyMap<string, KeyColumn> = new Map(),
): SqlCondition | undefined {
  return build(predicate, { arrayPaths, uniquePaths, sparsePaths, keyColumns }, false);
}

interface Context {
  arrayPaths: ReadonlySet<string>;
  uniquePaths: ReadonlySet<string>;
  /** Unique paths whose index is sparse (a partial index over documents that have the field). */
  sparsePaths: ReadonlySet<string>;
  /** Indexed fields, read from their own columns (key-columns.ts) rather than from the JSON. */
  keyColumns: ReadonlyMap<string, KeyColumn>;
}

function build(predicate: Predicate, context: Context, noIndex: boolean): SqlCondition | undefined {
  switch (predicate.kind) {
    case "all":
    case "not":
    case "nor":
    case "expr":
      return undefined;
    case "and": {
      const lead = noIndex ? -1 : predicate.children.findIndex((child) => isUniqueLookup(child, context));
      const parts = predicate.children
        .map((child, index) => build(child, context, noIndex || (lead >= 0 && index !== lead)))
        .filter((part): part is SqlCondition => part !== undefined);
      return join(parts, " AND ");
    }
    case "or": {
      const parts: SqlCondition[] = [];
      for (const child of predicate.children) {
        const part = build(child, context, noIndex);
        if (part === undefined) return undefined;
        parts.push(part);
      }
      return join(parts, " OR ");
    }
    case "field":
      return fieldCondition(predicate.path, predicate.test, context, noIndex);
  }
}

function isUniqueLookup(predicate: Predicate, context: Context): boolean {
  if (predicate.kind !== "field" || (predicate.test.op !== "eq" && predicate.test.op !== "in")) return false;
  const path = predicate.path.join(".");
  if (path !== "_id" && !context.uniquePaths.has(path)) return false;
  return fieldCondition(predicate.path, predicate.test, context) !== undefined;
}

function join(parts: SqlCondition[], separator: string): SqlCondition | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { sql: parts.map((part) => `(${part.sql})`).join(separator), params: parts.flatMap((part) => part.params) };
}

/**
 * A single-field unique definition has one index only, the UNIQUE one over `ifnull(json_extract(...),
 * x'00')` (schema.ts), so a lookup is spelt in that index's expression. For a non-null value it selects
 * exactly what the plain comparison does (x'00' is no value a query passes); for a range it lets missing
 * fields through (the blob sorts above every number and string), which JS then drops. A sparse index is
 * partial: SQLite uses it only when the query repeats its condition, which a present value implies anyway.
 */
function uniqueForm(path: string[], addressed: string, context: Context): { expression: string; guard: string } | undefined {
  const key = path.join(".");
  if (!context.uniquePaths.has(key)) return undefined;
  const typed = context.keyColumns.get(key)?.type ?? `json_type(doc, '${toSqlJsonPath(path)}')`;
  const guard = context.sparsePaths.has(key) ? ` AND ${typed} IS NOT NULL` : "";
  return { expression: `ifnull(${addressed}, x'00')`, guard };
}

function fieldCondition(path: string[], test: FieldTest, context: Context, noIndex = false): SqlCondition | undefined {
  const isId = path.length === 1 && path[0] === "_id";
  const addressed = isId ? "_id" : addressable(path, context);
  if (addressed === undefined) return undefined;
  const unique = isId || noIndex ? undefined : uniqueForm(path, addressed, context);
  const expression = noIndex ? `+${addressed}` : (unique?.expression ?? addressed);
  const guard = unique?.guard ?? "";
  switch (test.op) {
    case "eq":
      if (test.value === null) {
        if (isId) return { sql: "0", params: [] };
        // Missing and null both index as x'00', except in a sparse index, which holds no missing field.
        return unique && !guard ? { sql: `${expression} = x'00'`, params: [] } : { sql: `${noIndex ? expression : addressed} IS NULL`, params: [] };
      }
      return scalarParam(test.value) === undefined ? undefined : { sql: `${expression} = ?${guard}`, params: [scalarParam(test.value)] };
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      // Only numbers and strings: SQLite orders them the way MongoDB does within each type.
      if (typeof test.value !== "number" && typeof test.value !== "string") return undefined;
      const operator = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[test.op];
      return { sql: `${expression} ${operator} ?${guard}`, params: [test.value] };
    }
    case "in": {
      if (test.values.length === 0) return { sql: "0", params: [] };
      // Far below SQLite's bound-variable limit; a longer list is simply decided in JS.
      if (test.values.length > MAX_IN_PARAMS) return undefined;
      const params: unknown[] = [];
      let withNull = false;
      for (const value of test.values) {
        if (value === null) {
          withNull = true;
          continue;
        }
        const param = scalarParam(value);
        if (param === undefined) return undefined;
        params.push(param);
      }
      const parts: string[] = [];
      if (params.length > 0) parts.push(`${expression} IN (${params.map(() => "?").join(", ")})${guard}`);
      if (withNull && !isId) parts.push(`${noIndex ? expression : addressed} IS NULL`);
      return parts.length === 0 ? { sql: "0", params: [] } : { sql: parts.join(" OR "), params };
    }
    default:
      return undefined;
  }
}

function addressable(path: string[], context: Context): string | undefined {
  for (let length = 1; length <= path.length; length += 1) {
    if (context.arrayPaths.has(path.slice(0, length).join("."))) return undefined;
  }
  // The column holds exactly json_extract's value, and only it is indexed.
  return context.keyColumns.get(path.join("."))?.value ?? jsonExtractSql(path);
}

function scalarParam(value: unknown): unknown {
  if (typeof value === "string" || typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}
