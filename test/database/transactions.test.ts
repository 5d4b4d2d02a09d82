import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { rejection, uniqueIndex, useMemoryDatabase, useTempDir, writeIndexFile } from "./helpers";

const getDb = useMemoryDatabase();

describe("startTransaction", () => {
  it("commits doc/add writes; doc().get() returns the object itself inside", async () => {
    const db = getDb();
    await db.collection("acc").add({ _id: "a", balance: 100 });
    const t = await db.startTransaction();
    expect(await t.collection("acc").doc("a").get()).toEqual({ data: { _id: "a", balance: 100 } });
    expect(await t.collection("acc").doc("none").get()).toEqual({ data: null });
    expect(
      await t
        .collection("acc")
        .doc("a")
        .update({ balance: db.command.inc(-30) }),
    ).toEqual({ updated: 1 });
    expect(await t.collection("log").add({ _id: "l1", amount: 30 })).toEqual({ id: "l1" });
    expect(await t.collection("acc").doc("a").get()).toEqual({ data: { _id: "a", balance: 70 } });
    // Outside the transaction nothing is visible yet, and reading does not wait for it.
    expect((await db.collection("acc").doc("a").get()).data).toEqual([{ _id: "a", balance: 100 }]);
    expect((await db.collection("log").count()).total).toBe(0);
    await t.commit();
    expect((await db.collection("acc").doc("a").get()).data).toEqual([{ _id: "a", balance: 70 }]);
    expect((await db.collection("log").count()).total).toBe(1);
    expect((await rejection(t.collection("acc").doc("a").get())).errCode).toBe("TRANSACTION_ERROR");
    expect((await rejection(t.commit())).errCode).toBe("TRANSACTION_ERROR");
  });

  it("rollback discards everything, including new collections", async () => {
    const db = getDb();
    await db.collection("acc").add({ _id: "a", balance: 100 });
    const t = await db.startTransaction();
    await t.collection("acc").doc("a").set({ balance: 0 });
    await t.collection("acc").doc("a").remove();
    await t.collection("fresh").add({ x: 1 });
    const added = (await t.collection("fresh").add({ x: 2 })) as { id: string };
    expect((await t.collection("fresh").doc(added.id).get()).data).toMatchObject({ x: 2 });
    // Reads outside the open transaction go to the reader and see nothing of it.
    expect((await db.collection("fresh").count()).total).toBe(0);
    await t.rollback();
    // Back on the writer, which saw the table inside the undone transaction: it must not trust that.
    expect((await db.collection("acc").doc("a").get()).data).toEqual([{ _id: "a", balance: 100 }]);
    expect((await db.collection("fresh").count()).total).toBe(0);
  });

  it("holds the write lock across awaits: other writes wait for commit", async () => {
    const db = getDb();
    await db.collection("acc").add({ _id: "a", n: 0 });
    const t = await db.startTransaction();
    await t.collection("acc").doc("a").update({ n: 1 });
    let outsideDone = false;
    const outside = db
      .collection("acc")
      .doc("a")
      .update({ n: db.command.inc(10) })
      .then((result) => {
        outsideDone = true;
        return result;
      });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(outsideDone).toBe(false);
    await t
      .collection("acc")
      .doc("a")
      .update({ n: db.command.inc(1) });
    await t.commit();
    expect(await outside).toEqual({ updated: 1 });
    expect((await db.collection("acc").doc("a").get()).data).toEqual([{ _id: "a", n: 12 }]);
  });

  it("a failed operation changes nothing and leaves the transaction usable", async () => {
    const db = getDb();
    const t = await db.startTransaction();
    await t.collection("c").add({ _id: "1" });
    expect((await rejection(t.collection("c").add({ _id: "1" }))).errCode).toBe("DUPLICATE_KEY");
    expect((await rejection(t.collection("c").doc("1").update({ "x.y": 1, x: 2 }))).errCode).toBe("INVALID_PARAM");
    await t.collection("c").add({ _id: "2" });
    await t.commit();
    expect((await db.collection("c").count()).total).toBe(2);
  });

  it("allows only single-document writes (plus where().updateAndReturn)", async () => {
    const db = getDb();
    await db.collection("c").add([
      { _id: "1", s: 0 },
      { _id: "2", s: 0 },
    ]);
    const t = await db.startTransaction();
    expect((await rejection(t.collection("c").where({ s: 0 }).update({ s: 1 }))).errCode).toBe("INVALID_PARAM");
    expect((await rejection(t.collection("c").where({ s: 0 }).remove())).errCode).toBe("INVALID_PARAM");
    expect((await rejection(t.collection("c").add([{ a: 1 }]))).errCode).toBe("INVALID_PARAM");
    expect(await t.collection("c").where({ s: 0 }).updateAndReturn({ s: 1 })).toEqual({ updated: 1, doc: { _id: "1", s: 1 } });
    await t.commit();
    expect((await db.collection("c").where({ s: 1 }).count()).total).toBe(1);
  });

  it("a write awaited inside an open transaction gives up after 5 s instead of waiting for it", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const db = getDb();
      const t = await db.startTransaction();
      await t.collection("c").add({ _id: "inside" });
      const outside = db
        .collection("c")
        .add({ _id: "outside" })
        .catch((error: unknown) => error);
      await jest.advanceTimersByTimeAsync(5001);
      expect(await outside).toMatchObject({ errCode: "DATABASE_BUSY" });
      await t.collection("c").add({ _id: "after" });
      await t.commit();
    } finally {
      jest.useRealTimers();
    }
    expect((await getDb().collection("c").get()).data.map((doc) => doc._id)).toEqual(["inside", "after"]);
    await getDb().collection("c").add({ _id: "later" });
  });

  it("rolls back automatically after 10 s", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const db = getDb();
      const t = await db.startTransaction();
      await t.collection("c").add({ _id: "1" });
      jest.advanceTimersByTime(10_001);
      expect((await rejection(t.collection("c").add({ _id: "2" }))).errMsg).toMatch(/rolled back after 10000 ms/);
      expect((await rejection(t.commit())).errCode).toBe("TRANSACTION_ERROR");
    } finally {
      jest.useRealTimers();
    }
    expect((await getDb().collection("c").count()).total).toBe(0);
    // The lock was released: ordinary writes proceed.
    await getDb().collection("c").add({ _id: "3" });
  });
});

describe("closing", () => {
  const temp = useTempDir();

  it("rolls back an open transaction instead of waiting for its timeout", async () => {
    const file = join(temp.path(), "close.sqlite");
    const db = createDatabase({ file });
    await db.collection("c").add({ _id: "kept" });
    const t = await db.startTransaction();
    await t.collection("c").add({ _id: "lost" });
    const started = Date.now();
    await db.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await rejection(t.collection("c").add({ _id: "x" }))).errMsg).toMatch(/database closed/);
    expect((await rejection(db.collection("c").get())).errMsg).toMatch(/closed/);
    const reopened = createDatabase({ file });
    expect((await reopened.collection("c").get()).data).toEqual([{ _id: "kept" }]);
    await reopened.close();
  });
});

describe("runTransaction", () => {
  it("commits when the callback resolves and returns its value", async () => {
    const db = getDb();
    const value = await db.runTransaction(async (t) => {
      await t.collection("c").add({ _id: "1" });
      return "done";
    });
    expect(value).toBe("done");
    expect((await db.collection("c").count()).total).toBe(1);
  });

  it("rejects with the rollback value, and rolls back when the callback throws", async () => {
    const db = getDb();
    const reason = { code: "NOT_ENOUGH" };
    await expect(
      db.runTransaction(async (t) => {
        await t.collection("c").add({ _id: "1" });
        await t.rollback(reason);
      }),
    ).rejects.toBe(reason);
    await expect(
      db.runTransaction(async (t) => {
        await t.collection("c").add({ _id: "2" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await db.collection("c").count()).total).toBe(0);
  });
});

describe("several connections on one file", () => {
  const temp = useTempDir();

  it("waits for another connection's transaction without blocking the event loop", async () => {
    const file = join(temp.path(), "shared.sqlite");
    const one = createDatabase({ file });
    const two = createDatabase({ file });
    await one.collection("c").add({ _id: "a", n: 0 });
    await two.collection("c").count();
    const t = await one.startTransaction();
    await t.collection("c").doc("a").update({ n: 1 });
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 5);
    const started = Date.now();
    const waiting = two
      .collection("c")
      .doc("a")
      .update({ n: two.command.inc(5) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.commit();
    expect(await waiting).toEqual({ updated: 1 });
    clearInterval(interval);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(ticks).toBeGreaterThan(5);
    expect((await one.collection("c").doc("a").get()).data).toEqual([{ _id: "a", n: 6 }]);
    await one.close();
    await two.close();
  });

  it("conditional updates change an order exactly once across connections", async () => {
    writeIndexFile(temp.path(), "orders", [uniqueIndex("out_trade_no_1", ["out_trade_no"])]);
    const file = join(temp.path(), "orders.sqlite");
    const connections = Array.from({ length: 4 }, () => createDatabase({ file, definitionsDir: temp.path() }));
    await connections[0].collection("orders").add(Array.from({ length: 20 }, (_, index) => ({ out_trade_no: `T${index}`, status: 0 })));
    const results = await Promise.all(
      connections.flatMap((db) =>
        Array.from({ length: 20 }, (_, index) =>
          db
            .collection("orders")
            .where({ out_trade_no: `T${index}`, status: 0 })
            .update({ status: 1 }),
        ),
      ),
    );
    expect(results.reduce((sum, result) => sum + result.updated, 0)).toBe(20);
    expect((await connections[1].collection("orders").where({ status: 1 }).count()).total).toBe(20);
    await Promise.all(connections.map((db) => db.close()));
  });
});
