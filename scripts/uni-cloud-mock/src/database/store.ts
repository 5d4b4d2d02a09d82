import { encodeValue, parseDocument, serializeDocument, type Document, type JsonValue } from "./codec";
import type { Session } from "./connection";
import { collectArrayPaths, resolvePath } from "./json-path";
import { keyColumnsOf, keyOf, sameKey, type KeyColumn } from "./key-columns";
import { matchesPredicate } from "./matcher";
import type { Predicate } from "./query-compiler";
import { ARRAY_PATHS_TABLE, quoteIdentifier, toDuplicateKeyError, type IndexDefinition } from "./schema";
import { buildSqlOrder } from "./sql-order";
import { buildPrefilter } from "./sql-prefilter";
import { compareValues } from "./values";

/**
 * Synchronous row access for one collection on one connection: SQL narrows candidates, the JS matcher
 * decides. Callers wrap these in a read snapshot or a write transaction (see connection.ts).
 */

export interface SortKey {
  path: string[];
  direction: 1 | -1;
}

export interface FindOptions {
  order?: SortKey[];
  skip?: number;
  limit?: number;
}

export interface Row {
  rowid: number;
  document: Document;
  /** The stored JSON, to tell whether an update changed anything without re-encoding the old version. */
  text: string;
}

interface Encoded {
  body: JsonValue;
  text: string;
}

interface RawRow {
  rowid: number;
  _id: string;
  doc: string;
}

export class CollectionStore {
  private readonly table: string;
  /** Fields with a single-key unique index: the lookups to steer SQLite towards (sql-prefilter.ts). */
  private readonly uniquePaths: ReadonlySet<string>;
  /** Those of uniquePaths whose index is sparse, hence partial. */
  private readonly sparsePaths: ReadonlySet<string>;

  /** The indexed fields' columns (key-columns.ts), by dotted path. */
  readonly keyColumns: ReadonlyMap<string, KeyColumn>;
  /** The statements every write runs, spelled once (the session caches them prepared, by text). */
  private readonly sql: { insert: string; replace: string; byId: string };
  /** UPDATE texts by the key columns they set. */
  private readonly updates = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly indexes: IndexDefinition[],
  ) {
    this.table = quoteIdentifier(name);
    this.keyColumns = new Map(keyColumnsOf(indexes).map((column) => [column.key, column]));
    const names = [...this.keyColumns.values()].flatMap((column) => [column.value, column.type]);
    this.sql = {
      insert: `INSERT INTO ${this.table} (_id, doc${names.map((column) => `, ${column}`).join("")}) VALUES (?, ?${names.map(() => ", ?").join("")})`,
      replace: `UPDATE ${this.table} SET doc = ? WHERE rowid = ?`,
      byId: `SELECT rowid, _id, doc FROM ${this.table} WHERE _id = ?`,
    };
    const single = indexes.filter((index) => index.unique && index.keys.length === 1 && index.keys[0].path.join(".") !== "_id");
    this.uniquePaths = new Set(single.map((index) => index.keys[0].path.join(".")));
    this.sparsePaths = new Set(single.filter((index) => index.sparse).map((index) => index.keys[0].path.join(".")));
  }

  private arrayPaths(session: Session): Set<string> {
    let paths = session.cachesArrayPaths ? session.arrayPaths.get(this.name) : undefined;
    if (!paths) {
      const rows = session
        .statement(`SELECT path FROM ${quoteIdentifier(ARRAY_PATHS_TABLE)} WHERE collection = ?`)
        .pluck()
        .all(this.name) as string[];
      paths = new Set(rows);
      session.arrayPaths.set(this.name, paths);
    }
    return paths;
  }

  /** The SQL used to fetch candidates; exposed so tests can EXPLAIN it. */
  candidateQuery(session: Session, predicate: Predicate, orderBy = "rowid"): { sql: string; params: unknown[] } {
    const prefilter = buildPrefilter(predicate, this.arrayPaths(session), this.uniquePaths, this.sparsePaths, this.keyColumns);
    const where = prefilter ? ` WHERE ${prefilter.sql}` : "";
    return { sql: `SELECT rowid, _id, doc FROM ${this.table}${where} ORDER BY ${orderBy}`, params: prefilter?.params ?? [] };
  }

  /** Reads do not create tables, so a collection nobody has written to yet reads as empty. */
  private exists(session: Session): boolean {
    if (session.knownTables.has(this.name)) return true;
    const found = session.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(this.name) !== undefined;
    if (found) session.knownTables.add(this.name);
    return found;
  }

  private *candidates(session: Session, predicate: Predicate, orderBy?: string): Generator<Row> {
    if (!this.exists(session)) return;
    const { sql, params } = this.candidateQuery(session, predicate, orderBy);
    for (const raw of session.statement(sql).iterate(...params) as IterableIterator<RawRow>) {
      const document = parseDocument(raw._id, raw.doc);
      if (matchesPredicate(document, predicate)) yield { rowid: raw.rowid, document, text: raw.doc };
    }
  }

  find(session: Session, predicate: Predicate, options: FindOptions = {}): Row[] {
    const skip = options.skip ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (!options.order?.length && predicate.kind === "all") {
      // Nothing to decide in JS: let SQLite page (skip without parsing the skipped documents).
      if (!this.exists(session)) return [];
      const sql = `SELECT rowid, _id, doc FROM ${this.table} ORDER BY rowid LIMIT ? OFFSET ?`;
      const rows = session.statement(sql).all(Number.isFinite(limit) ? limit : -1, skip) as RawRow[];
      return rows.map((raw) => ({ rowid: raw.rowid, document: parseDocument(raw._id, raw.doc), text: raw.doc }));
    }
    // `_id` is a unique string column, so SQLite's BINARY order is MongoDB's order for it and later keys
    // never matter: VK's default `_id desc` paging needs no JS sort.
    const byId = options.order?.[0]?.path.length === 1 && options.order[0].path[0] === "_id";
    const sqlOrder =
      options.order?.length && !byId && this.exists(session) ? buildSqlOrder(options.order, this.arrayPaths(session), this.keyColumns) : undefined;
    if (!options.order?.length || byId || sqlOrder) {
      // Natural, _id or SQL-computed order lets us stop reading as soon as the page is full.
      const orderBy = byId ? `_id ${options.order![0].direction === 1 ? "ASC" : "DESC"}` : (sqlOrder ?? "rowid");
      const out: Row[] = [];
      let skipped = 0;
      for (const row of this.candidates(session, predicate, orderBy)) {
        if (out.length >= limit) break;
        if (skipped < skip) skipped += 1;
        else out.push(row);
      }
      return out;
    }
    const rows = [...this.candidates(session, predicate)];
    const order = options.order;
    const keys = new Map(rows.map((row) => [row, order.map((key) => sortValue(row.document, key))]));
    rows.sort((a, b) => {
      const left = keys.get(a)!;
      const right = keys.get(b)!;
      for (let index = 0; index < order.length; index += 1) {
        const diff = compareValues(left[index], right[index]);
        if (diff !== 0) return diff * order[index].direction;
      }
      return a.rowid - b.rowid;
    });
    return rows.slice(skip, skip + limit);
  }

  count(session: Session, predicate: Predicate): number {
    if (predicate.kind === "all") {
      return this.exists(session) ? (session.statement(`SELECT count(*) FROM ${this.table}`).pluck().get() as number) : 0;
    }
    let total = 0;
    for (const _row of this.candidates(session, predicate)) total += 1;
    return total;
  }

  findById(session: Session, id: string): Row | undefined {
    if (!this.exists(session)) return undefined;
    const raw = session.statement(this.sql.byId).get(id) as RawRow | undefined;
    return raw && { rowid: raw.rowid, document: parseDocument(raw._id, raw.doc), text: raw.doc };
  }

  insert(session: Session, document: Document): void {
    const id = document._id as string;
    const body = this.encodeBody(session, this.encode(document));
    const keys: unknown[] = [];
    for (const column of this.keyColumns.values()) keys.push(...keyOf(document, column));
    this.guard(document, () => session.statement(this.sql.insert).run(id, body, ...keys));
  }

  /** Overwrites a row whose old content the caller has not read: every key column is rewritten. */
  replace(session: Session, rowid: number, document: Document): void {
    this.write(session, rowid, undefined, document, this.encode(document));
  }

  /** Writes `next` over `row` unless it encodes to the same stored text; returns whether it wrote. */
  replaceIfChanged(session: Session, row: Row, next: Document): boolean {
    return this.replaceRow(session, row, next) !== row;
  }

  /** Like replaceIfChanged, returning the row as now stored: `row` itself when nothing changed. */
  replaceRow(session: Session, row: Row, next: Document): Row {
    // Encoded once: the text both decides and is what gets written.
    const encoded = this.encode(next);
    if (encoded.text === row.text) return row;
    this.write(session, row.rowid, row.document, next, encoded);
    return { rowid: row.rowid, document: next, text: encoded.text };
  }

  /**
   * Sets `doc` and, of the key columns, only those whose value changed from `before` (all of them when it
   * is unknown): SQLite then rewrites only the indexes over the changed fields.
   */
  private write(session: Session, rowid: number, before: Document | undefined, document: Document, encoded: Encoded): void {
    const body = this.encodeBody(session, encoded);
    const params: unknown[] = [body];
    const changed: KeyColumn[] = [];
    for (const column of this.keyColumns.values()) {
      const next = keyOf(document, column);
      if (before === undefined || !sameKey(keyOf(before, column), next)) {
        changed.push(column);
        params.push(...next);
      }
    }
    params.push(rowid);
    this.guard(document, () => session.statement(this.updateSql(changed)).run(...params));
  }

  private updateSql(changed: KeyColumn[]): string {
    if (changed.length === 0) return this.sql.replace;
    const shape = changed.map((column) => column.key).join("\n");
    let sql = this.updates.get(shape);
    if (sql === undefined) {
      const sets = changed.map((column) => `, ${column.value} = ?, ${column.type} = ?`).join("");
      sql = `UPDATE ${this.table} SET doc = ?${sets} WHERE rowid = ?`;
      this.updates.set(shape, sql);
    }
    return sql;
  }

  delete(session: Session, rowid: number): void {
    session.statement(`DELETE FROM ${this.table} WHERE rowid = ?`).run(rowid);
  }

  private encode(document: Document): Encoded {
    const { _id, ...rest } = document;
    const body = encodeValue(rest, String(_id));
    return { body, text: serializeDocument(body as Record<string, JsonValue>, String(_id)) };
  }

  /** Records the encoded document's array and object paths (for the SQL prefilter) and returns its text. */
  private encodeBody(session: Session, { body, text }: Encoded): string {
    const found = new Set<string>();
    collectArrayPaths(body, "", found);
    const known = this.arrayPaths(session);
    for (const path of found) {
      if (known.has(path)) continue;
      session.statement(`INSERT OR IGNORE INTO ${quoteIdentifier(ARRAY_PATHS_TABLE)} (collection, path) VALUES (?, ?)`).run(this.name, path);
      // A rolled-back write can leave extra entries here; that only makes the prefilter more cautious.
      known.add(path);
    }
    return text;
  }

  private guard(document: Document, write: () => unknown): void {
    try {
      write();
    } catch (error) {
      throw toDuplicateKeyError(error, this.name, this.indexes, document) ?? error;
    }
  }
}

/** MongoDB sorts an array field by its smallest element ascending and its largest descending. */
function sortValue(document: Document, key: SortKey): unknown {
  const values = resolvePath(document, key.path).flatMap((value) => (Array.isArray(value) ? (value.length ? value : [undefined]) : [value]));
  let best: unknown = values[0];
  for (const value of values.slice(1)) {
    if (compareValues(value, best) * key.direction < 0) best = value;
  }
  return best ?? null;
}
