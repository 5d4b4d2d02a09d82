import Sqlite from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPACE_DIR } from "../build/paths";
import { createDatabase } from "../uni-cloud-mock/src/database";
import { median, type BenchRow } from "./table";
import { walPagesPer } from "./wal-pages";

/**
 * The storage floor of a payment notification (issue 19): the same logical work as the settle transaction
 * (one indexed read of the order, its conditional update, the user's balance, a ledger row and a log row),
 * in one IMMEDIATE transaction, with plain better-sqlite3 statements prepared once and no document layer.
 *
 * - layout (a): the emulator's tables (`_id`, JSON `doc`) and exactly the expression indexes it creates
 *   from the `*.index.json` files (the tables are made by the emulator itself, then reopened here);
 * - layout (b): the indexed fields as maintained columns beside the JSON, each with one plain index, so an
 *   update names only the columns it changes and SQLite leaves every other index alone.
 */

const ORDERS = 1000;
// Rounds 0..ROUNDS (the last counts WAL pages) of distinct orders within ORDERS.
const NOTIFICATIONS = 200;
const ROUNDS = 3;
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

const logRow = (outTradeNo: string, now: number) => ({
  provider: "wxpay",
  pay_type: "wxpay_h5",
  outcome: "applied",
  kind: "payment",
  out_trade_no: outTradeNo,
  path: `/vk-pay-notify/wxpay_h5/${outTradeNo}`,
  method: "POST",
  headers: { "content-type": "application/json", "wechatpay-serial": "PUB_KEY_ID_0114232134912410000000000000" },
  body: "x".repeat(900),
  body_base64: false,
  create_date: now,
});

/** (a): the emulator creates its own tables and indexes; the floor then runs plain SQL against them. */
async function jsonLayout(dir: string): Promise<Layout> {
  const file = join(dir, "json.sqlite");
  const emulator = createDatabase({ file, definitionsDir: join(SPACE_DIR, "database") });
  await emulator.collection("uni-id-users").add({ _id: "u1", balance: 0, status: 0 });
  for (let start = 0; start < ORDERS; start += 500) {
    await emulator.collection("vk-pay-orders").add(Array.from({ length: 500 }, (_, i) => order(start + i)));
  }
  for (const name of COLLECTIONS.slice(2)) await emulator.collection(name).add({ _id: "seed" });
  await emulator.close();
  const db = new Sqlite(file);
  pragmas(db);
  // Spelled as the unique index's expression (the only index on out_trade_no), as sql-prefilter.ts does.
  const find = db.prepare(`SELECT _id, doc FROM "vk-pay-orders" WHERE ifnull(json_extract(doc, '$.out_trade_no'), x'00') = ?`);
  const pay = db.prepare(`UPDATE "vk-pay-orders" SET doc = ? WHERE _id = ? AND json_extract(doc, '$.status') = 'NOTPAY'`);
  const user = db.prepare(`SELECT doc FROM "uni-id-users" WHERE _id = ?`).pluck();
  const credit = db.prepare(`UPDATE "uni-id-users" SET doc = ? WHERE _id = ?`);
  const ledger = db.prepare(`INSERT INTO "vk-pay-balance-log" (_id, doc) VALUES (?, ?)`);
  const log = db.prepare(`INSERT INTO "vk-pay-notify-log" (_id, doc) VALUES (?, ?)`);
  let serial = 0;
  const settle = db.transaction((outTradeNo: string, now: number) => {
    const row = find.get(outTradeNo) as { _id: string; doc: string };
    const doc = JSON.parse(row.doc);
    Object.assign(doc, { status: "SUCCESS", pay_date: now, transaction_id: `4200${outTradeNo}`, user_order_success: true });
    if (pay.run(JSON.stringify(doc), row._id).changes !== 1) throw new Error("not paid");
    const account = JSON.parse(user.get("u1") as string);
    account.balance += 100;
    credit.run(JSON.stringify(account), "u1");
    serial += 1;
    ledger.run(
      `L${serial}`,
      JSON.stringify({
        user_id: "u1",
        value: 100,
        balance: account.balance,
        out_trade_no: outTradeNo,
        idempotency_key: `paid:${outTradeNo}`,
        create_date: now,
      }),
    );
    log.run(`N${serial}`, JSON.stringify(logRow(outTradeNo, now)));
  });
  return { db, file, settle: (outTradeNo, now) => settle.immediate(outTradeNo, now) };
}

/** (b): the fields the indexes name as real columns, kept beside the JSON by the writer. */
function columnLayout(dir: string): Layout {
  const file = join(dir, "columns.sqlite");
  const db = new Sqlite(file);
  pragmas(db);
  db.exec(`
    CREATE TABLE orders (_id TEXT PRIMARY KEY, doc TEXT NOT NULL, out_trade_no TEXT, user_id TEXT, status TEXT, create_date INTEGER, transaction_id TEXT);
    CREATE UNIQUE INDEX orders_out_trade_no ON orders (out_trade_no);
    CREATE INDEX orders_user_id ON orders (user_id);
    CREATE INDEX orders_status ON orders (status);
    CREATE INDEX orders_create_date ON orders (create_date DESC);
    CREATE INDEX orders_transaction_id ON orders (transaction_id);
    CREATE TABLE users (_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE ledger (_id TEXT PRIMARY KEY, doc TEXT NOT NULL, idempotency_key TEXT, user_id TEXT, out_trade_no TEXT, create_date INTEGER);
    CREATE UNIQUE INDEX ledger_idempotency_key ON ledger (idempotency_key);
    CREATE INDEX ledger_user_id ON ledger (user_id);
    CREATE INDEX ledger_out_trade_no ON ledger (out_trade_no);
    CREATE INDEX ledger_create_date ON ledger (create_date DESC);
    CREATE TABLE log (_id TEXT PRIMARY KEY, doc TEXT NOT NULL, out_trade_no TEXT, create_date INTEGER, outcome TEXT);
    CREATE INDEX log_out_trade_no ON log (out_trade_no);
    CREATE INDEX log_create_date ON log (create_date DESC);
    CREATE INDEX log_outcome ON log (outcome);
  `);
  const insertOrder = db.prepare(`INSERT INTO orders (_id, doc, out_trade_no, user_id, status, create_date) VALUES (?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < ORDERS; i += 1) {
      const fields = order(i);
      insertOrder.run(`o${i}`, JSON.stringify(fields), fields.out_trade_no, fields.user_id, fields.status, fields.create_date);
    }
  })();
  db.prepare(`INSERT INTO users (_id, doc) VALUES ('u1', ?)`).run(JSON.stringify({ balance: 0, status: 0 }));
  const find = db.prepare(`SELECT _id, doc FROM orders WHERE out_trade_no = ?`);
  const pay = db.prepare(`UPDATE orders SET doc = ?, status = 'SUCCESS', transaction_id = ? WHERE _id = ? AND status = 'NOTPAY'`);
  const user = db.prepare(`SELECT doc FROM users WHERE _id = ?`).pluck();
  const credit = db.prepare(`UPDATE users SET doc = ? WHERE _id = ?`);
  const ledger = db.prepare(`INSERT INTO ledger (_id, doc, idempotency_key, user_id, out_trade_no, create_date) VALUES (?, ?, ?, ?, ?, ?)`);
  const log = db.prepare(`INSERT INTO log (_id, doc, out_trade_no, create_date, outcome) VALUES (?, ?, ?, ?, ?)`);
  let serial = 0;
  const settle = db.transaction((outTradeNo: string, now: number) => {
    const row = find.get(outTradeNo) as { _id: string; doc: string };
    const doc = JSON.parse(row.doc);
    const transactionId = `4200${outTradeNo}`;
    Object.assign(doc, { status: "SUCCESS", pay_date: now, transaction_id: transactionId, user_order_success: true });
    if (pay.run(JSON.stringify(doc), transactionId, row._id).changes !== 1) throw new Error("not paid");
    const account = JSON.parse(user.get("u1") as string);
    account.balance += 100;
    credit.run(JSON.stringify(account), "u1");
    serial += 1;
    const key = `paid:${outTradeNo}`;
    ledger.run(
      `L${serial}`,
      JSON.stringify({ user_id: "u1", value: 100, balance: account.balance, out_trade_no: outTradeNo, idempotency_key: key, create_date: now }),
      key,
      "u1",
      outTradeNo,
      now,
    );
    log.run(`N${serial}`, JSON.stringify(logRow(outTradeNo, now)), outTradeNo, now, "applied");
  });
  return { db, file, settle: (outTradeNo, now) => settle.immediate(outTradeNo, now) };
}

/** CPU ms per notification's storage work, NOTIFICATIONS orders of this round. */
function round(layout: Layout, index: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < NOTIFICATIONS; i += 1) layout.settle(`F${index * NOTIFICATIONS + i}`, 1_700_000_000_000 + i);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / NOTIFICATIONS;
}

export interface StorageFloor {
  rows: BenchRow[];
  jsonFloor: number;
  columnFloor: number;
  jsonPages: number;
  columnPages: number;
}

/** The floor rows, in CPU ms per notification, for the pipeline row to be read against. */
export async function benchStorageFloor(): Promise<StorageFloor> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-floor-"));
  const layouts = { json: await jsonLayout(dir), columns: columnLayout(dir) };
  const samples = { json: [] as number[], columns: [] as number[] };
  let jsonPages = 0;
  let columnPages = 0;
  try {
    for (let index = 0; index < ROUNDS; index += 1) {
      samples.json.push(round(layouts.json, index));
      samples.columns.push(round(layouts.columns, index));
    }
    jsonPages = await walPagesPer(layouts.json.file, NOTIFICATIONS, () => round(layouts.json, ROUNDS));
    columnPages = await walPagesPer(layouts.columns.file, NOTIFICATIONS, () => round(layouts.columns, ROUNDS));
  } finally {
    layouts.json.db.close();
    layouts.columns.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const jsonFloor = median(samples.json);
  const columnFloor = median(samples.columns);
  return {
    jsonFloor,
    columnFloor,
    jsonPages,
    columnPages,
    rows: [
      { name: "storage floor (a): JSON + expression indexes (CPU ms each)", value: jsonFloor, target: "—", ok: true },
      { name: "storage floor (b): indexed fields as columns (CPU ms each)", value: columnFloor, target: "—", ok: true },
    ],
  };
}
