import { rejection, useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

let seeded = 0;

async function updated(initial: Record<string, unknown>, data: (cmd: ReturnType<typeof getDb>["command"]) => unknown) {
  const docs = getDb().collection("docs");
  const id = `seed-${(seeded += 1)}`;
  await docs.add({ _id: id, ...initial });
  const result = await docs.doc(id).update(data(getDb().command));
  const [doc] = (await docs.doc(id).get()).data as Array<Record<string, unknown>>;
  const { _id, ...rest } = doc;
  return { result, doc: rest };
}

describe("field update operators", () => {
  it("inc/mul create missing fields and are atomic under concurrency", async () => {
    expect((await updated({ n: 1 }, (_) => ({ n: _.inc(2), m: _.inc(5), k: _.mul(3) }))).doc).toEqual({ n: 3, m: 5, k: 0 });
    const docs = getDb().collection("docs");
    await docs.add({ _id: "counter", n: 0 });
    await Promise.all(Array.from({ length: 50 }, () => docs.doc("counter").update({ n: getDb().command.inc(1) })));
    expect(((await docs.doc("counter").get()).data as Array<{ n: number }>)[0].n).toBe(50);
  });

  it("inc on a non-number fails without changing anything", async () => {
    const docs = getDb().collection("docs");
    await docs.add({ _id: "a", s: "x", n: 1 });
    const error = await rejection(docs.doc("a").update({ n: getDb().command.inc(1), s: getDb().command.inc(1) }));
    expect(error.errCode).toBe("INVALID_PARAM");
    expect((await docs.doc("a").get()).data).toEqual([{ _id: "a", s: "x", n: 1 }]);
  });

  it("set/remove/min/max/rename", async () => {
    const { doc } = await updated({ a: { x: 1, y: 2 }, b: 5, c: 5, d: 1, old: "v" }, (_) => ({
      a: _.set({ z: 1 }),
      b: _.min(3),
      c: _.max(3),
      d: _.remove(),
      old: _.rename("fresh.name"),
    }));
    expect(doc).toEqual({ a: { z: 1 }, b: 3, c: 5, fresh: { name: "v" } });
  });
});

describe("array update operators", () => {
  it("push: value, array, and each/position/sort/slice", async () => {
    expect((await updated({ l: [1] }, (_) => ({ l: _.push(2) }))).doc.l).toEqual([1, 2]);
    expect((await updated({}, (_) => ({ l: _.push([1, 2]) }))).doc.l).toEqual([1, 2]);
  });

  it("push modifiers apply position, then sort, then slice", async () => {
    const docs = getDb().collection("docs");
    const _ = getDb().command;
    await docs.add({ _id: "p", l: [1, 2, 3], s: [5, 1], o: [{ v: 2 }, { v: 1 }] });
    await docs
      .doc("p")
      .update({ l: _.push({ each: [9, 8], position: 1 }), s: _.push({ each: [3], sort: -1, slice: 2 }), o: _.push({ each: [{ v: 0 }], sort: { v: 1 } }) });
    expect((await docs.doc("p").get()).data).toEqual([{ _id: "p", l: [1, 9, 8, 2, 3], s: [5, 3], o: [{ v: 0 }, { v: 1 }, { v: 2 }] }]);
  });

  it("pop/shift/unshift/pull/pullAll/addToSet", async () => {
    const { doc } = await updated(
      {
        a: [1, 2, 3],
        b: [1, 2, 3],
        c: [3],
        d: [1, 5, 8, 2],
        e: [1, 2, 1, 3],
        f: [1],
        g: [
          { k: 1, v: 1 },
          { k: 2, v: 1 },
        ],
      },
      (_) => ({
        a: _.pop(),
        b: _.shift(),
        c: _.unshift([1, 2]),
        d: _.pull(_.gt(4)),
        e: _.pullAll([1, 3]),
        f: _.addToSet({ each: [1, 2, 2] }),
        g: _.pull({ k: 2 }),
      }),
    );
    expect(doc).toEqual({ a: [1, 2], b: [2, 3], c: [1, 2, 3], d: [1, 2], e: [2], f: [1, 2], g: [{ k: 1, v: 1 }] });
  });

  it("refuses array operators on non-arrays and bad modifiers", async () => {
    const docs = getDb().collection("docs");
    const _ = getDb().command;
    await docs.add({ _id: "a", n: 1, l: [] });
    for (const data of [
      { n: _.push(1) },
      { l: _.push({ each: 1 }) },
      { l: _.push({ each: [1], slice: "x" }) },
      { l: _.pullAll(1) },
      { n: _.inc("1") },
      { l: _.rename(5) },
      { l: _.gt(1) },
    ]) {
      expect((await rejection(docs.doc("a").update(data))).errCode).toBe("INVALID_PARAM");
    }
    expect((await docs.doc("a").get()).data).toEqual([{ _id: "a", n: 1, l: [] }]);
  });
});

describe("updateAndReturn", () => {
  it("doc().updateAndReturn returns { updated, doc } with the document after the update", async () => {
    const docs = getDb().collection("docs");
    await docs.add({ _id: "a", n: 1 });
    expect(await docs.doc("a").updateAndReturn({ n: getDb().command.inc(1) })).toEqual({ updated: 1, doc: { _id: "a", n: 2 } });
    expect(await docs.doc("zz").updateAndReturn({ n: 1 })).toEqual({ updated: 0, doc: null });
    // As in the cloud, `updated` only says a document matched, not that it changed.
    expect(await docs.doc("a").updateAndReturn({ n: 2 })).toEqual({ updated: 1, doc: { _id: "a", n: 2 } });
    expect(await docs.doc("a").update({ n: 2 })).toEqual({ updated: 0 });
  });

  it("where().updateAndReturn updates only the first match", async () => {
    const docs = getDb().collection("docs");
    await docs.add([
      { _id: "1", s: "wait" },
      { _id: "2", s: "wait" },
    ]);
    const result = await docs.where({ s: "wait" }).updateAndReturn({ s: "taken" });
    expect(result).toEqual({ updated: 1, doc: { _id: "1", s: "taken" } });
    expect((await docs.where({ s: "wait" }).count()).total).toBe(1);
  });
});

describe("field()", () => {
  it("includes or excludes fields, _id unless turned off, and refuses mixing", async () => {
    const docs = getDb().collection("docs");
    await docs.add({ _id: "a", x: 1, y: { p: 1, q: 2 }, z: [{ p: 1, q: 2 }] });
    expect((await docs.field({ x: true, "y.q": true, "z.p": true }).get()).data).toEqual([{ _id: "a", x: 1, y: { q: 2 }, z: [{ p: 1 }] }]);
    expect((await docs.field({ y: false, "z.q": false, _id: false }).get()).data).toEqual([{ x: 1, z: [{ p: 1 }] }]);
    expect((await docs.field({ x: 1, _id: 0 }).get()).data).toEqual([{ x: 1 }]);
    expect((await docs.field({ _id: true }).get()).data).toEqual([{ _id: "a" }]);
    expect((await docs.field({ _id: false }).get()).data).toEqual([{ x: 1, y: { p: 1, q: 2 }, z: [{ p: 1, q: 2 }] }]);
    expect((await rejection(docs.field({ x: true, y: false }).get())).errCode).toBe("INVALID_PARAM");
    expect((await docs.doc("a").field({ x: true, _id: false }).get()).data).toEqual([{ x: 1 }]);
    expect((await rejection(docs.doc("a").field({ x: "yes" }).get())).errCode).toBe("INVALID_PARAM");
    // Projection never alters the stored document.
    expect((await docs.doc("a").get()).data).toEqual([{ _id: "a", x: 1, y: { p: 1, q: 2 }, z: [{ p: 1, q: 2 }] }]);
  });
});
