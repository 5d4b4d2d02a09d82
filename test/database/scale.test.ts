import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { buildPrefilter } from "../../scripts/uni-cloud-mock/src/database/sql-prefilter";
import { compileWhere } from "../../scripts/uni-cloud-mock/src/database/query-compiler";
import { keyColumnsIn } from "./helpers";

const DEFINITIONS = join(__dirname, "../../uniCloud/database");
const ORDERS = 100_000;

/**
 * 100,000 orders with the real vk-pay-orders indexes: lookups by the indexed fields are answered through
 * their index (a plan, not a stopwatch: timings belong to `npm run bench`), and answered correctly.
 */
describe("vk-pay-orders at 100,000 documents", () => {
  let dir: string;
  let file: string;
  let db: ReturnType<typeof createDatabase>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vk-pay-scale-"));
    file = join(dir, "db.sqlite");
    db = createDatabase({ file, definitionsDir: DEFINITIONS });
    for (let start = 0; start < ORDERS; start += 1000) {
      await db.collection("vk-pay-orders").add(
        Array.from({ length: 1000 }, (_, i) => ({
          out_trade_no: `T${start + i}`,
          user_id: `u${(start + i) % 997}`,
          status: (start + i) % 10 === 0 ? "SUCCESS" : "NOTPAY",
          transaction_id: `W${start + i}`,
          total_fee: 100,
          create_date: start + i,
        })),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function plan(where: Record<string, unknown>, unique: string[] = []): string {
    const prefilter = buildPrefilter(compileWhere(where), new Set(), new Set(unique), new Set(), keyColumnsIn(DEFINITIONS, "vk-pay-orders"));
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      return (
        raw.prepare(`EXPLAIN QUERY PLAN SELECT rowid, _id, doc FROM "vk-pay-orders" WHERE ${prefilter!.sql}`).all(...prefilter!.params) as Array<{
          detail: string;
        }>
      )
        .map((row) => row.detail)
        .join("\n");
    } finally {
      raw.close();
    }
  }

  it("looks orders up through their indexes", () => {
    expect(plan({ out_trade_no: "T99999" }, ["out_trade_no"])).toMatch(/USING INDEX/);
    expect(plan({ transaction_id: "W5" })).toMatch(/USING INDEX/);
    expect(plan({ user_id: "u5" })).toMatch(/USING INDEX/);
    expect(plan({ out_trade_no: "T5", status: "NOTPAY" }, ["out_trade_no"])).toMatch(/USING INDEX "?vk-pay-orders__out_trade_no/);
  });

  it("answers exactly, and applies a conditional state change to exactly one order", async () => {
    expect((await db.collection("vk-pay-orders").where({ out_trade_no: "T77777" }).get()).data).toEqual([
      expect.objectContaining({ out_trade_no: "T77777", user_id: `u${77777 % 997}` }),
    ]);
    expect((await db.collection("vk-pay-orders").where({ user_id: "u5" }).count()).total).toBe(Math.ceil((ORDERS - 5) / 997));
    const _ = db.command;
    const change = () =>
      db
        .collection("vk-pay-orders")
        .where({ out_trade_no: "T12345", status: _.in(["NOTPAY", "USERPAYING"]) })
        .update({ status: "SUCCESS" });
    expect(await change()).toEqual({ updated: 1 });
    expect(await change()).toEqual({ updated: 0 });
    expect((await db.collection("vk-pay-orders").where({ status: "SUCCESS" }).count()).total).toBe(ORDERS / 10 + 1);
  });
});
