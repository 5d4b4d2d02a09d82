import BetterSqlite3 from "better-sqlite3";
import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { compileWhere } from "../../scripts/uni-cloud-mock/src/database/query-compiler";
import { buildPrefilter } from "../../scripts/uni-cloud-mock/src/database/sql-prefilter";
import { keyColumnsIn, plainIndex, rejection, uniqueIndex, useTempDir, writeIndexFile } from "./helpers";

const temp = useTempDir();

function explain(file: string, collection: string, where: unknown, uniquePaths: string[] = []): string {
  const prefilter = buildPrefilter(compileWhere(where), new Set(), new Set(uniquePaths), new Set(), keyColumnsIn(temp.path(), collection));
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    const rows = raw.prepare(`EXPLAIN QUERY PLAN SELECT rowid, _id, doc FROM "${collection}" WHERE ${prefilter!.sql}`).all(...prefilter!.params) as Array<{
      detail: string;
    }>;
    return rows.map((row) => row.detail).join("\n");
  } finally {
    raw.close();
  }
}

describe("indexes from <collection>.index.json", () => {
  it("creates indexes over key columns that equality lookups use", async () => {
    writeIndexFile(temp.path(), "orders", [plainIndex("user_id_1", ["user_id"]), uniqueIndex("pay.no_1", ["pay.no"])]);
    const file = join(temp.path(), "db.sqlite");
    const db = createDatabase({ file, definitionsDir: temp.path() });
    await db.collection("orders").add({ user_id: "u1", pay: { no: "p1" } });
    expect(explain(file, "orders", { user_id: "u1" })).toMatch(/USING INDEX orders__user_id_1/);
    // A single-field unique definition is one index, the enforcing one, which lookups spell its way.
    expect(explain(file, "orders", { pay: { no: "p1" } }, ["pay.no"])).toMatch(/USING INDEX orders__pay.no_1__unique/);
    expect(explain(file, "orders", { _id: "x" })).toMatch(/USING INDEX sqlite_autoindex_orders_1/);
    expect(explain(file, "orders", { other: "x" })).toMatch(/SCAN orders/);
    // Without statistics SQLite would happily walk a low-selectivity index; a unique field wins.
    expect(explain(file, "orders", { user_id: "u1", pay: { no: "p1" } }, ["pay.no"])).toMatch(/USING INDEX orders__pay.no_1/);
    expect(explain(file, "orders", { user_id: "u1", _id: "x" })).toMatch(/USING INDEX sqlite_autoindex_orders_1/);
    await db.close();
  });

  it("keeps one index per single-field unique definition, sparse ones included, and answers through it", async () => {
    writeIndexFile(temp.path(), "orders", [uniqueIndex("no_1", ["no"]), uniqueIndex("claim_1", ["claim"], { MgoIsSparse: true })]);
    const file = join(temp.path(), "db.sqlite");
    const before = new BetterSqlite3(file);
    // A file from before: a plain lookup index beside the enforcing one, which the emulator now drops.
    before.exec(`CREATE TABLE orders (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL); CREATE INDEX "orders__no_1" ON orders (json_extract(doc, '$.no'))`);
    before.close();
    const db = createDatabase({ file, definitionsDir: temp.path() });
    await db.collection("orders").add([
      { _id: "a", no: "n1", claim: "c1" },
      { _id: "b", no: "n2" },
      { _id: "c", no: null },
    ]);
    const raw = new BetterSqlite3(file, { readonly: true });
    const names = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' ORDER BY name`).pluck().all();
    raw.close();
    expect(names).toEqual(["orders__claim_1__unique", "orders__no_1__unique", "sqlite_autoindex_orders_1"]);
    expect(explain(file, "orders", { no: "n1" }, ["no"])).toMatch(/USING INDEX orders__no_1__unique/);
    const sparse = buildPrefilter(compileWhere({ claim: "c1" }), new Set(), new Set(["claim"]), new Set(["claim"]), keyColumnsIn(temp.path(), "orders"));
    const plan = new BetterSqlite3(file, { readonly: true });
    expect(plan.prepare(`EXPLAIN QUERY PLAN SELECT _id FROM orders WHERE ${sparse!.sql}`).all(...sparse!.params)).toEqual([
      expect.objectContaining({ detail: expect.stringMatching(/USING INDEX orders__claim_1__unique/) }),
    ]);
    plan.close();
    const ids = async (where: Record<string, unknown>) => (await db.collection("orders").where(where).get()).data.map((doc) => doc._id);
    expect(await ids({ no: "n2" })).toEqual(["b"]);
    expect(await ids({ no: null })).toEqual(["c"]);
    expect(await ids({ claim: "c1" })).toEqual(["a"]);
    expect(await ids({ claim: null })).toEqual(["b", "c"]);
    expect(await ids({ no: db.command.in(["n1", null]) })).toEqual(["a", "c"]);
    expect(await ids({ no: db.command.gt("n1") })).toEqual(["b"]);
    await db.close();
  });

  it("rejects a unique violation with a duplicate-key error and changes nothing", async () => {
    writeIndexFile(temp.path(), "orders", [uniqueIndex("out_trade_no_1", ["out_trade_no"])]);
    const db = createDatabase({ file: join(temp.path(), "db.sqlite"), definitionsDir: temp.path() });
    const orders = db.collection("orders");
    await orders.add({ _id: "o1", out_trade_no: "T1", status: 0 });
    await orders.add({ _id: "o2", out_trade_no: "T2", status: 0 });
    const onAdd = await rejection(orders.add({ out_trade_no: "T1" }));
    expect(onAdd).toMatchObject({ errCode: "DUPLICATE_KEY" });
    expect(onAdd.errMsg).toBe('E11000 duplicate key error collection: orders index: out_trade_no_1 dup key: { out_trade_no: "T1" }');
    expect((await rejection(orders.doc("o2").update({ out_trade_no: "T1", status: 1 }))).errCode).toBe("DUPLICATE_KEY");
    expect((await rejection(orders.doc("o2").set({ out_trade_no: "T1" }))).errCode).toBe("DUPLICATE_KEY");
    expect((await rejection(orders.where({ status: 0 }).update({ out_trade_no: "same" }))).errCode).toBe("DUPLICATE_KEY");
    expect((await orders.orderBy("_id", "asc").get()).data).toEqual([
      { _id: "o1", out_trade_no: "T1", status: 0 },
      { _id: "o2", out_trade_no: "T2", status: 0 },
    ]);
    await db.close();
  });

  it("treats missing as null in a unique index, as MongoDB does, unless the index is sparse", async () => {
    writeIndexFile(temp.path(), "a", [uniqueIndex("k_1", ["k"])]);
    writeIndexFile(temp.path(), "b", [uniqueIndex("k_1", ["k"], { MgoIsSparse: true })]);
    const db = createDatabase({ file: ":memory:", definitionsDir: temp.path() });
    await db.collection("a").add({ x: 1 });
    expect((await rejection(db.collection("a").add({ x: 2 }))).errCode).toBe("DUPLICATE_KEY");
    await db.collection("b").add([{ x: 1 }, { x: 2 }]);
    expect((await db.collection("b").count()).total).toBe(2);
    expect((await rejection(db.collection("b").add([{ k: 1 }, { k: 1 }]))).errCode).toBe("DUPLICATE_KEY");
    // Types stay distinct even where SQLite's json_extract would merge them (true vs 1, "1" vs 1).
    await db.collection("b").add([{ k: true }, { k: "1" }, { k: 1 }, { k: null }]);
    expect((await rejection(db.collection("b").add({ k: null }))).errCode).toBe("DUPLICATE_KEY");
    await db.close();
  });

  it("supports compound unique indexes", async () => {
    writeIndexFile(temp.path(), "c", [uniqueIndex("a_1_b_1", ["a", "b"])]);
    const db = createDatabase({ file: ":memory:", definitionsDir: temp.path() });
    await db.collection("c").add([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]);
    expect((await rejection(db.collection("c").add({ a: 1, b: 2 }))).errMsg).toContain("index: a_1_b_1 dup key: { a: 1, b: 2 }");
    await db.close();
  });

  it("fails clearly on a broken index.json", async () => {
    writeIndexFile(temp.path(), "bad", [{ IndexName: "x" }]);
    const db = createDatabase({ file: ":memory:", definitionsDir: temp.path() });
    expect((await rejection(db.collection("bad").get())).errMsg).toMatch(/MgoIndexKeys/);
    await db.close();
  });
});

describe("persistence", () => {
  it("keeps documents across close and reopen, in WAL mode", async () => {
    const file = join(temp.path(), "data.sqlite");
    const first = createDatabase({ file });
    await first.collection("orders").add({ _id: "keep", when: new Date(42), nested: { a: [1, 2] } });
    await first.close();
    const second = createDatabase({ file });
    const { data } = await second.collection("orders").doc("keep").get();
    expect(data).toEqual([{ _id: "keep", when: new Date(42), nested: { a: [1, 2] } }]);
    await second.close();
    const raw = new BetterSqlite3(file);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("sees writes made by another connection to the same file", async () => {
    const file = join(temp.path(), "shared.sqlite");
    const one = createDatabase({ file });
    const two = createDatabase({ file });
    await one.collection("c").add({ _id: "1", tags: "scalar" });
    expect((await two.collection("c").where({ tags: "scalar" }).count()).total).toBe(1);
    // An array written by the other connection must turn off the SQL prefilter for that path.
    await two.collection("c").add({ _id: "2", tags: ["a", "scalar"] });
    expect((await one.collection("c").where({ tags: "scalar" }).count()).total).toBe(2);
    // The writer connection's cache of array paths must notice the other connection's write too.
    expect(await one.collection("c").where({ tags: "scalar" }).update({ seen: true })).toEqual({ updated: 2 });
    await one.close();
    await two.close();
  });
});
