import { DatabaseError, DEFAULT_LIMIT, MAX_LIMIT } from "../../scripts/uni-cloud-mock/src/database";
import { rejection, useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

describe("add", () => {
  it("returns { id } for one document and { ids } for many, ids ObjectId-shaped and increasing", async () => {
    const orders = getDb().collection("orders");
    const one = (await orders.add({ a: 1 })) as { id: string };
    const many = (await orders.add([{ a: 2 }, { a: 3 }])) as { ids: string[] };
    expect(one.id).toMatch(/^[0-9a-f]{24}$/);
    expect(many.ids).toHaveLength(2);
    const all = [one.id, ...many.ids];
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(3);
    const { data } = await orders.get();
    expect(data.map((doc) => doc.a)).toEqual([1, 2, 3]);
  });

  it("keeps a given _id and rejects a duplicate with the uniCloud/MongoDB dup-key error", async () => {
    const orders = getDb().collection("orders");
    expect(await orders.add({ _id: "order-1", a: 1 })).toEqual({ id: "order-1" });
    const error = await rejection(orders.add({ _id: "order-1", a: 2 }));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.errCode).toBe("DUPLICATE_KEY");
    expect(error.errMsg).toContain("_id_ dup key");
    expect((await orders.doc("order-1").get()).data).toEqual([{ _id: "order-1", a: 1 }]);
  });

  it("adds an array atomically: one duplicate leaves nothing inserted", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "x" });
    await rejection(orders.add([{ _id: "y" }, { _id: "x" }]));
    expect((await orders.count()).total).toBe(1);
  });

  it("rejects non-objects, update operators, $ and dotted field names, non-finite numbers", async () => {
    const db = getDb();
    const orders = db.collection("orders");
    for (const bad of [
      null,
      5,
      "s",
      { a: db.command.inc(1) },
      { $gt: 1 },
      { "a.b": 1 },
      { a: { $set: 1 } },
      { a: Number.NaN },
      { a: () => 1 },
      { a: new Map() },
    ]) {
      expect((await rejection(orders.add(bad))).errCode).toBe("INVALID_PARAM");
    }
    expect((await orders.count()).total).toBe(0);
  });

  it("round-trips Dates as Date objects and drops undefined fields", async () => {
    const orders = getDb().collection("orders");
    const when = new Date("2024-05-06T07:08:09.123Z");
    const { id } = (await orders.add({ when, list: [when], gone: undefined })) as { id: string };
    const [doc] = (await orders.doc(id).get()).data as Array<Record<string, unknown>>;
    expect(doc.when).toBeInstanceOf(Date);
    expect((doc.when as Date).getTime()).toBe(when.getTime());
    expect((doc.list as Date[])[0]).toBeInstanceOf(Date);
    expect("gone" in doc).toBe(false);
    expect((await orders.where({ when }).count()).total).toBe(1);
  });

  it("enforces document size and nesting limits", async () => {
    const orders = getDb().collection("orders");
    const big = await rejection(orders.add({ blob: "x".repeat(16 * 1024 * 1024 + 1) }));
    expect(big.errCode).toBe("DOCUMENT_TOO_LARGE");
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 120; level += 1) deep = { n: deep };
    const nested = await rejection(orders.add(deep));
    expect(nested.errMsg).toMatch(/nesting/);
  });
});

describe("doc(id)", () => {
  it("get returns { data: [doc] } or { data: [] }", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "a", n: 1 });
    expect(await orders.doc("a").get()).toEqual({ data: [{ _id: "a", n: 1 }] });
    expect(await orders.doc("missing").get()).toEqual({ data: [] });
  });

  it("update merges, reports { updated: 0 } for a missing document and never creates it", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "a", n: 1, count: { fav: 1, follow: 2 } });
    expect(await orders.doc("a").update({ count: { fav: 5 } })).toEqual({ updated: 1 });
    expect((await orders.doc("a").get()).data).toEqual([{ _id: "a", n: 1, count: { fav: 5, follow: 2 } }]);
    expect(await orders.doc("nope").update({ n: 2 })).toEqual({ updated: 0 });
    expect((await orders.doc("nope").get()).data).toEqual([]);
  });

  it("update reports 0 when nothing changed", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "a", n: 1 });
    expect(await orders.doc("a").update({ n: 1 })).toEqual({ updated: 0 });
  });

  it("set replaces the whole document, or creates it with upsertedId", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "a", n: 1, keep: true });
    expect(await orders.doc("a").set({ m: 2 })).toEqual({ updated: 1 });
    expect((await orders.doc("a").get()).data).toEqual([{ _id: "a", m: 2 }]);
    expect(await orders.doc("a").set({ m: 2 })).toEqual({ updated: 1 });
    expect(await orders.doc("b").set({ z: 1 })).toEqual({ updated: 0, upsertedId: "b" });
    expect((await orders.doc("b").get()).data).toEqual([{ _id: "b", z: 1 }]);
  });

  it("remove reports { deleted }", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ _id: "a" });
    expect(await orders.doc("a").remove()).toEqual({ deleted: 1 });
    expect(await orders.doc("a").remove()).toEqual({ deleted: 0 });
  });

  it("rejects a non-string id", async () => {
    const orders = getDb().collection("orders");
    expect((await rejection(orders.doc(5).get())).errCode).toBe("INVALID_PARAM");
    expect((await rejection(orders.doc("").update({ a: 1 }))).errCode).toBe("INVALID_PARAM");
  });
});

describe("where", () => {
  it("get/count/update/remove with result shapes", async () => {
    const orders = getDb().collection("orders");
    await orders.add([
      { s: "paid", n: 1 },
      { s: "paid", n: 2 },
      { s: "new", n: 3 },
    ]);
    expect((await orders.where({ s: "paid" }).get()).data.map((doc) => doc.n)).toEqual([1, 2]);
    expect(await orders.where({ s: "paid" }).count()).toEqual({ total: 2 });
    expect(await orders.where({ s: "paid" }).update({ done: true })).toEqual({ updated: 2 });
    expect(await orders.where({ s: "paid" }).update({ done: true })).toEqual({ updated: 0 });
    expect(await orders.where({ s: "none" }).update({ done: true })).toEqual({ updated: 0 });
    expect(await orders.where({ done: true }).remove()).toEqual({ deleted: 2 });
    expect(await orders.count()).toEqual({ total: 1 });
  });

  it("refuses update/remove without where()", async () => {
    const orders = getDb().collection("orders");
    await orders.add({ a: 1 });
    expect((await rejection(orders.update({ a: 2 }))).errCode).toBe("INVALID_PARAM");
    expect((await rejection(orders.remove())).errCode).toBe("INVALID_PARAM");
    expect((await orders.get()).data[0].a).toBe(1);
  });

  it("applies limit 100 by default, caps at 1000, and supports skip and chained orderBy", async () => {
    const items = getDb().collection("items");
    await items.add(Array.from({ length: 1100 }, (_, index) => ({ index, group: index % 3 })));
    expect(DEFAULT_LIMIT).toBe(100);
    expect((await items.get()).data).toHaveLength(100);
    expect((await items.limit(5000).get()).data).toHaveLength(MAX_LIMIT);
    expect((await items.skip(1095).limit(10).get()).data.map((doc) => doc.index)).toEqual([1095, 1096, 1097, 1098, 1099]);
    const sorted = await items.orderBy("group", "desc").orderBy("index", "asc").limit(3).get();
    expect(sorted.data.map((doc) => [doc.group, doc.index])).toEqual([
      [2, 2],
      [2, 5],
      [2, 8],
    ]);
    expect((await items.count()).total).toBe(1100);
    expect((await rejection(items.limit(0).get())).errCode).toBe("INVALID_PARAM");
    expect((await rejection(items.orderBy("index", "up").get())).errCode).toBe("INVALID_PARAM");
  });

  it("is immutable: chaining returns new queries", async () => {
    const items = getDb().collection("items");
    await items.add([{ a: 1 }, { a: 2 }]);
    const base = items.where({ a: 1 });
    base.limit(1).where({ a: 2 });
    expect((await base.get()).data.map((doc) => doc.a)).toEqual([1]);
  });
});
