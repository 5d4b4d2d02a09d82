import { rejection, useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

describe("ordering", () => {
  it("orders mixed types by MongoDB's type order and arrays by their min/max element", async () => {
    const docs = getDb().collection("docs");
    await docs.add([
      { _id: "str", v: "a" },
      { _id: "num", v: 2 },
      { _id: "missing" },
      { _id: "bool", v: true },
      { _id: "date", v: new Date(0) },
      { _id: "obj", v: { a: 1 } },
      { _id: "arr", v: [5, 1] },
    ]);
    const asc = (await docs.orderBy("v", "asc").get()).data.map((doc) => doc._id);
    expect(asc).toEqual(["missing", "arr", "num", "str", "obj", "bool", "date"]);
    const desc = (await docs.orderBy("v", "desc").get()).data.map((doc) => doc._id);
    expect(desc).toEqual(["date", "bool", "obj", "str", "arr", "num", "missing"]);
  });

  it("orders by _id in SQL, ascending and descending, with skip and limit", async () => {
    const docs = getDb().collection("docs");
    await docs.add(["b", "a", "d", "c", "e"].map((_id) => ({ _id, odd: _id === "a" || _id === "c" || _id === "e" })));
    expect((await docs.orderBy("_id", "desc").skip(1).limit(2).get()).data.map((doc) => doc._id)).toEqual(["d", "c"]);
    expect((await docs.where({ odd: true }).orderBy("_id", "asc").orderBy("x", "desc").get()).data.map((doc) => doc._id)).toEqual(["a", "c", "e"]);
  });

  it("compares strings by code point in SQL and JS alike (astral vs U+FFFF)", async () => {
    const docs = getDb().collection("docs");
    await docs.add([
      { _id: "bmp", s: "\uffff" },
      { _id: "astral", s: "😀" },
    ]);
    const _ = getDb().command;
    expect((await docs.where({ s: _.gt("\uffff") }).get()).data.map((doc) => doc._id)).toEqual(["astral"]);
    expect((await docs.orderBy("s", "asc").get()).data.map((doc) => doc._id)).toEqual(["bmp", "astral"]);
  });
});

describe("database helpers", () => {
  it("db.RegExp and serverDate", async () => {
    const db = getDb();
    await db.collection("docs").add([{ s: "Hello" }, { s: "world" }]);
    expect(
      (
        await db
          .collection("docs")
          .where({ s: db.RegExp({ regex: "^hel", options: "i" }) })
          .count()
      ).total,
    ).toBe(1);
    const before = Date.now();
    const stamp = db.serverDate({ offset: 1000 });
    expect(stamp.getTime()).toBeGreaterThanOrEqual(before + 1000);
  });

  it("unsupported commands fail with a clear error", async () => {
    const db = getDb();
    expect(() => db.command.geoNear()).toThrow(/not supported by the local emulator/);
    expect(() => db.command.aggregate.pipeline()).toThrow(/not supported by the local emulator/);
  });

  it("validates collection names", async () => {
    const db = getDb();
    for (const name of ["", "has space", "__vk_array_paths", "sqlite_master", 'q"uote']) {
      expect((await rejection(db.collection(name).get())).errCode).toBe("INVALID_PARAM");
    }
    await db.collection("uni-id-users").add({ a: 1 });
    expect((await db.collection("uni-id-users").count()).total).toBe(1);
  });

  it("reads a collection nobody wrote to as empty", async () => {
    const db = getDb();
    expect(await db.collection("never").get()).toEqual({ data: [] });
    expect(await db.collection("never").doc("x").get()).toEqual({ data: [] });
    expect(await db.collection("never").where({ a: 1 }).count()).toEqual({ total: 0 });
  });

  it("rename cannot target _id", async () => {
    const db = getDb();
    await db.collection("docs").add({ _id: "a", x: "b" });
    expect(
      (
        await rejection(
          db
            .collection("docs")
            .doc("a")
            .update({ x: db.command.rename("_id") }),
        )
      ).errCode,
    ).toBe("INVALID_PARAM");
  });
});

describe("createObjectId", () => {
  it("is 24 hex and increases within one second and when the clock goes backwards", async () => {
    const { createObjectId } = await import("../../scripts/uni-cloud-mock/src/database/object-id");
    const now = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 1000 }, () => createObjectId(now)),
      createObjectId(now - 60_000),
      ...Array.from({ length: 0x1000 }, () => createObjectId(now)),
      createObjectId(now + 5000),
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    for (let index = 1; index < ids.length; index += 1) expect(ids[index] > ids[index - 1]).toBe(true);
    expect(parseInt(ids[0].slice(0, 8), 16)).toBe(now / 1000);
  });
});
