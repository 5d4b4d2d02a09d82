import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Session } from "./connection";
import { DatabaseError, invalidParam } from "./errors";
import { collectArrayPaths, jsonExtractSql, OBJECT_PATH_MARK, splitPath, toSqlJsonPath } from "./json-path";

/**
 * One table per collection (`_id` column + JSON `doc`), plus the indexes of
 * `<definitionsDir>/<collection>.index.json` as SQLite expression indexes over the same
 * `json_extract(doc, '$.path')` text the query compiler emits.
 *
 * A unique definition yields two indexes: a plain lookup index the planner uses for equality queries,
 * and a UNIQUE index over `ifnull(json_extract(...), x'00')` plus the JSON type that enforces MongoDB's
 * rule that a missing field counts as null and so collides with another missing/null value (unless
 * `MgoIsSparse`, which exempts documents lacking every indexed field). Plain SQLite UNIQUE would let any
 * number of NULLs in. An array value counts as one whole value here, not element by element as a
 * MongoDB multikey index would.
 */

export const ARRAY_PATHS_TABLE = "__vk_array_paths";
const UNIQUE_SUFFIX = "__unique";

export interface IndexKey {
  path: string[];
  direction: 1 | -1;
}

export interface IndexDefinition {
  name: string;
  keys: IndexKey[];
  unique: boolean;
  sparse: boolean;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function checkCollectionName(name: unknown): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_\-.]{0,127}$/.test(name) || name.startsWith("__vk") || name.toLowerCase().startsWith("sqlite_")) {
    throw invalidParam(`collection: invalid collection name ${JSON.stringify(name)}`);
  }
  return name;
}

/** Reads `<collection>.index.json`; a broken file is a configuration error worth failing loudly on. */
export function loadIndexDefinitions(definitionsDir: string | string[] | undefined, collection: string): IndexDefinition[] {
  // The first folder holding the collection's file wins: the space's own, then the emulator's stand-ins.
  const dirs = definitionsDir === undefined ? [] : Array.isArray(definitionsDir) ? definitionsDir : [definitionsDir];
  const file = dirs.map((dir) => join(dir, `${collection}.index.json`)).find((candidate) => existsSync(candidate));
  if (!file) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DatabaseError("SYSTEM_ERROR", `${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new DatabaseError("SYSTEM_ERROR", `${file}: expected an array of index definitions`);
  const out: IndexDefinition[] = [];
  for (const entry of raw as Array<Record<string, unknown>>) {
    const schema = entry?.MgoKeySchema as Record<string, unknown> | undefined;
    const keys = schema?.MgoIndexKeys;
    if (typeof entry?.IndexName !== "string" || !entry.IndexName || !Array.isArray(keys) || keys.length === 0) {
      throw new DatabaseError("SYSTEM_ERROR", `${file}: each entry needs IndexName and MgoKeySchema.MgoIndexKeys`);
    }
    const parsed: IndexKey[] = [];
    let geo = false;
    for (const key of keys as Array<Record<string, unknown>>) {
      if (typeof key?.Name !== "string") throw new DatabaseError("SYSTEM_ERROR", `${file}: index ${entry.IndexName} has a key without Name`);
      const direction = String(key.Direction ?? "1");
      if (direction === "2dsphere") geo = true;
      parsed.push({ path: splitPath(key.Name, file), direction: direction === "-1" ? -1 : 1 });
    }
    // Geo indexes only serve geo operators, which the emulator does not implement.
    if (geo) continue;
    out.push({ name: entry.IndexName, keys: parsed, unique: schema?.MgoIsUnique === true, sparse: schema?.MgoIsSparse === true });
  }
  return out;
}

/** Creates the collection's table and indexes if missing; idempotent, runs inside a write. */
export function ensureSchema(session: Session, collection: string, indexes: IndexDefinition[]): void {
  const table = quoteIdentifier(collection);
  session.db.exec(
    `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(ARRAY_PATHS_TABLE)} (collection TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (collection, path)) WITHOUT ROWID;` +
      `CREATE TABLE IF NOT EXISTS ${table} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);`,
  );
  backfillPathTracking(session, collection);
  for (const index of indexes) {
    // `_id` already has the primary key.
    if (index.keys.length === 1 && index.keys[0].path.join(".") === "_id") continue;
    const expressions = index.keys.map((key) => jsonExtractSql(key.path));
    if (expressions.some((expression) => expression === undefined)) {
      throw new DatabaseError("SYSTEM_ERROR", `index ${index.name} on ${collection}: field names with numeric segments or quotes are not supported`);
    }
    const lookupName = quoteIdentifier(`${collection}__${index.name}`);
    if (index.unique && index.keys.length === 1) {
      // One index per definition, as index.json asks: a single-field lookup goes through the UNIQUE index
      // below (sql-prefilter.ts spells it in that index's expression). Every index is rewritten on each
      // update of `doc`, so a second one would cost a page per write. Files from before lose theirs here.
      session.db.exec(`DROP INDEX IF EXISTS ${lookupName}`);
    } else {
      // A compound unique definition keeps its lookup index: it serves queries on a prefix of its fields.
      const lookup = index.keys.map((key, position) => `${expressions[position]}${key.direction === -1 ? " DESC" : ""}`).join(", ");
      session.db.exec(`CREATE INDEX IF NOT EXISTS ${lookupName} ON ${table} (${lookup})`);
    }
    if (!index.unique) continue;
    // json_type keeps true/false apart from 1/0, which json_extract alone would merge.
    const enforced = index.keys
      .map((key, position) => `ifnull(${expressions[position]}, x'00'), ifnull(json_type(doc, '${toSqlJsonPath(key.path)}'), 'null')`)
      .join(", ");
    const sparse = index.sparse ? ` WHERE ${index.keys.map((key) => `json_type(doc, '${toSqlJsonPath(key.path)}') IS NOT NULL`).join(" OR ")}` : "";
    try {
      session.db.exec(
        `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(`${collection}__${index.name}${UNIQUE_SUFFIX}`)} ON ${table} (${enforced})${sparse}`,
      );
    } catch (error) {
      throw new DatabaseError(
        "DUPLICATE_KEY",
        `cannot create unique index ${index.name} on ${collection}: existing documents collide (${(error as Error).message})`,
      );
    }
  }
}

/**
 * Path tracking (json-path.ts) is complete for a collection once its bare `{}` row exists. Tables from
 * before object paths were tracked get a one-time scan here, so SQL ordering never trusts partial data.
 */
function backfillPathTracking(session: Session, collection: string): void {
  const tracking = quoteIdentifier(ARRAY_PATHS_TABLE);
  const complete = session.db.prepare(`SELECT 1 FROM ${tracking} WHERE collection = ? AND path = ?`).get(collection, OBJECT_PATH_MARK);
  if (complete) return;
  const paths = new Set<string>([OBJECT_PATH_MARK]);
  for (const text of session.db
    .prepare(`SELECT doc FROM ${quoteIdentifier(collection)}`)
    .pluck()
    .iterate() as IterableIterator<string>) {
    collectArrayPaths(JSON.parse(text), "", paths);
  }
  const insert = session.db.prepare(`INSERT OR IGNORE INTO ${tracking} (collection, path) VALUES (?, ?)`);
  for (const path of paths) insert.run(collection, path);
  session.arrayPaths.delete(collection);
}

/**
 * Maps SQLite's unique-constraint failure to uniCloud's duplicate-key error, keeping MongoDB's
 * "E11000 ... index: <name> dup key: { ... }" wording (VK matches on `_id_ dup key`).
 */
export function toDuplicateKeyError(
  error: unknown,
  collection: string,
  indexes: IndexDefinition[],
  document: Record<string, unknown>,
): DatabaseError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (code !== "SQLITE_CONSTRAINT_PRIMARYKEY" && code !== "SQLITE_CONSTRAINT_UNIQUE") return undefined;
  const message = (error as Error).message;
  const indexName = /index '([^']+)'/.exec(message)?.[1];
  const definition = indexes.find((index) => `${collection}__${index.name}${UNIQUE_SUFFIX}` === indexName);
  if (!definition) {
    return new DatabaseError(
      "DUPLICATE_KEY",
      `E11000 duplicate key error collection: ${collection} index: _id_ dup key: { _id: ${JSON.stringify(document._id)} }`,
    );
  }
  const values = definition.keys.map((key) => `${key.path.join(".")}: ${JSON.stringify(readKey(document, key.path) ?? null)}`).join(", ");
  return new DatabaseError("DUPLICATE_KEY", `E11000 duplicate key error collection: ${collection} index: ${definition.name} dup key: { ${values} }`);
}

function readKey(document: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = document;
  for (const segment of path) current = (current as Record<string, unknown> | undefined)?.[segment];
  return current;
}
