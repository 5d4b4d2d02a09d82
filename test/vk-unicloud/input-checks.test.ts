import { BaseDaoError, createBaseDao, type BaseDao } from "../../common/vk-unicloud/src";

/**
 * Malformed calls must fail before any request is sent. The database here throws if baseDao so much as
 * asks for it, so a check that runs too late (or not at all) fails these tests.
 */
const dao = createBaseDao({
  database: () => {
    throw new Error("the database must not be reached");
  },
});

type Case = [label: string, call: (dao: BaseDao) => Promise<unknown>, message: RegExp];
const t = "vk-test";
// Parameters that TypeScript would reject, as they arrive from untyped clients.
const loose = (value: unknown) => value as never;

const cases: Case[] = [
  ["add without parameters", (d) => d.add(loose(undefined)), /add: expects one object/],
  ["add without dbName", (d) => d.add(loose({ dataJson: {} })), /dbName must be a non-empty string/],
  ["add with an object dbName", (d) => d.add(loose({ dbName: { $ne: "" }, dataJson: {} })), /dbName must be a non-empty string, got an object/],
  ["add without dataJson", (d) => d.add(loose({ dbName: t })), /dataJson must be an object/],
  ["add with an array dataJson", (d) => d.add(loose({ dbName: t, dataJson: [{}] })), /dataJson must be an object, got an array/],
  ["add with a $-key", (d) => d.add({ dbName: t, dataJson: { $set: { a: 1 } } }), /operator-looking key "\$set"/],
  ["add with a nested $-key", (d) => d.add({ dbName: t, dataJson: { a: [{ b: { $inc: 1 } }] } }), /dataJson\.a\.0\.b contains .*"\$inc"/],
  ["adds with an object dataJson", (d) => d.adds(loose({ dbName: t, dataJson: { a: 1 } })), /adds: dataJson must be an array/],
  ["adds with a non-object item", (d) => d.adds(loose({ dbName: t, dataJson: [{ a: 1 }, 2] })), /dataJson\[1\] must be an object/],
  ["findById without id", (d) => d.findById(loose({ dbName: t })), /findById: id must be a non-empty string/],
  ["findById with an operator id", (d) => d.findById(loose({ dbName: t, id: { $ne: "" } })), /id must be a non-empty string, got an object/],
  ["findById with a number id", (d) => d.findById(loose({ dbName: t, id: 1 })), /got a number/],
  ["findById with a string fieldJson", (d) => d.findById(loose({ dbName: t, id: "a", fieldJson: "a" })), /fieldJson must be an object/],
  ["findById with a bad projection", (d) => d.findById(loose({ dbName: t, id: "a", fieldJson: { a: "yes" } })), /fieldJson\.a must be true\/false/],
  ["findByWhereJson with a string", (d) => d.findByWhereJson(loose({ dbName: t, whereJson: "a=1" })), /whereJson must be an object, got a string/],
  ["findByWhereJson with an array", (d) => d.findByWhereJson(loose({ dbName: t, whereJson: [{ a: 1 }] })), /got an array/],
  ["findByWhereJson with a $-operator", (d) => d.findByWhereJson({ dbName: t, whereJson: { status: { $ne: 1 } } }), /whereJson\.status contains .*"\$ne"/],
  ["select with a number where", (d) => d.select(loose({ dbName: t, where: 5 })), /select: where must be an object, got a number/],
  ["select with where and whereJson", (d) => d.select({ dbName: t, where: {}, whereJson: {} }), /either whereJson or where/],
  ["select with an operator pageSize", (d) => d.select(loose({ dbName: t, pageSize: { $gt: 0 } })), /pageSize must be an integer, got an object/],
  ["select with a fractional pageSize", (d) => d.select({ dbName: t, pageSize: 1.5 }), /pageSize must be an integer/],
  ["select with a word pageIndex", (d) => d.select(loose({ dbName: t, pageIndex: "two" })), /pageIndex must be an integer/],
  ["select with pageIndex 0", (d) => d.select({ dbName: t, pageIndex: 0 }), /pageIndex must be 1 or more/],
  ["select with a bad orderBy", (d) => d.select({ dbName: t, orderBy: "a sideways" }), /"asc" or "desc"/],
  ["update without whereJson", (d) => d.update(loose({ dbName: t, dataJson: { a: 1 } })), /update: whereJson is required/],
  ["update with an empty whereJson", (d) => d.update({ dbName: t, whereJson: {}, dataJson: { a: 1 } }), /whereJson is empty, which would match every record/],
  ["update with an undefined condition", (d) => d.update({ dbName: t, whereJson: { _id: undefined }, dataJson: { a: 1 } }), /whereJson\._id is undefined/],
  [
    "update with an undefined nested condition",
    (d) => d.update({ dbName: t, whereJson: { status: 1, user: { id: undefined } }, dataJson: { a: 1 } }),
    /whereJson\.user\.id is undefined/,
  ],
  ["update with a string whereJson", (d) => d.update(loose({ dbName: t, whereJson: "*", dataJson: { a: 1 } })), /whereJson must be an object/],
  ["update with nothing to set", (d) => d.update({ dbName: t, whereJson: { a: 1 }, dataJson: {} }), /dataJson has nothing to update/],
  ["update with only _id to set", (d) => d.update({ dbName: t, whereJson: { a: 1 }, dataJson: { _id: "x" } }), /nothing to update/],
  ["update with a mongo-style $set", (d) => d.update({ dbName: t, whereJson: { a: 1 }, dataJson: { $set: { b: 1 } } }), /"\$set"/],
  ["updateById without id", (d) => d.updateById(loose({ dbName: t, dataJson: { a: 1 } })), /updateById: id must be/],
  [
    "updateAndReturn with id and whereJson",
    (d) => d.updateAndReturn({ dbName: t, id: "a", whereJson: { a: 1 }, dataJson: { a: 1 } }),
    /exactly one of id and whereJson/,
  ],
  ["updateAndReturn with neither", (d) => d.updateAndReturn({ dbName: t, dataJson: { a: 1 } }), /exactly one of id and whereJson/],
  ["updateAndReturn with an empty whereJson", (d) => d.updateAndReturn({ dbName: t, whereJson: {}, dataJson: { a: 1 } }), /whereJson is empty/],
  ["setById without an _id", (d) => d.setById({ dbName: t, dataJson: { a: 1 } }), /dataJson\._id \(or id\) must be a non-empty string/],
  ["setById with differing ids", (d) => d.setById({ dbName: t, id: "a", dataJson: { _id: "b" } }), /id and dataJson\._id differ/],
  ["del without whereJson", (d) => d.del(loose({ dbName: t })), /del: whereJson is required/],
  ["del with an empty whereJson", (d) => d.del({ dbName: t, whereJson: {} }), /whereJson is empty/],
  ["del with only undefined conditions", (d) => d.del({ dbName: t, whereJson: { user_id: undefined } }), /whereJson\.user_id is undefined/],
  ["del with an array whereJson", (d) => d.del(loose({ dbName: t, whereJson: [] })), /whereJson must be an object, got an array/],
  ["deleteById with an operator id", (d) => d.deleteById(loose({ dbName: t, id: { $exists: true } })), /deleteById: id must be/],
  ["count with a string whereJson", (d) => d.count(loose({ dbName: t, whereJson: "x" })), /count: whereJson must be an object/],
  ["sum without fieldName", (d) => d.sum(loose({ dbName: t })), /sum: fieldName must be a field path string/],
  ["max with an object fieldName", (d) => d.max(loose({ dbName: t, fieldName: { $gt: 1 } })), /max: fieldName must be/],
  ["min with an operator fieldName", (d) => d.min({ dbName: t, fieldName: "$money" }), /min: fieldName must be/],
  ["rollbackTransaction without db", (d) => d.rollbackTransaction(loose({ err: new Error("x") })), /db must be the transaction/],
];

describe("baseDao input checks", () => {
  it.each(cases)("refuses %s before touching the database", async (_label, call, message) => {
    const result = call(dao);
    await expect(result).rejects.toBeInstanceOf(BaseDaoError);
    await expect(result).rejects.toMatchObject({ code: "VK_BASE_DAO_INVALID_PARAM", message: expect.stringMatching(message) });
  });

  it("answers findByWhereJson with an empty whereJson by null, without a request", async () => {
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(dao.findByWhereJson({ dbName: t, whereJson: {} })).resolves.toBeNull();
      await expect(dao.findByWhereJson({ dbName: t, whereJson: { a: undefined } })).resolves.toBeNull();
      expect(error).toHaveBeenCalledTimes(2);
    } finally {
      error.mockRestore();
    }
  });

  it("adds nothing for an empty adds batch", async () => {
    await expect(dao.adds({ dbName: t, dataJson: [] })).resolves.toEqual([]);
  });
});
