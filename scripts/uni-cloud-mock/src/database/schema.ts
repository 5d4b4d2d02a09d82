import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Session } from "./connection";
import { DatabaseError, invalidParam } from "./errors";
import { collectArrayPaths, OBJECT_PATH_MARK, splitPath, toSqlJsonPath } from "./json-path";
import { keyColumnsOf, type KeyColumn } from "./key-columns";

/**
 * One table per collection (`_id` column + JSON `doc`), plus, for every field an index of
 * `<definitionsDir>/<collection>.index.json` names, two key columns beside the JSON (key-columns.ts), and
 * the indexes over those columns.
 *
 * A unique definition's UNIQUE index is over `ifnull(<key column>, x'00')` plus the JSON type, which
 * enforces MongoDB's rule that a missing field counts as null and so collides with another missing/null
 * value (unless `MgoIsSparse`, which exempts documents lacking every indexed field). Plain SQLite UNIQUE
 * would let any number of NULLs in. An array value counts as one whole value here, not element by element
 * as a MongoDB multikey index would.
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

/** Creates the collection's table, key columns and indexes if missing; idempotent, runs inside a write. */
export function ensureSchema(session: Session, collection: string, indexes: IndexDefinition[]): void {
  const table = quoteIdentifier(collection);
  session.db.exec(
    `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(ARRAY_PATHS_TABLE)} (collection TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (collection, path)) WITHOUT ROWID;` +
      `CREATE TABLE IF NOT EXISTS ${table} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);`,
  );
  backfillPathTracking(session, collection);
  for (const index of indexes) {
    if (index.keys.some((key) => toSqlJsonPath(key.path) === undefined)) {
      throw new DatabaseError("SYSTEM_ERROR", `index ${index.name} on ${collection}: field names with numeric segments or quotes are not supported`);
    }
  }
  const columns = new Map(keyColumnsOf(indexes).map((column) => [column.key, column]));
  const wanted = new Map<string, string>();
  for (const index of indexes) {
    // `_id` already has the primary key.
    if (index.keys.length === 1 && index.keys[0].path.join(".") === "_id") continue;
    const keys = index.keys.map((key) => ({ column: columns.get(key.path.join("."))!, direction: key.direction }));
    if (!index.unique || keys.length > 1) {
      // A single-field unique definition gets no lookup index: lookups go through its UNIQUE one (sql-prefilter.ts
      // spells them in its expression). A compound one keeps it, for queries on a prefix of its fields.
      const lookup = keys.map((key) => `${key.column.value}${key.direction === -1 ? " DESC" : ""}`).join(", ");
      wanted.set(`${collection}__${index.name}`, `CREATE INDEX ${quoteIdentifier(`${collection}__${index.name}`)} ON ${table} (${lookup})`);
    }
    if (!index.unique) continue;
    // MongoDB counts a missing field as null, and null collides with null: hence the x'00' stand-in, which
    // plain SQLite UNIQUE (any number of NULLs) needs. The type keeps true/false apart from 1/0.
    const enforced = keys.map((key) => `ifnull(${key.column.value}, x'00'), ifnull(${key.column.type}, 'null')`).join(", ");
    const sparse = index.sparse ? ` WHERE ${keys.map((key) => `${key.column.type} IS NOT NULL`).join(" OR ")}` : "";
    const name = `${collection}__${index.name}${UNIQUE_SUFFIX}`;
    wanted.set(name, `CREATE UNIQUE INDEX ${quoteIdentifier(name)} ON ${table} (${enforced})${sparse}`);
  }
  migrateLayout(session, collection, [...columns.values()], wanted);
}

/**
 * Brings the table to the wanted key columns and indexes. Only an older file or a changed `index.json`
 * finds anything to do: an index it no longer wants (or one over expressions on `doc`, the layout before
 * key columns) is dropped first, then a column no index names, then a missing column is added and filled
 * by SQLite's own JSON functions, then a missing index is built.
 */
function migrateLayout(session: Session, collection: string, columns: KeyColumn[], wanted: Map<string, string>): void {
  const table = quoteIdentifier(collection);
  const existing = session.db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
    .all(collection) as Array<{ name: string; sql: string }>;
  const present = new Set<string>();
  for (const index of existing) {
    const sql = wanted.get(index.name);
    if (sql !== undefined && normalise(index.sql) === normalise(sql)) {
      present.add(index.name);
      continue;
    }
    session.db.exec(`DROP INDEX ${quoteIdentifier(index.name)}`);
  }
  const tableColumns = new Set((session.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((column) => column.name));
  const kept = new Set(columns.flatMap((column) => [`key:${column.key}`, `type:${column.key}`]));
  for (const name of tableColumns) {
    // A column no index names is no longer kept up to date, so it must not stay behind to be trusted later.
    if (name.startsWith("key:") || name.startsWith("type:")) {
      if (!kept.has(name)) session.db.exec(`ALTER TABLE ${table} DROP COLUMN ${quoteIdentifier(name)}`);
    }
  }
  for (const column of columns) {
    if (tableColumns.has(`key:${column.key}`) && tableColumns.has(`type:${column.key}`)) continue;
    for (const name of [`key:${column.key}`, `type:${column.key}`]) {
      if (!tableColumns.has(name)) session.db.exec(`ALTER TABLE ${table} ADD COLUMN ${quoteIdentifier(name)}`);
    }
    session.db.exec(`UPDATE ${table} SET ${column.value} = json_extract(doc, '${column.jsonPath}'), ${column.type} = json_type(doc, '${column.jsonPath}')`);
  }
  for (const [name, sql] of wanted) {
    if (present.has(name)) continue;
    try {
      session.db.exec(sql);
    } catch (error) {
      if (!sql.startsWith("CREATE UNIQUE")) throw error;
      throw new DatabaseError("DUPLICATE_KEY", `cannot create unique index ${name} on ${collection}: existing documents collide (${(error as Error).message})`);
    }
  }
}

/** sqlite_master keeps the CREATE text as written; compare it without case and spacing differences. */
function normalise(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().toLowerCase();
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
