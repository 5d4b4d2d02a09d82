import { createBaseDao } from "../../common/vk-unicloud/src";
import { recordCalls, type RecordedCall } from "./helpers/recording";
import { FIXED_NOW, itWhen, openFixture, probeFeatures, type Fixture } from "./helpers/memory-database";

const T = "vk-test";
const features = probeFeatures();
const itAggregate = itWhen(features.aggregate, "collection.aggregate() with command.aggregate.sum/max/min/avg");

let fx: Fixture;
beforeEach(() => {
  fx = openFixture();
});
afterEach(() => fx.close());

/** The real database with `aggregate()` hidden, to exercise the paged-scan fallback of sum/max/min. */
function withoutAggregate(db: Fixture["db"]) {
  return {
    collection: (name: string) => {
      const real = db.collection(name);
      return new Proxy(real, { get: (target, key) => (key === "aggregate" ? undefined : Reflect.get(target, key, target)) });
    },
    command: db.command,
  };
}

describe("findById", () => {
  it("returns the record, or undefined when there is none", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { a: 1, b: 2 } }))!;
    expect(await fx.dao.findById({ dbName: T, id })).toEqual({ _id: id, a: 1, b: 2, _add_time: FIXED_NOW, _add_time_str: "2024-03-01 00:30:05" });
    expect(await fx.dao.findById({ dbName: T, id: "000000000000000000000000" })).toBeUndefined();
  });

  it("applies fieldJson", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { a: 1, b: 2 } }))!;
    expect(await fx.dao.findById({ dbName: T, id, fieldJson: { a: true } })).toEqual({ _id: id, a: 1 });
  });
});

describe("findByWhereJson", () => {
  it("returns the first match in sortArr order, or null", async () => {
    await fx.dao.adds({
      dbName: T,
      dataJson: [
        { g: "a", n: 1 },
        { g: "a", n: 3 },
        { g: "a", n: 2 },
        { g: "b", n: 9 },
      ],
      cancelAddTime: true,
    });
    const found = await fx.dao.findByWhereJson({
      dbName: T,
      whereJson: { g: "a" },
      sortArr: [{ name: "n", type: "desc" }],
      fieldJson: { _id: false, n: true },
    });
    expect(found).toEqual({ n: 3 });
    expect(await fx.dao.findByWhereJson({ dbName: T, whereJson: { g: "c" } })).toBeNull();
  });

  it("accepts a db.command condition as whereJson", async () => {
    const _ = fx.db.command;
    await fx.dao.adds({ dbName: T, dataJson: [{ n: 1 }, { n: 5 }] });
    expect(await fx.dao.findByWhereJson({ dbName: T, whereJson: _.or([{ n: 5 }, { n: 7 }]) })).toMatchObject({ n: 5 });
  });
});

describe("count", () => {
  it("counts all records or those matching whereJson", async () => {
    const _ = fx.db.command;
    await fx.dao.adds({ dbName: T, dataJson: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(await fx.dao.count({ dbName: T })).toBe(3);
    expect(await fx.dao.count({ dbName: T, whereJson: { n: _.gte(2) } })).toBe(2);
    expect(await fx.dao.count({ dbName: "empty" })).toBe(0);
  });
});

describe.each([
  ["through aggregate()", itAggregate, (f: Fixture) => f.dao],
  ["through the paged-scan fallback", it, (f: Fixture) => createBaseDao({ database: () => withoutAggregate(f.db) })],
])("sum / avg / max / min %s", (_label, test, daoOf) => {
  test("computes over the matching records", async () => {
    const _ = fx.db.command;
    await fx.dao.adds({
      dbName: T,
      dataJson: [
        { g: "a", fee: 100 },
        { g: "a", fee: 250 },
        { g: "a", fee: 50 },
        { g: "b", fee: 1000 },
      ],
    });
    const dao = daoOf(fx);
    const whereJson = { g: "a" };
    expect(await dao.sum({ dbName: T, fieldName: "fee", whereJson })).toBe(400);
    expect(await dao.avg({ dbName: T, fieldName: "fee", whereJson: { fee: _.lt(1000) } })).toBeCloseTo(400 / 3);
    expect(await dao.max({ dbName: T, fieldName: "fee", whereJson })).toBe(250);
    expect(await dao.min({ dbName: T, fieldName: "fee" })).toBe(50);
  });

  test("gives 0 for sum and null for the others when nothing matches", async () => {
    await fx.dao.add({ dbName: T, dataJson: { g: "a", fee: 1 } });
    const dao = daoOf(fx);
    const whereJson = { g: "none" };
    expect(await dao.sum({ dbName: T, fieldName: "fee", whereJson })).toBe(0);
    expect(await dao.avg({ dbName: T, fieldName: "fee", whereJson })).toBeNull();
    expect(await dao.max({ dbName: T, fieldName: "fee", whereJson })).toBeNull();
    expect(await dao.min({ dbName: T, fieldName: "fee", whereJson })).toBeNull();
  });

  test("reads dotted field paths", async () => {
    await fx.dao.adds({ dbName: T, dataJson: [{ amount: { total: 3 } }, { amount: { total: 4 } }] });
    expect(await daoOf(fx).sum({ dbName: T, fieldName: "amount.total" })).toBe(7);
  });
});

describe("sum's choice between aggregate() and the scan", () => {
  /** The real database, with a chosen `aggregate()` in front of it. */
  function withAggregate(db: Fixture["db"], aggregate: () => unknown) {
    return {
      collection: (name: string) => {
        const real = db.collection(name);
        return new Proxy(real, { get: (target, key) => (key === "aggregate" ? aggregate : Reflect.get(target, key, target)) });
      },
      command: { aggregate: { sum: (expression: string) => ({ $sum: expression }) } },
    };
  }

  it("scans when the database refuses to build a pipeline", async () => {
    await fx.dao.adds({ dbName: T, dataJson: [{ fee: 2 }, { fee: 3 }] });
    const refusing = withAggregate(fx.db, () => {
      throw new Error("aggregate() is not supported");
    });
    expect(await createBaseDao({ database: () => refusing }).sum({ dbName: T, fieldName: "fee" })).toBe(5);
  });

  it("never hides a failed aggregate request behind the scan", async () => {
    await fx.dao.add({ dbName: T, dataJson: { fee: 2 } });
    const pipeline = { match: () => pipeline, group: () => pipeline, end: () => Promise.reject(new Error("RequestTimeout")) };
    const failing = withAggregate(fx.db, () => pipeline);
    await expect(createBaseDao({ database: () => failing }).sum({ dbName: T, fieldName: "fee" })).rejects.toThrow("RequestTimeout");
  });
});

it("the fallback scan pages by _id in requests of at most 1000", async () => {
  const dataJson = Array.from({ length: 2001 }, (_, n) => ({ fee: n % 7 }));
  await fx.dao.adds({ dbName: T, dataJson, cancelAddTime: true });
  const calls: RecordedCall[] = [];
  const dao = createBaseDao({ database: () => recordCalls(withoutAggregate(fx.db), calls) });
  expect(await dao.sum({ dbName: T, fieldName: "fee" })).toBe(dataJson.reduce((s, r) => s + r.fee, 0));
  expect(calls.filter((c) => c.method === "limit").map((c) => c.args[0])).toEqual([1000, 1000, 1000]);
  expect(calls.filter((c) => c.method === "skip").map((c) => c.args[0])).toEqual([1000, 2000]);
  expect(calls.filter((c) => c.method === "orderBy").map((c) => c.args)).toEqual(Array(3).fill(["_id", "asc"]));
});
