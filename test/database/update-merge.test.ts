import { rejection, useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

async function seed(doc: Record<string, unknown>) {
  const docs = getDb().collection("docs");
  await docs.add({ _id: "a", ...doc });
  return {
    update: (data: unknown) => docs.doc("a").update(data),
    read: async () => ((await docs.doc("a").get()).data as Array<Record<string, unknown>>)[0],
  };
}

describe("update merge semantics", () => {
  it("merges nested objects field by field and keeps siblings", async () => {
    const doc = await seed({ count: { fav: 1, follow: 2 }, other: 1 });
    await doc.update({ count: { fav: 3, deep: { x: 1 } } });
    expect(await doc.read()).toEqual({ _id: "a", count: { fav: 3, follow: 2, deep: { x: 1 } }, other: 1 });
  });

  it("dotted keys address nested fields and create missing parents", async () => {
    const doc = await seed({ count: { fav: 1 } });
    await doc.update({ "count.fav": 2, "made.up.path": true });
    expect(await doc.read()).toEqual({ _id: "a", count: { fav: 2 }, made: { up: { path: true } } });
  });

  it("numeric keys update array elements (padding with null beyond the end)", async () => {
    const doc = await seed({ arr: ["a", "b", "c"], objs: [{ n: 1 }, { n: 2 }] });
    await doc.update({ arr: { 1: "x" }, "objs.1.n": 5 });
    expect(await doc.read()).toMatchObject({ arr: ["a", "x", "c"], objs: [{ n: 1 }, { n: 5 }] });
    await doc.update({ "arr.4": "e" });
    expect((await doc.read()).arr).toEqual(["a", "x", "c", null, "e"]);
  });

  it("db.command.set replaces a sub-object instead of merging", async () => {
    const doc = await seed({ count: { fav: 1, follow: 2 } });
    await doc.update({ count: getDb().command.set({ fav: 9 }) });
    expect((await doc.read()).count).toEqual({ fav: 9 });
  });

  it("arrays and Dates given as values replace the old value", async () => {
    const doc = await seed({ arr: [1, 2, 3] });
    const when = new Date(1000);
    await doc.update({ arr: [9], when });
    const read = await doc.read();
    expect(read.arr).toEqual([9]);
    expect(read.when).toEqual(when);
  });

  it("an empty object merges nothing into an existing object and creates a missing one", async () => {
    const doc = await seed({ keep: { x: 1 }, scalar: 5 });
    expect(await doc.update({ keep: {}, fresh: {} })).toEqual({ updated: 1 });
    expect(await doc.read()).toEqual({ _id: "a", keep: { x: 1 }, scalar: 5, fresh: {} });
    await doc.update({ scalar: {} });
    expect((await doc.read()).scalar).toEqual({});
  });

  it("undefined values update nothing (they vanish in uniCloud's JSON transport)", async () => {
    const doc = await seed({ n: 1 });
    expect(await doc.update({ n: 2, gone: undefined })).toEqual({ updated: 1 });
    expect(await doc.read()).toEqual({ _id: "a", n: 2 });
  });

  it("_id cannot be changed (the same value is tolerated)", async () => {
    const doc = await seed({ n: 1 });
    expect((await rejection(doc.update({ _id: "b", n: 2 }))).errCode).toBe("INVALID_PARAM");
    expect(await doc.update({ _id: "a", n: 2 })).toEqual({ updated: 1 });
    expect(await doc.read()).toEqual({ _id: "a", n: 2 });
  });

  it("rejects conflicting paths, $ field names, and creating fields inside scalars, changing nothing", async () => {
    const doc = await seed({ n: 1, s: "text" });
    for (const bad of [{ a: 1, "a.b": 2 }, { a: getDb().command.rename("b"), b: 1 }, { $set: { n: 2 } }, { n: { $inc: 1 } }, { "s.x": 1 }, {}, null, [1]]) {
      expect((await rejection(doc.update(bad))).errCode).toBe("INVALID_PARAM");
    }
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 5000; level += 1) deep = { n: deep };
    expect((await rejection(doc.update(deep))).errMsg).toMatch(/nesting/);
    expect(await doc.read()).toEqual({ _id: "a", n: 1, s: "text" });
  });

  it("where().update is all-or-nothing when one document fails", async () => {
    const docs = getDb().collection("docs");
    await docs.add([
      { _id: "1", g: 1, v: { x: 1 } },
      { _id: "2", g: 1, v: 5 },
    ]);
    await rejection(docs.where({ g: 1 }).update({ "v.x": 2 }));
    expect((await docs.doc("1").get()).data).toEqual([{ _id: "1", g: 1, v: { x: 1 } }]);
  });
});
