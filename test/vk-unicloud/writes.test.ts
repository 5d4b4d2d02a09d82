import { FIXED_NOW, itWhen, openFixture, probeFeatures, type Fixture } from "./helpers/memory-database";

const T = "vk-test";
const features = probeFeatures();
const itUpdateAndReturn = itWhen(features.docUpdateAndReturn || features.whereUpdateAndReturn, "updateAndReturn()");
const itWhereUpdateAndReturn = itWhen(features.whereUpdateAndReturn, "where().updateAndReturn()");

let fx: Fixture;
beforeEach(() => {
  fx = openFixture();
});
afterEach(() => fx.close());

async function read(id: string) {
  const { data } = await fx.db.collection(T).doc(id).get();
  return (data as Record<string, unknown>[])[0];
}

describe("add / adds", () => {
  it("returns the new _id and stamps _add_time and _add_time_str in Beijing time", async () => {
    const dataJson = { money: 1 };
    const id = await fx.dao.add({ dbName: T, dataJson });
    expect(typeof id).toBe("string");
    expect(await read(id!)).toEqual({ _id: id, money: 1, _add_time: FIXED_NOW, _add_time_str: "2024-03-01 00:30:05" });
    expect(dataJson).toEqual({ money: 1 }); // the caller's object is left alone
  });

  it("overwrites caller-supplied stamps, so _add_time is always the insert time", async () => {
    const id = await fx.dao.add({ dbName: T, dataJson: { _add_time: 1, _add_time_str: "then" } });
    expect(await read(id!)).toMatchObject({ _add_time: FIXED_NOW, _add_time_str: "2024-03-01 00:30:05" });
  });

  it("honours cancelAddTimeStr and cancelAddTime", async () => {
    const withoutStr = await fx.dao.add({ dbName: T, dataJson: { a: 1 }, cancelAddTimeStr: true });
    const withoutAny = await fx.dao.add({ dbName: T, dataJson: { a: 2 }, cancelAddTime: true });
    expect(await read(withoutStr!)).toEqual({ _id: withoutStr, a: 1, _add_time: FIXED_NOW });
    expect(await read(withoutAny!)).toEqual({ _id: withoutAny, a: 2 });
  });

  it("adds a batch in one request and returns the ids in order", async () => {
    const ids = await fx.dao.adds({ dbName: T, dataJson: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    for (const [index, id] of ids.entries()) {
      expect(await read(id)).toEqual({ _id: id, n: index + 1, _add_time: FIXED_NOW, _add_time_str: "2024-03-01 00:30:05" });
    }
    expect(fx.calls.filter((call) => call.method === "add")).toHaveLength(1);
  });
});

describe("update / updateById", () => {
  it("returns how many records changed and leaves the others alone", async () => {
    const _ = fx.db.command;
    const ids = await fx.dao.adds({
      dbName: T,
      dataJson: [
        { g: "a", money: 100 },
        { g: "a", money: 50 },
        { g: "b", money: 100 },
      ],
      cancelAddTime: true,
    });
    const updated = await fx.dao.update({ dbName: T, whereJson: { g: "a", money: _.gte(100) }, dataJson: { money: _.inc(-100) } });
    expect(updated).toBe(1);
    expect((await Promise.all(ids.map(read))).map((r) => r.money)).toEqual([0, 50, 100]);
  });

  it("returns 0 when nothing matches", async () => {
    await fx.dao.add({ dbName: T, dataJson: { g: "a" } });
    expect(await fx.dao.update({ dbName: T, whereJson: { g: "zzz" }, dataJson: { x: 1 } })).toBe(0);
  });

  it("strips _id from dataJson, so a whole record can be written back", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { a: 1 }, cancelAddTime: true }))!;
    const record: Record<string, unknown> = { ...(await read(id)), a: 2 };
    expect(await fx.dao.update({ dbName: T, whereJson: { _id: id }, dataJson: record })).toBe(1);
    expect(await fx.dao.updateById({ dbName: T, id, dataJson: { ...record, a: 3 } })).toBe(1);
    expect(await read(id)).toEqual({ _id: id, a: 3 });
    expect(record._id).toBe(id); // not stripped from the caller's object
  });

  it("updateById returns 1, 0 for a missing id, or the updated record with getUpdateData", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { a: 1 }, cancelAddTime: true }))!;
    expect(await fx.dao.updateById({ dbName: T, id, dataJson: { a: 2 } })).toBe(1);
    expect(await fx.dao.updateById({ dbName: T, id: "000000000000000000000000", dataJson: { a: 2 } })).toBe(0);
    expect(await fx.dao.updateById({ dbName: T, id, dataJson: { b: true }, getUpdateData: true })).toEqual({ _id: id, a: 2, b: true });
  });
});

describe("updateAndReturn", () => {
  itUpdateAndReturn("returns the document after an atomic update by id", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { views: 1 }, cancelAddTime: true }))!;
    const doc = await fx.dao.updateAndReturn({ dbName: T, id, dataJson: { views: fx.db.command.inc(1) } });
    expect(doc).toEqual({ _id: id, views: 2 });
  });

  itWhereUpdateAndReturn("accepts whereJson and returns null when nothing matches", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { code: "x", n: 1 }, cancelAddTime: true }))!;
    expect(await fx.dao.updateAndReturn({ dbName: T, whereJson: { code: "x" }, dataJson: { n: 5 } })).toEqual({ _id: id, code: "x", n: 5 });
    expect(await fx.dao.updateAndReturn({ dbName: T, whereJson: { code: "nope" }, dataJson: { n: 6 } })).toBeNull();
  });
});

describe("setById", () => {
  it("creates a missing record (type add, id) and replaces an existing one (type update)", async () => {
    const created = await fx.dao.setById({ dbName: T, dataJson: { _id: "order-1", a: 1, b: 1 } });
    expect(created).toMatchObject({ type: "add", id: "order-1", upsertedId: "order-1" });
    expect(await read("order-1")).toEqual({ _id: "order-1", a: 1, b: 1 });

    const replaced = await fx.dao.setById({ dbName: T, id: "order-1", dataJson: { a: 2 } });
    expect(replaced).toEqual({ type: "update", updated: 1 });
    expect(await read("order-1")).toEqual({ _id: "order-1", a: 2 });
  });
});

describe("del / deleteById", () => {
  it("returns how many records were deleted", async () => {
    await fx.dao.adds({ dbName: T, dataJson: [{ g: "a" }, { g: "a" }, { g: "b" }] });
    expect(await fx.dao.del({ dbName: T, whereJson: { g: "a" } })).toBe(2);
    expect(await fx.dao.count({ dbName: T })).toBe(1);
  });

  it("deletes everything only when asked explicitly, and its aliases agree", async () => {
    await fx.dao.adds({ dbName: T, dataJson: [{ g: "a" }, { g: "b" }] });
    await expect(fx.dao.remove({ dbName: T, whereJson: {} })).rejects.toThrow(/whereJson is empty/);
    expect(await fx.dao.count({ dbName: T })).toBe(2);
    expect(await fx.dao.delete({ dbName: T, whereJson: { _id: fx.db.command.exists(true) } })).toBe(2);
  });

  it("deleteById returns 1, then 0", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: {} }))!;
    expect(await fx.dao.deleteById({ dbName: T, id })).toBe(1);
    expect(await fx.dao.deleteById({ dbName: T, id })).toBe(0);
  });

  it("refuses an empty whereJson without sending update or remove", async () => {
    await fx.dao.add({ dbName: T, dataJson: { a: 1 } });
    fx.calls.length = 0;
    await expect(fx.dao.update({ dbName: T, whereJson: {}, dataJson: { a: 2 } })).rejects.toThrow(/whereJson is empty/);
    await expect(fx.dao.del({ dbName: T, whereJson: { _id: undefined } })).rejects.toThrow(/is undefined/);
    expect(fx.calls).toEqual([]);
    expect(await fx.dao.findByWhereJson({ dbName: T, whereJson: { a: 1 } })).toMatchObject({ a: 1 });
  });
});
