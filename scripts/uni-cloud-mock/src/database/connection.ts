import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseError } from "./errors";

/**
 * The SQLite side: a writer connection (all writes, `BEGIN IMMEDIATE`) and a reader connection (WAL
 * snapshots, so reads never wait behind a transaction that spans `await`s). `busy_timeout` is 0 so
 * SQLite never blocks the event loop; SQLITE_BUSY is retried here with `setTimeout` backoff instead.
 * Within one process, an async lock serialises use of the writer, because better-sqlite3 has a single
 * transaction per connection and an open `startTransaction()` must not see other callers' statements.
 *
 * `:memory:` is served from a private temporary file deleted on close: a real in-memory database
 * cannot be opened twice, and the reader/writer split is what gives transactions their isolation.
 */

export type Sqlite = BetterSqlite3.Database;

const STATEMENT_CACHE_SIZE = 200;

/** A work function run in a transaction (or a SAVEPOINT when one is open); `immediate` begins with BEGIN IMMEDIATE. */
interface Atomically {
  <T>(work: () => T): T;
  immediate<T>(work: () => T): T;
}

/** Prepared statements and per-connection caches. */
export class Session {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Array-holding paths per collection (see json-path.ts), valid while `dataVersion` is unchanged. */
  readonly arrayPaths = new Map<string, Set<string>>();
  /**
   * Tables known to exist. Committed tables are never dropped, so only a rollback on the writer (which
   * may undo a table its own transaction created) makes this stale: see forgetUncommitted().
   */
  readonly knownTables = new Set<string>();
  private dataVersion = -1;
  /**
   * One transaction wrapper per connection, called with the work: better-sqlite3's `db.transaction(fn)`
   * builds four wrapper functions per call, which cost more than the statements of a small operation.
   * Nested inside an open transaction it runs the work in a SAVEPOINT.
   */
  readonly atomically: Atomically;

  /**
   * Only the writer caches array paths: its writes run under BEGIN IMMEDIATE, and its reads in a
   * transaction that checks data_version first, so no other connection can commit between the check and
   * the work. A reader's snapshot may start after the check, so it reloads the (tiny) list every time.
   */
  constructor(
    readonly db: Sqlite,
    readonly cachesArrayPaths: boolean,
  ) {
    this.atomically = db.transaction((work: () => unknown) => work()) as unknown as Atomically;
  }

  /** After a rollback: a table created inside the undone transaction no longer exists. */
  forgetUncommitted(): void {
    this.knownTables.clear();
  }

  /** A prepared statement from a small LRU cache (query shapes vary, so the cache must stay bounded). */
  statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  /** Drops caches when another connection committed since we last looked (PRAGMA data_version). */
  refresh(): void {
    const version = this.readDataVersion();
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.arrayPaths.clear();
    }
  }

  /** No other connection has committed since the caches were last checked (refresh()). */
  unchangedSinceRefresh(): boolean {
    return this.dataVersion !== -1 && this.readDataVersion() === this.dataVersion;
  }

  private readDataVersion(): number {
    // A cached statement: db.pragma() would prepare a new one on every call.
    return this.statement("PRAGMA data_version").pluck().get() as number;
  }
}

const RETRY_LIMIT_MS = 5000;

/** Temp folders of `:memory:` databases not closed yet, removed when the process exits. */
const liveTempDirs = new Set<string>();
let exitHookInstalled = false;

function trackTempDir(dir: string): void {
  liveTempDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const path of liveTempDirs) rmSync(path, { recursive: true, force: true });
  });
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/** SQLite failures other than constraint violations (already mapped) reach callers as uniCloud-style errors. */
export function asDatabaseError(error: unknown): unknown {
  if (error instanceof BetterSqlite3.SqliteError) return new DatabaseError("SYSTEM_ERROR", `database error: ${error.message}`, { sqliteCode: error.code });
  return error;
}

/** Runs `attempt` until it stops failing with SQLITE_BUSY, sleeping asynchronously in between. */
export async function retryBusy<T>(attempt: () => T): Promise<T> {
  const started = Date.now();
  let delay = 1;
  for (;;) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw asDatabaseError(error);
      if (Date.now() - started > RETRY_LIMIT_MS) {
        throw new DatabaseError("DATABASE_BUSY", `database is busy (locked by another connection for over ${RETRY_LIMIT_MS} ms)`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 50);
    }
  }
}

/** A FIFO async mutex. */
export class AsyncLock {
  private tail: Promise<void> = Promise.resolve();
  /** Holders plus waiters: zero means nobody holds the lock or is about to. */
  private users = 0;

  get idle(): boolean {
    return this.users === 0;
  }

  acquire(): Promise<() => void> {
    this.users += 1;
    let resolveNext!: () => void;
    const next = new Promise<void>((resolve) => (resolveNext = resolve));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.users -= 1;
      resolveNext();
    };
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }

  /**
   * Like `acquire`, but gives up after `ms`: a write awaited inside an open transaction of the same
   * process would otherwise wait for that very transaction. A late grant is handed straight back.
   */
  async acquireWithin(ms: number, onTimeout: () => Error): Promise<() => void> {
    // Nobody holds it or waits for it: the grant cannot be held up, so it needs no timer (most writes).
    if (this.idle) return this.acquire();
    const ready = this.acquire();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    });
    try {
      return await Promise.race([ready, expired]);
    } catch (error) {
      void ready.then((release) => release());
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

const lockTimeout = () =>
  new DatabaseError(
    "DATABASE_BUSY",
    `a transaction in this process has held the write lock for over ${RETRY_LIMIT_MS} ms (a write awaited inside an open transaction must go through the transaction)`,
  );

export class Connection {
  readonly writer: Session;
  readonly reader: Session;
  readonly lock = new AsyncLock();
  private readonly tempDir?: string;
  private closed = false;
  private closing?: Promise<void>;
  /** Open transactions' abort hooks: closing rolls them back instead of waiting out their timeout. */
  readonly abortOnClose = new Set<() => void>();
  private readonly path: string;
  /** Read connections kept for the next snapshot (the overlap fault mode only; see snapshot()). */
  private readonly idleSnapshots: Session[] = [];

  constructor(file: string) {
    let path = file;
    if (file === ":memory:") {
      this.tempDir = mkdtempSync(join(tmpdir(), "unicloud-db-"));
      trackTempDir(this.tempDir);
      path = join(this.tempDir, "memory.sqlite");
    }
    this.path = path;
    this.writer = new Session(open(path), true);
    this.reader = new Session(open(path), false);
  }

  /**
   * A read connection of its own, held in a read transaction that `pin` starts: the database as it is
   * now, for as long as the caller keeps it. The overlap fault mode gives each transaction one, so it can
   * read what a MongoDB snapshot taken when it was asked for would show (transaction.ts).
   */
  async snapshot<T>(pin: (session: Session) => T): Promise<{ session: Session; pinned: T; release: () => void }> {
    this.check();
    const session = this.idleSnapshots.pop() ?? new Session(open(this.path), false);
    const release = () => {
      if (session.db.inTransaction) session.db.exec("ROLLBACK");
      if (this.closed) session.db.close();
      else this.idleSnapshots.push(session);
    };
    try {
      // WAL: a deferred transaction's snapshot is taken by its first read, which `pin` makes.
      session.statement("BEGIN").run();
      return { session, pinned: await retryBusy(() => pin(session)), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** No write or transaction of this process holds the writer (nor waits for it). */
  private get writerIdle(): boolean {
    return this.lock.idle && !this.writer.db.inTransaction;
  }

  private check(): void {
    if (this.closed) throw new DatabaseError("SYSTEM_ERROR", "the database has been closed");
  }

  /**
   * A consistent snapshot read. While no write or transaction of this process holds the writer, the
   * read runs there: the writer's page cache already holds what this process wrote, whereas the reader's
   * cache is dropped after every commit by another connection (most of a small read's cost), and the
   * writer caches the collection's array paths. Otherwise (a transaction open across awaits) it runs on
   * the reader, which never sees uncommitted writes.
   */
  async read<T>(work: (session: Session) => T): Promise<T> {
    this.check();
    if (this.writerIdle) {
      const read = this.readWithoutTransaction(work);
      if (read.done) return read.value;
    }
    return retryBusy(() => {
      // A retry runs after a timer, by which time the database may have been closed or the writer taken.
      this.check();
      if (this.writerIdle) {
        const writer = this.writer;
        return writer.atomically(() => {
          // A deferred transaction takes its snapshot at the first read of the file; take it before the
          // data_version check, so no commit can slip in between the check and the work.
          writer.statement("PRAGMA schema_version").pluck().get();
          writer.refresh();
          return work(writer);
        });
      }
      // The reader caches nothing that could go stale, so it needs no data_version check.
      const reader = this.reader;
      return reader.atomically(() => work(reader));
    });
  }

  /**
   * The common case of read(), in two statements where a snapshot takes five (BEGIN, two PRAGMAs, the
   * work, COMMIT): the work runs on the idle writer in autocommit mode, each statement seeing the newest
   * commit, and is kept only if no other connection has committed since the writer's caches were last
   * checked. Then every statement saw that same state, the one the caches describe. Otherwise (or when
   * SQLite is busy) the caller reads again in a snapshot; the work only reads, so running it twice is safe.
   */
  private readWithoutTransaction<T>(work: (session: Session) => T): { done: true; value: T } | { done: false } {
    const writer = this.writer;
    try {
      const value = work(writer);
      if (writer.unchangedSinceRefresh()) return { done: true, value };
    } catch (error) {
      if (!isBusy(error)) throw asDatabaseError(error);
    }
    return { done: false };
  }

  /** One atomic write: BEGIN IMMEDIATE … COMMIT on the writer, under the in-process lock. */
  async write<T>(work: (session: Session) => T): Promise<T> {
    this.check();
    const release = await this.lock.acquireWithin(RETRY_LIMIT_MS, lockTimeout);
    try {
      this.check();
      const session = this.writer;
      return await retryBusy(() => {
        try {
          return session.atomically.immediate(() => {
            session.refresh();
            return work(session);
          });
        } catch (error) {
          session.forgetUncommitted();
          throw error;
        }
      });
    } finally {
      release();
    }
  }

  /** Opens a transaction that stays open across awaits; the caller must commit or roll back. */
  async begin(): Promise<{ session: Session; finish: (commit: boolean) => void }> {
    this.check();
    const release = await this.lock.acquireWithin(RETRY_LIMIT_MS, lockTimeout);
    const session = this.writer;
    try {
      this.check();
      await retryBusy(() => session.statement("BEGIN IMMEDIATE").run());
      session.refresh();
    } catch (error) {
      release();
      throw error;
    }
    let done = false;
    return {
      session,
      finish: (commit) => {
        if (done) return;
        done = true;
        try {
          if (!commit) session.forgetUncommitted();
          if (session.db.inTransaction) session.statement(commit ? "COMMIT" : "ROLLBACK").run();
        } catch (error) {
          session.forgetUncommitted();
          // A failed COMMIT leaves the transaction open; the connection must not stay inside it.
          if (session.db.inTransaction) session.db.exec("ROLLBACK");
          throw error;
        } finally {
          release();
        }
      },
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const abort of [...this.abortOnClose]) abort();
    // Waiting for the lock lets queued writes finish first.
    const release = await this.lock.acquire();
    this.closed = true;
    try {
      for (const snapshot of this.idleSnapshots.splice(0)) snapshot.db.close();
      this.reader.db.close();
      this.writer.db.close();
      if (this.tempDir) {
        rmSync(this.tempDir, { recursive: true, force: true });
        liveTempDirs.delete(this.tempDir);
      }
    } finally {
      release();
    }
  }
}

function open(path: string): Sqlite {
  // Only while opening (once, at startup) may SQLite wait for a lock itself: switching a fresh file to
  // WAL needs one briefly, and a constructor cannot retry asynchronously. Afterwards the timeout is 0.
  const db = new BetterSqlite3(path, { timeout: 2000 });
  db.pragma("journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 0");
  // A larger page cache keeps lookups on big collections in memory (the default is only 2 MiB).
  db.pragma("cache_size = -32768");
  // Reads through a memory map skip a system call per page, which is most of a lookup on a big file.
  db.pragma("mmap_size = 268435456");
  db.pragma("wal_autocheckpoint = 10000");
  return db;
}
