import BetterSqlite3 from "better-sqlite3";
import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { buildSqlOrder } from "../../scripts/uni-cloud-mock/src/database/sql-order";
import { compareValues } from "../../scripts/uni-cloud-mock/src/database/values";
import { useTempDir } from "./helpers";

const temp = useTempDir();

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SCALARS: unknown[] = [0, 1, -2, 1.5, 10, "", "a", "B", "b", "😀", "\uffff", true, false, null];

/** MongoDB's order for scalar or missing values, ties in insertion order. */
function referenceOrder(docs: Array<Record<string, unknown>>, keys: Array<[string, 1 | -1]>): unknown[] {
  return docs
    .map((doc, index) => ({ doc, index }))
    .sort((a, b) => {
      for (const [field, direction] of keys) {
        const order = compareValues(a.doc[field] ?? null, b.doc[field] ?? null);
        if (order !== 0) return order * direction;
      }
      return a.index - b.index;
    })
    .map((entry) => entry.doc._id);
}

describe("orderBy computed in SQL", () => {
  it("matches MongoDB's order for scalar fields of mixed types, and is really used", async () => {
    const file = join(temp.path(), "order.sqlite");
    const db = createDatabase({ file });
    const next = random(99);
    const pick = () => SCALARS[Math.floor(next() * SCALARS.length)];
    const docs = Array.from({ length: 200 }, (_, index) => {
      const doc: Record<string, unknown> = { _id: `d${String(index).padStart(3, "0")}` };
      if (next() < 0.9) doc.a = pick();
      if (next() < 0.9) doc.b = pick();
      return doc;
    });
    await db.collection("docs").add(docs);
    const raw = new BetterSqlite3(file, { readonly: true });
    const known = new Set(raw.prepare(`SELECT path FROM "__vk_array_paths" WHERE collection = 'docs'`).pluck().all() as string[]);
    raw.close();
    expect(buildSqlOrder([{ path: ["a"], direction: 1 }], known)).toBeDefined();
    for (const keys of [
      [["a", 1]],
      [["a", -1]],
      [
        ["a", 1],
        ["b", -1],
      ],
      [
        ["b", -1],
        ["a", 1],
      ],
      [
        ["a", 1],
        ["_id", -1],
      ],
    ] as Array<Array<[string, 1 | -1]>>) {
      let query = db.collection("docs").limit(1000);
      for (const [field, direction] of keys) query = query.orderBy(field, direction === 1 ? "asc" : "desc");
      expect((await query.get()).data.map((doc) => doc._id)).toEqual(referenceOrder(docs, keys));
      // Paging through the SQL order gives the same sequence.
      let paged = db.collection("docs").skip(50).limit(20);
      for (const [field, direction] of keys) paged = paged.orderBy(field, direction === 1 ? "asc" : "desc");
      expect((await paged.get()).data.map((doc) => doc._id)).toEqual(referenceOrder(docs, keys).slice(50, 70));
    }
    await db.close();
  });

  it("falls back to JS as soon as a field holds an embedded document, a Date or an array", async () => {
    const db = createDatabase({ file: ":memory:" });
    await db.collection("docs").add([
      { _id: "num", v: 5 },
      { _id: "date", v: new Date(0) },
      { _id: "obj", v: { z: 1 } },
      { _id: "arr", v: [9, 0] },
      { _id: "str", v: "s" },
    ]);
    expect((await db.collection("docs").orderBy("v", "asc").get()).data.map((doc) => doc._id)).toEqual(["arr", "num", "str", "obj", "date"]);
    const known = new Set(["{}", "{}v"]);
    expect(buildSqlOrder([{ path: ["v"], direction: 1 }], known)).toBeUndefined();
    expect(buildSqlOrder([{ path: ["v"], direction: 1 }], new Set())).toBeUndefined();
    expect(buildSqlOrder([{ path: ["v", "w"], direction: 1 }], new Set(["{}", "v"]))).toBeUndefined();
    await db.close();
  });

  it("backfills path tracking for a table written before it existed", async () => {
    const file = join(temp.path(), "old.sqlite");
    const raw = new BetterSqlite3(file);
    raw.exec(`CREATE TABLE "__vk_array_paths" (collection TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (collection, path)) WITHOUT ROWID`);
    raw.exec(`CREATE TABLE "docs" (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    raw.prepare(`INSERT INTO "docs" VALUES (?, ?)`).run("old", JSON.stringify({ v: { $date: 0 } }));
    raw.close();
    const db = createDatabase({ file });
    await db.collection("docs").add({ _id: "new", v: 1 });
    expect((await db.collection("docs").orderBy("v", "desc").get()).data.map((doc) => doc._id)).toEqual(["old", "new"]);
    await db.close();
    const check = new BetterSqlite3(file, { readonly: true });
    const tracked = check.prepare(`SELECT path FROM "__vk_array_paths" WHERE collection = 'docs' ORDER BY path`).pluck().all();
    check.close();
    expect(tracked).toEqual(["{}", "{}v"]);
  });
});
