import { BaseDaoError, createBaseDao, type DbTransaction } from "../../common/vk-unicloud/src";
import { recordCalls, type RecordedCall } from "./helpers/recording";
import { itWhen, openFixture, probeFeatures, type Fixture } from "./helpers/memory-database";

const T = "vk-pay-orders";
const features = probeFeatures();
const itTx = itWhen(features.transactions, "startTransaction()");
const itTxUpdateAndReturn = itWhen(features.transactions && features.docUpdateAndReturn, "startTransaction() and doc().updateAndReturn()");

let fx: Fixture;
beforeEach(() => {
  fx = openFixture();
});
afterEach(() => fx.close());

describe("transactions through db", () => {
  itTx("runs add / findById / updateById / setById / deleteById on the transaction and commits", async () => {
    const keep = (await fx.dao.add({ dbName: T, dataJson: { status: 0, note: "n" }, cancelAddTime: true }))!;
    const gone = (await fx.dao.add({ dbName: T, dataJson: { status: 0 }, cancelAddTime: true }))!;
    const db: DbTransaction = await fx.dao.startTransaction();
    const added = await fx.dao.add({ db, dbName: T, dataJson: { status: 1 }, cancelAddTime: true });
    expect(typeof added).toBe("string");
    expect(await fx.dao.updateById({ db, dbName: T, id: keep, dataJson: { status: 2 } })).toBe(1);
    // Inside a transaction doc().get() gives an object, not an array: findById handles both.
    expect(await fx.dao.findById({ db, dbName: T, id: keep })).toEqual({ _id: keep, status: 2, note: "n" });
    expect(await fx.dao.findById({ db, dbName: T, id: keep, fieldJson: { status: true } })).toEqual({ _id: keep, status: 2 });
    expect(await fx.dao.findById({ db, dbName: T, id: keep, fieldJson: { _id: false, status: false } })).toEqual({ note: "n" });
    expect(await fx.dao.findById({ db, dbName: T, id: "000000000000000000000000" })).toBeUndefined();
    expect(await fx.dao.setById({ db, dbName: T, dataJson: { _id: "fixed", status: 3 } })).toMatchObject({ type: "add", id: "fixed" });
    expect(await fx.dao.deleteById({ db, dbName: T, id: gone })).toBe(1);
    await db.commit();

    expect(await fx.dao.findById({ dbName: T, id: keep })).toEqual({ _id: keep, status: 2, note: "n" });
    expect(await fx.dao.findById({ dbName: T, id: added! })).toEqual({ _id: added, status: 1 });
    expect(await fx.dao.findById({ dbName: T, id: "fixed" })).toEqual({ _id: "fixed", status: 3 });
    expect(await fx.dao.findById({ dbName: T, id: gone })).toBeUndefined();
  });

  itTx("adds a batch one record at a time inside a transaction", async () => {
    const calls: RecordedCall[] = [];
    const db = recordCalls(await fx.dao.startTransaction(), calls);
    const ids = await fx.dao.adds({ db, dbName: T, dataJson: [{ n: 1 }, { n: 2 }] });
    await db.commit();
    expect(ids).toHaveLength(2);
    expect(calls.filter((c) => c.method === "add").map((c) => Array.isArray(c.args[0]))).toEqual([false, false]);
    expect(await fx.dao.count({ dbName: T })).toBe(2);
  });

  itTxUpdateAndReturn("updateAndReturn by id inside a transaction", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { n: 1 }, cancelAddTime: true }))!;
    const db = await fx.dao.startTransaction();
    expect(await fx.dao.updateAndReturn({ db, dbName: T, id, dataJson: { n: fx.db.command.inc(1) } })).toEqual({ _id: id, n: 2 });
    await db.commit();
    expect(await fx.dao.findById({ dbName: T, id })).toEqual({ _id: id, n: 2 });
  });

  itTx("rollbackTransaction undoes the writes and shapes VK's failure reply", async () => {
    const id = (await fx.dao.add({ dbName: T, dataJson: { status: 0 }, cancelAddTime: true }))!;
    const db = await fx.dao.startTransaction();
    await fx.dao.updateById({ db, dbName: T, id, dataJson: { status: 1 } });
    await fx.dao.add({ db, dbName: T, dataJson: { extra: true } });
    const failure = Object.assign(new Error("余额不足"), { code: "BALANCE" });
    const reply = await fx.dao.rollbackTransaction({ db, err: failure });
    expect(reply).toEqual({ code: -1, msg: "余额不足", err: { message: "余额不足", code: "BALANCE" } });
    expect(await fx.dao.findById({ dbName: T, id })).toEqual({ _id: id, status: 0 });
    expect(await fx.dao.count({ dbName: T })).toBe(1);
  });

  itTx("rollbackTransaction reports a failed rollback without hiding the original error", async () => {
    const db = await fx.dao.startTransaction();
    await db.commit();
    const reply = await fx.dao.rollbackTransaction({ db, err: "boom", msg: "下单失败", code: 500 });
    expect(reply).toMatchObject({ code: 500, msg: "下单失败", err: { message: "boom" }, rollbackError: expect.any(String) });
  });
});

it("startTransaction says so when the database has no transactions", async () => {
  const plain = { collection: (name: string) => fx.db.collection(name) };
  const dao = createBaseDao({ database: () => plain });
  await expect(dao.startTransaction()).rejects.toThrow(BaseDaoError);
  await expect(dao.startTransaction()).rejects.toMatchObject({ code: "VK_BASE_DAO_UNSUPPORTED" });
});
