import { isPlainObject } from "./codec";
import { invalidParam } from "./errors";

/** Splits a uniCloud field path (`"a.b.0"`) into segments, rejecting empty ones. */
export function splitPath(path: string, where: string): string[] {
  const segments = path.split(".");
  if (segments.some((segment) => segment === "")) {
    throw invalidParam(`${where}: invalid field path ${JSON.stringify(path)}`);
  }
  return segments;
}

export function isIndexSegment(segment: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(segment);
}

/**
 * The SQLite JSON path for a field, or undefined when the field cannot be addressed safely from SQL
 * (numeric segments mean "array index or object key" in uniCloud, which one SQL path cannot express).
 * Index creation and query compilation both go through here so that SQLite sees the identical
 * expression text, which is what lets the planner use an expression index.
 */
export function toSqlJsonPath(segments: readonly string[]): string | undefined {
  let out = "$";
  for (const segment of segments) {
    if (isIndexSegment(segment) || segment.includes('"') || segment.includes("'")) return undefined;
    out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `."${segment}"`;
  }
  return out;
}

/** `json_extract(doc, '<path>')` for a field, or undefined (see `toSqlJsonPath`). */
export function jsonExtractSql(segments: readonly string[]): string | undefined {
  const path = toSqlJsonPath(segments);
  return path === undefined ? undefined : `json_extract(doc, '${path}')`;
}

/**
 * The values a query path reaches in a document, MongoDB style: a non-numeric segment applied to an
 * array looks into every element (`"arr.name"` matches any element's name); `undefined` stands for
 * "missing" on a branch.
 */
export function resolvePath(value: unknown, segments: readonly string[]): unknown[] {
  const out: unknown[] = [];
  collect(value, segments, 0, out);
  return out;
}

function collect(value: unknown, segments: readonly string[], index: number, out: unknown[]): void {
  if (index === segments.length) {
    out.push(value);
    return;
  }
  const segment = segments[index];
  if (Array.isArray(value)) {
    if (isIndexSegment(segment)) {
      collect(value[Number(segment)], segments, index + 1, out);
      return;
    }
    const before = out.length;
    for (const element of value) {
      if (isPlainObject(element)) collect(element[segment], segments, index + 1, out);
    }
    if (out.length === before) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    collect(Object.prototype.hasOwnProperty.call(value, segment) ? value[segment] : undefined, segments, index + 1, out);
    return;
  }
  out.push(undefined);
}

/** Marks a path that held an embedded document (a Date included, stored as `{ $date }`). */
export const OBJECT_PATH_MARK = "{}";

/**
 * Every field path (array positions collapsed) that holds an array in a stored document, plus
 * `{}`-marked paths that hold an embedded document. Array paths can match through array elements, which
 * `json_extract` cannot see, so the SQL prefilter leaves them to JS; sorting in SQL additionally needs
 * scalar-only fields (see sql-order.ts). A field named like a mark only makes both more cautious.
 */
export function collectArrayPaths(value: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    if (prefix) out.add(prefix);
    for (const element of value) collectArrayPaths(element, prefix, out);
    return;
  }
  if (value !== null && typeof value === "object") {
    if (prefix) out.add(OBJECT_PATH_MARK + prefix);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      // Scalars hold no paths: skip building their path text (this runs on every write).
      if (item !== null && typeof item === "object") collectArrayPaths(item, prefix ? `${prefix}.${key}` : key, out);
    }
  }
}

/** Reads one exact path (numeric segments index arrays); no fan-out over array elements. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && isIndexSegment(segment)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = Object.prototype.hasOwnProperty.call(current, segment) ? current[segment] : undefined;
    else return undefined;
  }
  return current;
}
