import { AGGREGATE_DEFAULT_LIMIT } from "../../scripts/uni-cloud-mock/src/database";
import { rejection, useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

beforeEach(async () => {
  await getDb()
    .collection("orders")
    .add([
      { _id: "1", user: "u1", amount: 100, status: 1, items: ["a", "b"], at: new Date("2024-01-02T00:00:00Z") },
      { _id: "2", user: "u1", amount: 50, status: 0, items: [] },
      { _id: "3", user: "u2", amount: 30, status: 1, items: ["c"] },
      { _id: "4", user: "u2", amount: "n/a", status: 1 },
    ]);
  await getDb()
    .collection("users")
    .add([
      { _id: "u1", name: "Ann" },
      { _id: "u2", name: "Bo" },
    ]);
});

describe("aggregate", () => {
  it("match + group with the accumulators, result as { data }", async () => {
    const $ = getDb().command.aggregate;
    const { data } = await getDb()
      .collection("orders")
      .aggregate()
      .match({ status: 1 })
      .group({
        _id: "$user",
        total: $.sum("$amount"),
        count: $.sum(1),
        avg: $.avg("$amount"),
        max: $.max("$amount"),
        ids: $.push("$_id"),
        first: $.first("$_id"),
      })
      .sort({ _id: 1 })
      .end();
    expect(data).toEqual([
      { _id: "u1", total: 100, count: 1, avg: 100, max: 100, ids: ["1"], first: "1" },
      // Non-numbers are ignored by $sum/$avg but still take part in $max (strings sort above numbers).
      { _id: "u2", total: 30, count: 2, avg: 30, max: "n/a", ids: ["3", "4"], first: "3" },
    ]);
  });

  it("group by null sums the whole match (what vk.baseDao.sum sends), raw { $sum } works too", async () => {
    const $ = getDb().command.aggregate;
    expect(
      (
        await getDb()
          .collection("orders")
          .aggregate()
          .group({ _id: null, value: $.sum("$amount") })
          .end()
      ).data,
    ).toEqual([{ _id: null, value: 180 }]);
    expect(
      (
        await getDb()
          .collection("orders")
          .aggregate()
          .match({ user: "u1" })
          .group({ _id: null, value: { $min: "$amount" } })
          .end()
      ).data,
    ).toEqual([{ _id: null, value: 50 }]);
    expect(
      (
        await getDb()
          .collection("orders")
          .aggregate()
          .match({ user: "nobody" })
          .group({ _id: null, value: $.sum("$amount") })
          .end()
      ).data,
    ).toEqual([]);
  });

  it("project, addFields with expressions, unwind, count, replaceRoot", async () => {
    const $ = getDb().command.aggregate;
    const orders = getDb().collection("orders");
    expect(
      (
        await orders
          .aggregate()
          .match({ _id: "1" })
          .project({ _id: 0, user: 1, double: $.multiply(["$amount", 2]), year: $.year("$at") })
          .end()
      ).data,
    ).toEqual([{ user: "u1", double: 200, year: 2024 }]);
    expect(
      (
        await orders
          .aggregate()
          .match({ _id: "2" })
          .addFields({ "meta.big": $.gt(["$amount", 60]), label: $.concat(["$user", "-", "$_id"]) })
          .project({ meta: 1, label: 1 })
          .end()
      ).data,
    ).toEqual([{ _id: "2", meta: { big: false }, label: "u1-2" }]);
    await getDb()
      .collection("nested")
      .add({ _id: "n", a: { b: 1, c: 2 }, d: 3 });
    expect(
      (
        await getDb()
          .collection("nested")
          .aggregate()
          .project({ a: { b: 1 }, e: { f: "$d" } })
          .end()
      ).data,
    ).toEqual([{ _id: "n", a: { b: 1 }, e: { f: 3 } }]);
    expect((await orders.aggregate().unwind("$items").project({ items: 1 }).end()).data).toEqual([
      { _id: "1", items: "a" },
      { _id: "1", items: "b" },
      { _id: "3", items: "c" },
    ]);
    expect((await orders.aggregate().unwind({ path: "$items", preserveNullAndEmptyArrays: true }).count("n").end()).data).toEqual([{ n: 5 }]);
    expect(
      (
        await orders
          .aggregate()
          .match({ _id: "3" })
          .replaceRoot({ newRoot: { who: "$user" } })
          .end()
      ).data,
    ).toEqual([{ who: "u2" }]);
  });

  it("lookup joins another collection; sortByCount, skip and limit", async () => {
    const orders = getDb().collection("orders");
    const joined = await orders
      .aggregate()
      .match({ _id: "3" })
      .lookup({ from: "users", localField: "user", foreignField: "_id", as: "owner" })
      .project({ owner: 1 })
      .end();
    expect(joined.data).toEqual([{ _id: "3", owner: [{ _id: "u2", name: "Bo" }] }]);
    expect((await orders.aggregate().sortByCount("$status").end()).data).toEqual([
      { _id: 1, count: 3 },
      { _id: 0, count: 1 },
    ]);
    expect((await orders.aggregate().sort({ _id: -1 }).skip(1).limit(2).project({ _id: 1 }).end()).data).toEqual([{ _id: "3" }, { _id: "2" }]);
  });

  it("returns 20 records unless a limit stage says otherwise", async () => {
    const items = getDb().collection("items");
    await items.add(Array.from({ length: 30 }, (_, n) => ({ n })));
    expect(AGGREGATE_DEFAULT_LIMIT).toBe(20);
    expect((await items.aggregate().end()).data).toHaveLength(20);
    expect((await items.aggregate().limit(25).end()).data).toHaveLength(25);
  });

  it("rejects bad stages and unknown operators clearly", async () => {
    const $ = getDb().command.aggregate;
    const orders = getDb().collection("orders");
    expect(
      (
        await rejection(
          orders
            .aggregate()
            .group({ total: $.sum("$amount") })
            .end(),
        )
      ).errMsg,
    ).toMatch(/_id field is required/);
    expect((await rejection(orders.aggregate().group({ _id: null, x: "$amount" }).end())).errMsg).toMatch(/accumulator/);
    expect(
      (
        await rejection(
          orders
            .aggregate()
            .project({ x: $.nope("$a") })
            .end(),
        )
      ).errMsg,
    ).toMatch(/\$nope is not supported/);
    expect((await rejection(orders.aggregate().sort({ a: "up" }).end())).errCode).toBe("INVALID_PARAM");
    expect((await rejection(orders.aggregate().lookup({ from: "users", let: {}, pipeline: [], as: "x" }).end())).errMsg).toMatch(/not supported/);
  });
});
