import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { runDatabaseWorker } from "./helpers";

const WORKERS = 4;
const ROUNDS = 60;
/**
 * SQLITE_BUSY is retried with setTimeout, never a blocking wait: a worker's event loop never stalls this long.
 * Coarse on purpose: on the shared 2-core machine, scheduling alone has delayed a timer by 0.7 s under load.
 */
const STALL_BOUND_MS = 1500;

function runWorker(file: string, worker: string): Promise<{ worker: string; won: string[]; maxLagMs: number }> {
  return runDatabaseWorker("hammer.ts", [file, worker, String(ROUNDS)]);
}

describe("several processes on one database file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vk-pay-multiprocess-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lose no update, apply no state change twice, and never stall an event loop", async () => {
    const file = join(dir, "shared.sqlite");
    const setup = createDatabase({ file });
    await setup.collection("orders").add(Array.from({ length: ROUNDS }, (_, round) => ({ _id: `order-${round}`, status: "NOTPAY" })));
    await setup.collection("counters").add([
      { _id: "hits", value: 0 },
      { _id: "ledger", value: 0 },
    ]);
    await setup.close();

    const results = await Promise.all(Array.from({ length: WORKERS }, (_, i) => runWorker(file, `w${i}`)));

    const check = createDatabase({ file });
    try {
      const claimed = results.flatMap((r) => r.won);
      expect(claimed).toHaveLength(ROUNDS);
      expect(new Set(claimed).size).toBe(ROUNDS);
      const { data: orders } = await check.collection("orders").limit(1000).get();
      expect((orders as Array<{ status: string }>).every((o) => o.status === "SUCCESS")).toBe(true);
      for (const order of orders as Array<{ _id: string; paid_by: string }>) {
        expect(results.find((r) => r.worker === order.paid_by)!.won).toContain(order._id);
      }
      const counters = (await check.collection("counters").get()).data as Array<{ _id: string; value: number }>;
      expect(Object.fromEntries(counters.map((c) => [c._id, c.value]))).toEqual({ hits: WORKERS * ROUNDS, ledger: WORKERS * ROUNDS });
      for (const result of results) expect(result.maxLagMs).toBeLessThan(STALL_BOUND_MS);
    } finally {
      await check.close();
    }
  }, 120_000);
});
