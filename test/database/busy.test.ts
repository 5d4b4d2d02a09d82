import BetterSqlite3 from "better-sqlite3";
import { join } from "node:path";
import { createDatabase, DatabaseError } from "../../scripts/uni-cloud-mock/src/database";
import { useTempDir } from "./helpers";

const temp = useTempDir();

describe("SQLITE_BUSY handling", () => {
  it("reads go on while another process holds the write lock; a write gives up after ~5 s with DATABASE_BUSY", async () => {
    const file = join(temp.path(), "busy.sqlite");
    const db = createDatabase({ file });
    await db.collection("c").add({ _id: "a", n: 1 });
    // Stands in for another process that took the write lock and hangs on to it.
    const other = new BetterSqlite3(file);
    other.exec("BEGIN IMMEDIATE");
    other.prepare(`UPDATE "c" SET doc = '{"n":2}'`).run();
    try {
      expect((await db.collection("c").doc("a").get()).data).toEqual([{ _id: "a", n: 1 }]);
      let ticks = 0;
      const interval = setInterval(() => (ticks += 1), 10);
      const started = Date.now();
      const error = await db
        .collection("c")
        .doc("a")
        .update({ n: 3 })
        .catch((caught: unknown) => caught);
      clearInterval(interval);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).errCode).toBe("DATABASE_BUSY");
      expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
      // The event loop kept running the whole time.
      expect(ticks).toBeGreaterThan(100);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(await db.collection("c").doc("a").update({ n: 3 })).toEqual({ updated: 1 });
    await db.close();
  }, 15000);
});
