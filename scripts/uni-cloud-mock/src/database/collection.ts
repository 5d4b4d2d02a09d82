import { Aggregate } from "./aggregate";
import { cloneValue, describeType, isPlainObject, type Document } from "./codec";
import { UpdateCommand } from "./commands";
import { invalidParam } from "./errors";
import type { Executor } from "./executor";
import { splitPath } from "./json-path";
import { createObjectId } from "./object-id";
import { applyProjection, compileProjection, type Projection } from "./projection";
import { compileWhere, type Predicate } from "./query-compiler";
import type { SortKey } from "./store";
import { applyUpdate, compileUpdate } from "./update-compiler";

/** uniCloud's page size rules (Aliyun and Tencent): 100 by default, at most 1000 per request. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface GetResult<T = Document> {
  data: T[];
}
export interface UpdateResult {
  updated: number;
}
export interface UpdateAndReturnResult {
  updated: number;
  doc: Document | null;
}

interface QueryState {
  predicate?: Predicate;
  order: SortKey[];
  skip?: number;
  limit?: number;
  projection?: Projection;
  /** Builder errors surface when the query runs, as a rejected promise, like uniCloud's. */
  error?: unknown;
}

const MATCH_ALL: Predicate = { kind: "all" };

/** An immutable query builder: each chained call returns a new query. */
export class Query {
  constructor(
    protected readonly executor: Executor,
    readonly name: string,
    protected readonly state: QueryState = { order: [] },
  ) {}

  private next(change: (state: QueryState) => Partial<QueryState>): Query {
    if (this.state.error) return this;
    try {
      return new Query(this.executor, this.name, { ...this.state, ...change(this.state) });
    } catch (error) {
      return new Query(this.executor, this.name, { ...this.state, error });
    }
  }

  where(query: unknown): Query {
    return this.next(() => ({ predicate: compileWhere(query) }));
  }

  orderBy(field: unknown, direction: unknown = "asc"): Query {
    return this.next((state) => {
      if (typeof field !== "string") throw invalidParam("orderBy: field must be a string");
      if (direction !== "asc" && direction !== "desc") throw invalidParam(`orderBy: direction must be "asc" or "desc"`);
      return { order: [...state.order, { path: splitPath(field, "orderBy"), direction: direction === "asc" ? 1 : -1 }] };
    });
  }

  skip(count: unknown): Query {
    return this.next(() => {
      if (!Number.isInteger(count) || (count as number) < 0) throw invalidParam("skip: expected a non-negative integer");
      return { skip: count as number };
    });
  }

  limit(count: unknown): Query {
    return this.next(() => {
      if (!Number.isInteger(count) || (count as number) < 1) throw invalidParam("limit: expected a positive integer");
      // uniCloud silently caps a page at 1000 records.
      return { limit: Math.min(count as number, MAX_LIMIT) };
    });
  }

  field(projection: unknown): Query {
    return this.next(() => ({ projection: compileProjection(projection) }));
  }

  async get(): Promise<GetResult> {
    const { predicate, state } = this.ready();
    const store = await this.executor.store(this.name, "read");
    const rows = await this.executor.read((session) =>
      store.find(session, predicate, { order: state.order, skip: state.skip, limit: state.limit ?? DEFAULT_LIMIT }),
    );
    return { data: rows.map((row) => project(row.document, state.projection)) };
  }

  async count(): Promise<{ total: number }> {
    const { predicate } = this.ready();
    const store = await this.executor.store(this.name, "read");
    return { total: await this.executor.read((session) => store.count(session, predicate)) };
  }

  /** Updates every matching document in one transaction; `updated` counts documents that changed. */
  async update(data: unknown): Promise<UpdateResult> {
    const { predicate } = this.ready(true);
    if (this.executor.inTransaction) throw invalidParam("transaction: update documents through doc(id).update()");
    const update = compileUpdate(data);
    const store = await this.executor.store(this.name, "write");
    const updated = await this.executor.write((session) => {
      let changed = 0;
      for (const row of store.find(session, predicate)) {
        if (!store.replaceIfChanged(session, row, applyUpdate(row.document, update))) continue;
        changed += 1;
        this.executor.wrote?.(session, this.name, row.document._id as string);
      }
      return changed;
    });
    return { updated };
  }

  /**
   * Updates the first matching document and returns it as it is after the update. Like the cloud's
   * findOneAndUpdate, `updated` is 1 whenever a document matched, changed or not.
   */
  async updateAndReturn(data: unknown): Promise<UpdateAndReturnResult> {
    const { predicate, state } = this.ready(true);
    const update = compileUpdate(data);
    const store = await this.executor.store(this.name, "write");
    return this.executor.write((session) => {
      const [row] = store.find(session, predicate, { order: state.order, limit: 1 });
      if (!row) return { updated: 0, doc: null };
      this.executor.mayWrite?.(session, this.name, row.document._id as string);
      const next = applyUpdate(row.document, update);
      if (store.replaceIfChanged(session, row, next)) this.executor.wrote?.(session, this.name, row.document._id as string);
      this.executor.rows?.forget(this.name, row.document._id as string);
      return { updated: 1, doc: next };
    }, true);
  }

  async remove(): Promise<{ deleted: number }> {
    const { predicate } = this.ready(true);
    if (this.executor.inTransaction) throw invalidParam("transaction: remove documents through doc(id).remove()");
    const store = await this.executor.store(this.name, "write");
    const deleted = await this.executor.write((session) => {
      const rows = store.find(session, predicate);
      for (const row of rows) {
        store.delete(session, row.rowid);
        this.executor.wrote?.(session, this.name, row.document._id as string);
      }
      return rows.length;
    });
    return { deleted };
  }

  /**
   * Settles builder errors. Bulk writes demand an explicit `where`: an accidental whole-collection
   * update is what Tencent refuses and never what payment code means.
   */
  private ready(forWrite = false): { predicate: Predicate; state: QueryState } {
    if (this.state.error) throw this.state.error;
    if (forWrite && !this.state.predicate) throw invalidParam("update/remove on a collection needs where() or doc()");
    return { predicate: this.state.predicate ?? MATCH_ALL, state: this.state };
  }
}

function project(document: Document, projection: Projection | undefined): Document {
  return projection ? applyProjection(document, projection) : document;
}

/** Where a handle runs; it only changes the type of `doc().get()`'s `data` (see DocumentReference). */
export type Mode = "standalone" | "transaction";
export type DocumentData<M extends Mode> = M extends "transaction" ? Document | null : Document[];

export class Collection<M extends Mode = "standalone"> extends Query {
  constructor(executor: Executor, name: string) {
    super(executor, name);
  }

  doc(id: unknown): DocumentReference<M> {
    return new DocumentReference<M>(this.executor, this.name, id);
  }

  async add(data: unknown): Promise<{ id: string } | { ids: string[] }> {
    const many = Array.isArray(data);
    const documents = (many ? data : [data]).map((item, index) => newDocument(item, many ? `add[${index}]` : "add"));
    if (many && documents.length === 0) throw invalidParam("add: the array is empty");
    if (many && this.executor.inTransaction) throw invalidParam("transaction: add one document at a time");
    const store = await this.executor.store(this.name, "write");
    // All documents go in one transaction: a duplicate anywhere leaves the collection unchanged.
    // Inside a transaction this is one document, so one statement.
    await this.executor.write(
      (session) =>
        documents.forEach((document) => {
          this.executor.mayWrite?.(session, this.name, document._id as string);
          store.insert(session, document);
          this.executor.wrote?.(session, this.name, document._id as string);
        }),
      this.executor.inTransaction,
    );
    const ids = documents.map((document) => document._id as string);
    // A transaction may have looked the id up and cached it as missing.
    for (const id of ids) this.executor.rows?.forget(this.name, id);
    return many ? { ids } : { id: ids[0] };
  }

  /** A fresh pipeline per call, as uniCloud requires (instances must not be reused across requests). */
  aggregate(): Aggregate {
    return new Aggregate(this.executor, this.name);
  }
}

/** Validates a whole new document (add/set); update operators have no meaning there. */
function newDocument(data: unknown, where: string, id?: string): Document {
  if (!isPlainObject(data)) throw invalidParam(`${where}: expected an object, got ${describeType(data)}`);
  for (const [key, value] of Object.entries(data)) {
    if (value instanceof UpdateCommand) throw invalidParam(`${where}: update operator db.command.${value.operator} is not allowed (field ${key})`);
  }
  const given = data._id;
  if (given !== undefined && (typeof given !== "string" || given === "")) throw invalidParam(`${where}: _id must be a non-empty string`);
  if (id !== undefined && given !== undefined && given !== id) throw invalidParam(`${where}: the field '_id' is immutable`);
  return { ...data, _id: id ?? given ?? createObjectId() };
}

export class DocumentReference<M extends Mode = "standalone"> {
  constructor(
    private readonly executor: Executor,
    readonly name: string,
    readonly id: unknown,
    private readonly projection?: Projection | { error: unknown },
  ) {}

  /** `doc(id).field({...}).get()`; returns a new reference. */
  field(spec: unknown): DocumentReference<M> {
    let projection: Projection | { error: unknown };
    try {
      projection = compileProjection(spec);
    } catch (error) {
      projection = { error };
    }
    return new DocumentReference<M>(this.executor, this.name, this.id, projection);
  }

  private checkedId(): string {
    if (typeof this.id !== "string" || this.id === "") throw invalidParam(`doc: the id must be a non-empty string, got ${describeType(this.id)}`);
    return this.id;
  }

  /** `{ data: [doc] }` / `{ data: [] }`; inside a transaction `{ data: doc }` / `{ data: null }`. */
  async get(): Promise<{ data: DocumentData<M> }> {
    const id = this.checkedId();
    const projection = this.projection;
    if (projection && "error" in projection) throw projection.error;
    const store = await this.executor.store(this.name, "read");
    const rows = this.executor.rows;
    const row = await this.executor.read((session) => {
      // Not cached: the transaction cannot write that version (it would conflict), only read it.
      const snapshot = this.executor.snapshotFor?.(session, this.name, id);
      if (snapshot) return store.findById(snapshot, id);
      return rows ? rows.findById(store, session, id) : store.findById(session, id);
    });
    const found = row && project(row.document, projection);
    // A cached document is shared with the transaction's later reads and updates: the caller gets a copy.
    const document = rows && found ? cloneValue(found) : found;
    const data = this.executor.inTransaction ? (document ?? null) : document ? [document] : [];
    return { data: data as DocumentData<M> };
  }

  /** Merges into an existing document; `{ updated: 0 }` when it is missing or unchanged (never creates it). */
  async update(data: unknown): Promise<UpdateResult> {
    const { changed } = await this.apply(data);
    return { updated: changed ? 1 : 0 };
  }

  /** `{ updated, doc }` with the document after the update; `updated` is 1 whenever it exists. */
  async updateAndReturn(data: unknown): Promise<UpdateAndReturnResult> {
    const { doc } = await this.apply(data);
    // Inside a transaction `doc` is also the cached row's document (see apply).
    return { updated: doc ? 1 : 0, doc: doc && this.executor.rows ? cloneValue(doc) : doc };
  }

  private async apply(data: unknown): Promise<{ changed: boolean; doc: Document | null }> {
    const id = this.checkedId();
    const update = compileUpdate(data);
    const store = await this.executor.store(this.name, "write");
    const rows = this.executor.rows;
    return this.executor.write((session) => {
      this.executor.mayWrite?.(session, this.name, id);
      const row = rows ? rows.findById(store, session, id) : store.findById(session, id);
      if (!row) return { changed: false, doc: null };
      // applyUpdate works on a copy, so a cached document is never changed in place.
      const next = applyUpdate(row.document, update);
      const stored = store.replaceRow(session, row, next);
      if (stored !== row) this.executor.wrote?.(session, this.name, id);
      // Last, after the write succeeded: a failed write leaves the cached row as it is in the database.
      rows?.remember(this.name, id, stored);
      return { changed: stored !== row, doc: stored.document };
    }, true);
  }

  /** Replaces the whole document, creating it when missing (`upsertedId` then). */
  async set(data: unknown): Promise<{ updated: number; upsertedId?: string }> {
    const id = this.checkedId();
    const document = newDocument(data, "set", id);
    const store = await this.executor.store(this.name, "write");
    this.executor.rows?.forget(this.name, id);
    return this.executor.write((session) => {
      this.executor.mayWrite?.(session, this.name, id);
      const row = store.findById(session, id);
      if (row) store.replace(session, row.rowid, document);
      else store.insert(session, document);
      this.executor.wrote?.(session, this.name, id);
      return row ? { updated: 1 } : { updated: 0, upsertedId: id };
    }, true);
  }

  async remove(): Promise<{ deleted: number }> {
    const id = this.checkedId();
    const store = await this.executor.store(this.name, "write");
    this.executor.rows?.forget(this.name, id);
    return {
      deleted: await this.executor.write((session) => {
        this.executor.mayWrite?.(session, this.name, id);
        const row = store.findById(session, id);
        if (!row) return 0;
        store.delete(session, row.rowid);
        this.executor.wrote?.(session, this.name, id);
        return 1;
      }, true),
    };
  }
}
