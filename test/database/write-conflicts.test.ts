import BetterSqlite3 from "better-sqlite3";
import { join } from "node:path";
import { createDatabase, type CloudDatabase, type Transaction } from "../../scripts/uni-cloud-mock/src/database";
import { faultPlanFrom } from "../../scripts/uni-cloud-mock/src/faults/plan";
import { WRITE_LOG_TABLE } from "../../scripts/uni-cloud-mock/src/database/write-log";
import { rejection, runDatabaseWorker, useTempDir } from "./helpers";

/**
 * The overlap rule of the fault mode (`UNICLOUD_WRITE_CONFLICTS=overlap`): a transaction that was asked
 * for while another writer was open, and writes a document that writer committed, fails with MongoDB's
 * WriteConflict and keeps nothing; transactions on different documents, or one after the other, commit.
 */
const overlap = () => faultPlanFrom({ UNICLOUD_WRITE_CONFLICTS: "overlap" });
const temp = useTempDir();
const open: CloudDatabase[] = [];
const database = (faults = overlap()) => {
  const db = createDatabase({ file: join(temp.path(), "shared.sqlite"), faults });
  open.push(db);
  return db;
};
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

/**
 * The cloud's race, replayed in order: a second transaction is asked for while `first` is open (the emulator
 * makes it wait, the cloud would run it alongside), `first` does its writes and commits, and the second is
 * then handed over, its snapshot still the one from when it was asked for.
 */
async function afterOverlap(db: CloudDatabase, firstWrites: (first: Transaction) => Promise<unknown>): Promise<Transaction> {
  const first = await db.startTransaction();
  const asked = db.startTransaction();
  await firstWrites(first);
  await first.commit();
  return asked;
}

const balanceOf = async (db: CloudDatabase, id: string) => ((await db.collection("acc").doc(id).get()).data as Array<{ n: number }>)[0]?.n;

describe("the overlap rule of the emulator's fault mode", () => {
  it("fails the later of two overlapping transactions on one document, keeping nothing of it", async () => {
    const db = database();
    await db.collection("acc").add([
      { _id: "a", n: 0 },
      { _id: "b", n: 0 },
    ]);
    const second = await afterOverlap(db, (first) => first.collection("acc").doc("a").update({ n: 1 }));
    // It reads what the cloud's snapshot, taken when it was asked for, would show.
    expect((await second.collection("acc").doc("a").get()).data).toEqual({ _id: "a", n: 0 });
    expect(await second.collection("acc").doc("b").update({ n: 2 })).toEqual({ updated: 1 });
    const conflict = await rejection(second.collection("acc").doc("a").update({ n: 2 }));
    expect(conflict.errCode).toBe("WRITE_CONFLICT");
    expect(conflict.errMsg).toMatch(/^WriteConflict error/);
    // MongoDB aborts the whole transaction: later operations and the commit are refused.
    expect((await rejection(second.collection("acc").doc("b").get())).errCode).toBe("TRANSACTION_ERROR");
    expect((await rejection(second.commit())).errCode).toBe("TRANSACTION_ERROR");
    expect({ a: await balanceOf(db, "a"), b: await balanceOf(db, "b") }).toEqual({ a: 1, b: 0 });
  });

  it("fails an update computed on the start snapshot even when it leaves the current document as it is", async () => {
    const db = database();
    await db.collection("acc").add({ _id: "a", n: 0 });
    const second = await afterOverlap(db, (first) => first.collection("acc").doc("a").update({ n: 1 }));
    const { data } = await second.collection("acc").doc("a").get();
    // 0 + 1 is what the first one wrote: a no-op on the current document, a lost update of the first's.
    const update = second
      .collection("acc")
      .doc("a")
      .update({ n: (data as { n: number }).n + 1 });
    expect((await rejection(update)).errCode).toBe("WRITE_CONFLICT");
  });

  it("fails an insert of an id another transaction created after it started with WriteConflict, as MongoDB does", async () => {
    const db = database();
    const second = await afterOverlap(db, (first) => first.collection("acc").add({ _id: "r-1", n: 1 }));
    // In its snapshot the number is free, so it takes it; the cloud aborts it rather than report a duplicate.
    expect((await second.collection("acc").doc("r-1").get()).data).toBeNull();
    expect((await rejection(second.collection("acc").add({ _id: "r-1", n: 2 }))).errCode).toBe("WRITE_CONFLICT");
  });

  it("lets overlapping transactions on different documents both commit", async () => {
    const db = database();
    await db.collection("acc").add([
      { _id: "a", n: 0 },
      { _id: "b", n: 0 },
    ]);
    const second = await afterOverlap(db, async (first) => {
      await first.collection("acc").doc("a").update({ n: 1 });
      await first.collection("acc").doc("c").set({ n: 9 });
    });
    // A document created after it started does not exist in its snapshot.
    expect((await second.collection("acc").doc("c").get()).data).toBeNull();
    await second.collection("acc").doc("b").set({ n: 2 });
    // Its own writes never conflict with themselves.
    await second.collection("acc").doc("b").update({ n: 3 });
    await second.commit();
    expect({ a: await balanceOf(db, "a"), b: await balanceOf(db, "b") }).toEqual({ a: 1, b: 3 });
  });

  it("does not fail a transaction that started after the other one committed", async () => {
    const db = database();
    await db.collection("acc").add({ _id: "a", n: 0 });
    const first = await db.startTransaction();
    await first.collection("acc").doc("a").update({ n: 1 });
    await first.commit();
    const second = await db.startTransaction();
    await second.collection("acc").doc("a").update({ n: 2 });
    await second.commit();
    expect(await balanceOf(db, "a")).toBe(2);
  });

  it("counts a single write committed while the transaction waited, and never refuses the single write", async () => {
    const holder = database();
    const waiter = database();
    await holder.collection("acc").add({ _id: "a", n: 0 });
    const open = await holder.startTransaction();
    // Another connection (a second instance): it waits on SQLite's lock, retrying on a timer.
    const asked = waiter.startTransaction();
    await open.collection("acc").doc("other").set({ n: 0 });
    // Long enough for the waiter to have met the lock and gone to sleep on its retry timer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const committed = open.commit();
    // Queued on the holder's lock, so it commits before the waiter's next retry.
    const single = holder
      .collection("acc")
      .doc("a")
      .update({ n: holder.command.inc(5) });
    await committed;
    expect(await single).toEqual({ updated: 1 });
    const late = await asked;
    expect((await rejection(late.collection("acc").doc("a").update({ n: 100 }))).errCode).toBe("WRITE_CONFLICT");
    expect(await balanceOf(holder, "a")).toBe(5);
  });

  it("runTransaction runs the callback again after a WriteConflict", async () => {
    const db = database();
    await db.collection("acc").add({ _id: "a", n: 0 });
    const first = await db.startTransaction();
    let runs = 0;
    const retried = db.runTransaction(async (transaction) => {
      runs += 1;
      const { data } = await transaction.collection("acc").doc("a").get();
      await transaction
        .collection("acc")
        .doc("a")
        .update({ n: (data as { n: number }).n + 10 });
    });
    await first.collection("acc").doc("a").update({ n: 1 });
    await first.commit();
    await retried;
    expect({ runs, n: await balanceOf(db, "a") }).toEqual({ runs: 2, n: 11 });
  });

  it("reads and writes nothing of the log when the mode is off", async () => {
    const db = database(faultPlanFrom({}));
    await db.collection("acc").add({ _id: "a", n: 0 });
    const second = await afterOverlap(db, (first) => first.collection("acc").doc("a").update({ n: 1 }));
    await second.collection("acc").doc("a").update({ n: 2 });
    await second.commit();
    expect(await balanceOf(db, "a")).toBe(2);
    // A reserved name cannot be opened as a collection, so ask SQLite itself.
    const raw = new BetterSqlite3(join(temp.path(), "shared.sqlite"), { readonly: true });
    try {
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = ?").get(WRITE_LOG_TABLE)).toBeUndefined();
    } finally {
      raw.close();
    }
  });
});

function runIncrements(file: string, worker: string, rounds: number): Promise<{ done: number; conflicts: number }> {
  return runDatabaseWorker("conflicting-increments.ts", [file, worker, String(rounds)], { UNICLOUD_WRITE_CONFLICTS: "overlap" });
}

describe("the overlap rule across processes on one file", () => {
  it("aborts overlapping read-modify-write transactions of other processes, and loses no increment", async () => {
    const file = join(temp.path(), "shared.sqlite");
    const setup = database();
    await setup.collection("acc").add({ _id: "counter", n: 0 });
    const rounds = 40;
    const results = await Promise.all(["w0", "w1", "w2"].map((worker) => runIncrements(file, worker, rounds)));
    const done = results.reduce((sum, result) => sum + result.done, 0);
    expect(done).toBe(3 * rounds);
    expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
    // Every increment that committed is there once: a conflicting one kept nothing and was retried.
    expect(await balanceOf(setup, "counter")).toBe(done);
  }, 120_000);
});
