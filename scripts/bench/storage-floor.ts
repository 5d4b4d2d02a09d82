import Sqlite from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPACE_DIR } from "../build/paths";
import { createDatabase } from "../uni-cloud-mock/src/database";
import { keyColumnsOf, keyOf } from "../uni-cloud-mock/src/database/key-columns";
import { toSqlJsonPath } from "../uni-cloud-mock/src/database/json-path";
import { loadIndexDefinitions, quoteIdentifier } from "../uni-cloud-mock/src/database/schema";
import { median, type BenchRow } from "./table";
import { walPagesPer } from "./wal-pages";

/**
 * The storage floor of a payment notification (issue 19): the same logical work as the settle transaction
 * (one indexed read of the order, its conditional update, the user's balance, a ledger row and a log row),
 * in one IMMEDIATE transaction, with plain better-sqlite3 statements prepared once and no document layer.
 * The rows are the pipeline's own, field for field and of the same sizes: the floor writes what it writes.
 *
 * - layout (a): `_id` + JSON `doc` with expression indexes, as the emulator stored documents before;
 * - layout (b): the emulator's tables as it makes them now (key columns beside the JSON, indexes over them).
 * Both carry exactly the indexes the `*.index.json` files ask for.
 */

const ORDERS = 8000;
// Rounds 0..ROUNDS (the last counts WAL pages), then up to EXTRA_ROUNDS more for sampleColumns(), of
// distinct orders within ORDERS.
const NOTIFICATIONS = 200;
const ROUNDS = 3;
// Seven for the v3 row and seven interleaved with its crypto, three for each of the seven provider rows.
const EXTRA_ROUNDS = 35;
const COLLECTIONS = ["vk-pay-orders", "uni-id-users", "vk-pay-balance-log", "vk-pay-notify-log"];

interface Layout {
  db: Sqlite.Database;
  file: string;
  settle(outTradeNo: string, now: number): void;
}

function pragmas(db: Sqlite.Database): void {
  // As the emulator's connection.ts sets them.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -32768");
  db.pragma("mmap_size = 268435456");
  db.pragma("wal_autocheckpoint = 10000");
}

const order = (i: number) => ({
  out_trade_no: `F${i}`,
  type: "recharge",
  provider: "wxpay",
  pay_type: "wxpay_h5",
  status: "NOTPAY",
  total_fee: 100,
  user_id: "u1",
  create_date: i,
  refund_fee: 0,
  custom: { recharge_balance: 100 },
});

/** A notification's log row as the pipeline writes it: WeChat's six headers and a body of the bench's size. */
const logRow = (outTradeNo: string, now: number) => ({
  provider: "wxpay",
  pay_type: "wxpay_h5",
  kind: "payment",
  out_trade_no: outTradeNo,
  outcome: "applied",
  hook: "done",
  path: `/vk-pay-notify/wxpay_h5/${outTradeNo}`,
  method: "POST",
  headers: {
    "content-type": "application/json",
    "wechatpay-timestamp": String(Math.floor(now / 1000)),
    "wechatpay-nonce": "75941CFF2268401AC9443D6395D112CA",
    "wechatpay-signature": "s".repeat(344),
    "wechatpay-serial": "PUB_KEY_ID_0100904630967375356947966101485",
    "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  },
  body: "x".repeat(707),
  body_base64: false,
  create_date: now,
});

/** What the pipeline writes into the order when it settles it: the payment's fields and the hook's marker. */
const settledOrderFields = (outTradeNo: string, now: number) => ({
  status: "SUCCESS",
  pay_date: now,
  notify_date: now,
  notify_mode: 1,
  transaction_id: `4200${outTradeNo}`,
  original_data: { path: `/vk-pay-notify/wxpay_h5/${outTradeNo}`, method: "POST", notify_log_id: "94d3d08ce729de84c91c1d36" },
  notify_info: {
    mchid: "1900000001",
    appid: "wx0000000000000001",
    out_trade_no: outTradeNo,
    transaction_id: `4200${outTradeNo}`,
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    success_time: "2026-11-25T12:00:00+08:00",
    amount: { total: 100, payer_total: 100, currency: "CNY", payer_currency: "CNY" },
  },
  user_order_success: true,
  hook_error: "",
  hook_attempts: 1,
  hook_date: now,
});

const definitions = (collection: string) => loadIndexDefinitions(join(SPACE_DIR, "database"), collection);

/** The settle transaction's five statements against one layout, and a row id per insert. */
interface Statements {
  find(outTradeNo: string): { _id: string; doc: string };
  pay(doc: Record<string, unknown>, id: string): number;
  credit(doc: string): void;
  ledger(id: string, doc: Record<string, unknown>): void;
  log(id: string, doc: Record<string, unknown>): void;
}

function settleWith(db: Sqlite.Database, statements: Statements): (outTradeNo: string, now: number) => void {
  const user = db.prepare(`SELECT doc FROM "uni-id-users" WHERE _id = ?`).pluck();
  let serial = 0;
  const settle = db.transaction((outTradeNo: string, now: number) => {
    const row = statements.find(outTradeNo);
    const doc = JSON.parse(row.doc);
    Object.assign(doc, settledOrderFields(outTradeNo, now));
    if (statements.pay(doc, row._id) !== 1) throw new Error("not paid");
    const account = JSON.parse(user.get("u1") as string);
    const before = account.balance;
    account.balance += 100;
    statements.credit(JSON.stringify(account));
    serial += 1;
    // The recharge hook's ledger row (router/service/pay-notify/recharge.ts).
    statements.ledger(`L${serial}`, {
      user_id: "u1",
      out_trade_no: outTradeNo,
      amount: 100,
      balance_before: before,
      balance_after: account.balance,
      type: "recharge",
      idempotency_key: `paid:${outTradeNo}`,
      create_date: now,
    });
    statements.log(`N${serial}`, logRow(outTradeNo, now));
  });
  return (outTradeNo, now) => settle.immediate(outTradeNo, now);
}

/**
 * (a) the layout before key columns, made here by hand: `_id` + JSON `doc`, and every index of the
 * `*.index.json` files as an expression index over `json_extract(doc, ...)`, so every update of `doc`
 * rewrites every index of its table.
 */
function jsonLayout(dir: string): Layout {
  const file = join(dir, "json.sqlite");
  const db = new Sqlite(file);
  pragmas(db);
  for (const collection of COLLECTIONS) {
    const table = quoteIdentifier(collection);
    db.exec(`CREATE TABLE ${table} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    for (const index of definitions(collection)) {
      const paths = index.keys.map((key) => toSqlJsonPath(key.path)!);
      const name = (suffix: string) => quoteIdentifier(`${collection}__${index.name}${suffix}`);
      if (index.unique) {
        const enforced = paths.map((path) => `ifnull(json_extract(doc, '${path}'), x'00'), ifnull(json_type(doc, '${path}'), 'null')`);
        const sparse = index.sparse ? ` WHERE ${paths.map((path) => `json_type(doc, '${path}') IS NOT NULL`).join(" OR ")}` : "";
        db.exec(`CREATE UNIQUE INDEX ${name("__unique")} ON ${table} (${enforced.join(", ")})${sparse}`);
      }
      const lookup = paths.map((path, position) => `json_extract(doc, '${path}')${index.keys[position].direction === -1 ? " DESC" : ""}`);
      if (!index.unique || paths.length > 1) db.exec(`CREATE INDEX ${name("")} ON ${table} (${lookup.join(", ")})`);
    }
  }
  const insertOrder = db.prepare(`INSERT INTO "vk-pay-orders" (_id, doc) VALUES (?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < ORDERS; i += 1) insertOrder.run(`o${i}`, JSON.stringify(order(i)));
    db.prepare(`INSERT INTO "uni-id-users" (_id, doc) VALUES ('u1', ?)`).run(JSON.stringify({ balance: 0, status: 0 }));
  })();
  const find = db.prepare(`SELECT _id, doc FROM "vk-pay-orders" WHERE ifnull(json_extract(doc, '$.out_trade_no'), x'00') = ?`);
  const pay = db.prepare(`UPDATE "vk-pay-orders" SET doc = ? WHERE _id = ? AND json_extract(doc, '$.status') = 'NOTPAY'`);
  const credit = db.prepare(`UPDATE "uni-id-users" SET doc = ? WHERE _id = 'u1'`);
  const ledger = db.prepare(`INSERT INTO "vk-pay-balance-log" (_id, doc) VALUES (?, ?)`);
  const log = db.prepare(`INSERT INTO "vk-pay-notify-log" (_id, doc) VALUES (?, ?)`);
  const settle = settleWith(db, {
    find: (outTradeNo) => find.get(outTradeNo) as { _id: string; doc: string },
    pay: (doc, id) => pay.run(JSON.stringify(doc), id).changes,
    credit: (doc) => credit.run(doc),
    ledger: (id, doc) => ledger.run(id, JSON.stringify(doc)),
    log: (id, doc) => log.run(id, JSON.stringify(doc)),
  });
  return { db, file, settle };
}

/** An INSERT of `doc` and its key columns into a table the emulator made. */
function insertWithKeys(db: Sqlite.Database, collection: string): (id: string, doc: Record<string, unknown>) => void {
  const columns = keyColumnsOf(definitions(collection));
  const names = columns.flatMap((column) => [column.value, column.type]);
  const insert = db.prepare(`INSERT INTO ${quoteIdentifier(collection)} (_id, doc, ${names.join(", ")}) VALUES (?, ?${", ?".repeat(names.length)})`);
  return (id, doc) => insert.run(id, JSON.stringify(doc), ...columns.flatMap((column) => keyOf(doc, column)));
}

/**
 * (b) the emulator's layout: its own tables (made by the emulator, then reopened here), the JSON plus
 * each indexed field in its key columns, so an update names only the fields it changes and SQLite leaves
 * the indexes of the others alone.
 */
async function columnLayout(dir: string): Promise<Layout> {
  const file = join(dir, "columns.sqlite");
  const emulator = createDatabase({ file, definitionsDir: join(SPACE_DIR, "database") });
  await emulator.collection("uni-id-users").add({ _id: "u1", balance: 0, status: 0 });
  for (let start = 0; start < ORDERS; start += 500) {
    await emulator.collection("vk-pay-orders").add(Array.from({ length: 500 }, (_, i) => order(start + i)));
  }
  for (const name of COLLECTIONS.slice(2)) await emulator.collection(name).add({ _id: "seed" });
  await emulator.close();
  const db = new Sqlite(file);
  pragmas(db);
  const find = db.prepare(`SELECT _id, doc FROM "vk-pay-orders" WHERE ifnull("key:out_trade_no", x'00') = ?`);
  const pay = db.prepare(
    `UPDATE "vk-pay-orders" SET doc = ?, "key:status" = 'SUCCESS', "type:status" = 'text', "key:transaction_id" = ?, "type:transaction_id" = 'text' WHERE _id = ? AND "key:status" = 'NOTPAY'`,
  );
  const credit = db.prepare(`UPDATE "uni-id-users" SET doc = ? WHERE _id = 'u1'`);
  const settle = settleWith(db, {
    find: (outTradeNo) => find.get(outTradeNo) as { _id: string; doc: string },
    pay: (doc, id) => pay.run(JSON.stringify(doc), doc.transaction_id, id).changes,
    credit: (doc) => credit.run(doc),
    ledger: insertWithKeys(db, "vk-pay-balance-log"),
    log: insertWithKeys(db, "vk-pay-notify-log"),
  });
  return { db, file, settle };
}

/** CPU ms per notification's storage work (and `before` it, when given), NOTIFICATIONS orders of this round. */
function round(layout: Layout, index: number, before?: (i: number) => void): number {
  const started = process.cpuUsage();
  for (let i = 0; i < NOTIFICATIONS; i += 1) {
    before?.(i);
    layout.settle(`F${index * NOTIFICATIONS + i}`, 1_700_000_000_000 + i);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / NOTIFICATIONS;
}

export interface StorageFloor {
  rows: BenchRow[];
  jsonFloor: number;
  columnFloor: number;
  jsonPages: number;
  columnPages: number;
  /**
   * One more round of layout (b), CPU ms each: a bench that alternates it with its own rounds reads its
   * ratio against a floor measured under the same conditions (this machine's speed drifts by half
   * between minutes, which a floor measured once, earlier, cannot follow).
   */
  sampleColumns(): number;
  /**
   * The same, each settle right after `work(i)` (a notification's crypto), CPU ms of both: the physical
   * work of a notification done as a server does it, one notification after another, so each part runs
   * with the caches the other left (a loop of one part alone keeps its code and data hot).
   */
  sampleColumnsAfter(work: (i: number) => void): number;
  close(): void;
}

/** The floor rows, in CPU ms per notification, for the pipeline row to be read against. */
export async function benchStorageFloor(): Promise<StorageFloor> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-floor-"));
  const layouts = { json: jsonLayout(dir), columns: await columnLayout(dir) };
  const samples = { json: [] as number[], columns: [] as number[] };
  let jsonPages = 0;
  let columnPages = 0;
  // Layout (b) stays open after the first rounds, for sampleColumns(); layout (a) is done with them.
  const closeColumns = () => {
    layouts.columns.db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < ROUNDS; index += 1) {
      samples.json.push(round(layouts.json, index));
      samples.columns.push(round(layouts.columns, index));
    }
    jsonPages = await walPagesPer(layouts.json.file, NOTIFICATIONS, () => round(layouts.json, ROUNDS));
    columnPages = await walPagesPer(layouts.columns.file, NOTIFICATIONS, () => round(layouts.columns, ROUNDS));
  } catch (error) {
    closeColumns();
    throw error;
  } finally {
    layouts.json.db.close();
  }
  let extra = 0;
  const sampleAfter = (work: ((i: number) => void) | undefined): number => {
    if (extra >= EXTRA_ROUNDS) throw new Error(`storage floor: only ${EXTRA_ROUNDS} extra rounds fit in ${ORDERS} orders`);
    extra += 1;
    return round(layouts.columns, ROUNDS + extra, work);
  };
  const jsonFloor = median(samples.json);
  const columnFloor = median(samples.columns);
  return {
    jsonFloor,
    columnFloor,
    jsonPages,
    columnPages,
    sampleColumns: () => sampleAfter(undefined),
    sampleColumnsAfter: sampleAfter,
    close: closeColumns,
    rows: [
      { name: "storage floor (a): JSON + expression indexes, the layout before (CPU ms each)", value: jsonFloor, target: "—", ok: true },
      { name: "storage floor (b): key columns, the emulator's layout (CPU ms each)", value: columnFloor, target: "—", ok: true },
    ],
  };
}
