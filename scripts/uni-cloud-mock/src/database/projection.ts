import { describeType, isPlainObject, type Document } from "./codec";
import { invalidParam } from "./errors";
import { splitPath } from "./json-path";

/**
 * `field({ a: true, "b.c": true })` keeps only those fields (plus `_id` unless `_id: false`);
 * `field({ a: false })` drops them. As in uniCloud/MongoDB, true and false cannot be mixed except for
 * `_id`. Dotted paths reach into embedded documents and into each element of arrays of documents.
 */
export interface Projection {
  mode: "include" | "exclude";
  paths: string[][];
  includeId: boolean;
}

export function compileProjection(spec: unknown): Projection {
  if (!isPlainObject(spec)) throw invalidParam(`field: expected an object, got ${describeType(spec)}`);
  let mode: Projection["mode"] | undefined;
  let includeId = true;
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (value !== true && value !== false && value !== 1 && value !== 0) {
      throw invalidParam(`field: ${key} must be true/false (or 1/0)`);
    }
    const include = value === true || value === 1;
    if (key === "_id") {
      includeId = include;
      continue;
    }
    const keyMode = include ? "include" : "exclude";
    if (mode && mode !== keyMode) throw invalidParam("field: cannot mix true and false (except for _id)");
    mode = keyMode;
    paths.push(splitPath(key, "field"));
  }
  // Only `_id` given: `{ _id: true }` keeps just the id, `{ _id: false }` (or `{}`) keeps everything else.
  return { mode: mode ?? ("_id" in spec && includeId ? "include" : "exclude"), paths, includeId };
}

export function applyProjection(document: Document, projection: Projection): Document {
  if (projection.mode === "include") {
    const out: Document = {};
    if (projection.includeId && "_id" in document) out._id = document._id;
    for (const path of projection.paths) include(document, out, path);
    return out;
  }
  const out = { ...document };
  for (const path of projection.paths) exclude(out, path);
  if (!projection.includeId) delete out._id;
  return out;
}

function include(source: unknown, target: Record<string, unknown>, path: string[]): void {
  if (!isPlainObject(source) || !(path[0] in source)) return;
  const value = source[path[0]];
  if (path.length === 1) {
    target[path[0]] = value;
    return;
  }
  const rest = path.slice(1);
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[path[0]]) ? (target[path[0]] as unknown[]) : [];
    const projected = value.filter(isPlainObject).map((element, index) => {
      const into = isPlainObject(existing[index]) ? (existing[index] as Record<string, unknown>) : {};
      include(element, into, rest);
      return into;
    });
    target[path[0]] = projected;
  } else if (isPlainObject(value)) {
    const into = isPlainObject(target[path[0]]) ? (target[path[0]] as Record<string, unknown>) : {};
    include(value, into, rest);
    target[path[0]] = into;
  }
}

function exclude(target: unknown, path: string[]): void {
  if (Array.isArray(target)) {
    for (const element of target) exclude(element, path);
    return;
  }
  if (!isPlainObject(target) || !(path[0] in target)) return;
  if (path.length === 1) {
    delete target[path[0]];
    return;
  }
  const value = target[path[0]];
  const copy = Array.isArray(value) ? value.map((item) => (isPlainObject(item) ? { ...item } : item)) : isPlainObject(value) ? { ...value } : value;
  target[path[0]] = copy;
  exclude(copy, path.slice(1));
}
