import BetterSqlite3 from "better-sqlite3";
import fc from "fast-check";
import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { plainIndex, uniqueIndex, useTempDir, writeIndexFile } from "./helpers";

const temp = useTempDir();

/** Rows whose key columns disagree with what SQLite's JSON functions read from the stored `doc`. */
function disagreeing(file: string, collection: string, fields: string[]): number {
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    const checks = fields.map((field) => {
      const path = `$.${field}`;
      return `"key:${field}" IS NOT json_extract(doc, '${path}') OR "type:${field}" IS NOT json_type(doc, '${path}')`;
    });
    return raw
      .prepare(`SELECT count(*) FROM "${collection}" WHERE ${checks.join(" OR ")}`)
      .pluck()
      .get() as number;
  } finally {
    raw.close();
  }
}

function indexSql(file: string, collection: string): string[] {
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    return raw
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`)
      .pluck()
      .all(collection) as string[];
  } finally {
    raw.close();
  }
}

// Values of every JSON type, Dates, nested objects and arrays, and text needing escapes.
const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e21, -0, 2 ** 53 + 2, 0.1),
  fc.string(),
  fc.constantFrom('quote " back \\ slash', "\u0001\u001f", "é中文😀"),
  fc.date({ noInvalidDate: true }),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("x", "y"), fc.oneof(fc.integer(), fc.string(), fc.date({ noInvalidDate: true }))),
);

describe("key columns", () => {
  it("hold what json_extract and json_type read from the stored document, after inserts and updates", async () => {
    writeIndexFile(temp.path(), "items", [plainIndex("a_1", ["a"]), plainIndex("b_c_1", ["b.c"])]);
    const file = join(temp.path(), "db.sqlite");
    const db = createDatabase({ file, definitionsDir: temp.path() });
    const items = db.collection("items");
    await fc.assert(
      fc.asyncProperty(fieldValue, fieldValue, fieldValue, fieldValue, async (a, c, nextA, nextB) => {
        const { id } = (await items.add({ a, b: { c } })) as { id: string };
        // A changed key through update (command.set replaces rather than merges), another through set.
        await items.doc(id).update({ a: db.command.set(nextA ?? null) });
        await items.doc(id).update({ note: "untouched keys" });
        const { id: other } = (await items.add({ a: 1 })) as { id: string };
        await items.doc(other).set({ a: nextB, b: { c: nextA } });
      }),
      { seed: 19, numRuns: 300 },
    );
    await db.close();
    expect(disagreeing(file, "items", ["a", "b.c"])).toBe(0);
  });

  it("let a lookup find a document by its changed key and no longer by the old one", async () => {
    writeIndexFile(temp.path(), "orders", [uniqueIndex("no_1", ["no"]), plainIndex("status_1", ["status"])]);
    const db = createDatabase({ file: join(temp.path(), "db.sqlite"), definitionsDir: temp.path() });
    const orders = db.collection("orders");
    await orders.add({ _id: "o1", no: "N1", status: "NOTPAY", note: "a" });
    await orders.doc("o1").update({ status: "SUCCESS" });
    await orders.doc("o1").update({ note: "b" });
    const ids = async (where: Record<string, unknown>) => (await orders.where(where).get()).data.map((doc) => doc._id);
    expect(await ids({ status: "SUCCESS" })).toEqual(["o1"]);
    expect(await ids({ status: "NOTPAY" })).toEqual([]);
    expect(await ids({ no: "N1", status: "SUCCESS" })).toEqual(["o1"]);
    await orders.doc("o1").set({ no: "N2", status: "CLOSED" });
    expect(await ids({ no: "N1" })).toEqual([]);
    expect(await ids({ no: "N2" })).toEqual(["o1"]);
    await expect(orders.add({ no: "N2" })).rejects.toMatchObject({ message: expect.stringMatching(/E11000 .* index: no_1 dup key: \{ no: "N2" \}/) });
    await db.close();
  });

  it("are added to a file from before, filled from its documents, and its expression indexes replaced", async () => {
    writeIndexFile(temp.path(), "orders", [uniqueIndex("no_1", ["no"]), plainIndex("user_1", ["user"])]);
    const file = join(temp.path(), "db.sqlite");
    const before = new BetterSqlite3(file);
    before.exec(`
      CREATE TABLE orders (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX "orders__user_1" ON orders (json_extract(doc, '$.user'));
      CREATE UNIQUE INDEX "orders__no_1__unique" ON orders (ifnull(json_extract(doc, '$.no'), x'00'), ifnull(json_type(doc, '$.no'), 'null'));
      INSERT INTO orders VALUES ('a', '{"no":"N1","user":"u1"}'), ('b', '{"no":7,"user":true}'), ('c', '{"user":"u1"}');
    `);
    before.close();
    const db = createDatabase({ file, definitionsDir: temp.path() });
    const orders = db.collection("orders");
    // The first write brings the layout up to date.
    await orders.add({ _id: "d", no: "N4", user: "u2" });
    expect(indexSql(file, "orders").some((sql) => sql.includes("json_extract"))).toBe(false);
    expect(disagreeing(file, "orders", ["no", "user"])).toBe(0);
    const ids = async (where: Record<string, unknown>) => (await orders.where(where).get()).data.map((doc) => doc._id);
    expect(await ids({ user: "u1" })).toEqual(["a", "c"]);
    expect(await ids({ no: 7 })).toEqual(["b"]);
    // `c` has no `no`: a second document without one collides, as in MongoDB.
    await expect(orders.add({ user: "u3" })).rejects.toMatchObject({ message: expect.stringMatching(/index: no_1 dup key/) });
    await db.close();
  });

  it("are dropped with the index that named them, so nothing stale is enforced later", async () => {
    const file = join(temp.path(), "db.sqlite");
    writeIndexFile(temp.path(), "orders", [uniqueIndex("no_1", ["no"])]);
    const first = createDatabase({ file, definitionsDir: temp.path() });
    await first.collection("orders").add({ no: "N1" });
    await first.close();
    writeIndexFile(temp.path(), "orders", [plainIndex("user_1", ["user"])]);
    const second = createDatabase({ file, definitionsDir: temp.path() });
    await second.collection("orders").add([{ no: "N1", user: "u1" }, { user: "u2" }]);
    expect((await second.collection("orders").where({ user: "u2" }).get()).data).toHaveLength(1);
    await second.close();
    const raw = new BetterSqlite3(file, { readonly: true });
    const columns = (raw.prepare(`PRAGMA table_info(orders)`).all() as Array<{ name: string }>).map((column) => column.name);
    raw.close();
    expect(columns).toEqual(["_id", "doc", "key:user", "type:user"]);
  });
});
