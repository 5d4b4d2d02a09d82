import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPACE_DIR } from "../build/paths";
import { createDatabase } from "../uni-cloud-mock/src/database";
import { median, type BenchRow } from "./table";

const LOOKUPS = 2000;

async function lookupMs(size: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-db-"));
  const db = createDatabase({ file: join(dir, "db.sqlite"), definitionsDir: join(SPACE_DIR, "database") });
  try {
    const orders = db.collection("vk-pay-orders");
    for (let start = 0; start < size; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, size - start) }, (_, i) => ({ out_trade_no: `T${start + i}`, status: "NOTPAY", total_fee: 100, user_id: `u${(start + i) % 977}` }));
      await orders.add(batch);
    }
    const samples: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const started = process.cpuUsage();
      for (let i = 0; i < LOOKUPS; i += 1) {
        const { data } = await orders.where({ out_trade_no: `T${(i * 7919) % size}` }).get();
        if ((data as unknown[]).length !== 1) throw new Error("lookup missed");
      }
      const used = process.cpuUsage(started);
      samples.push((used.user + used.system) / 1000);
    }
    return median(samples);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Issue 3: an indexed lookup by out_trade_no costs the same on 100,000 orders as on 1,000. */
export async function benchIndexedLookup(): Promise<BenchRow[]> {
  const small = await lookupMs(1000);
  const large = await lookupMs(100_000);
  const ratio = large / small;
  return [
    { name: `indexed lookup, ${LOOKUPS} by out_trade_no, 1k orders (CPU ms)`, value: small, target: "—", ok: true },
    { name: `indexed lookup, ${LOOKUPS} by out_trade_no, 100k orders (CPU ms)`, value: large, target: "—", ok: true },
    { name: "indexed lookup 100k / 1k (ratio)", value: ratio, target: "≤ 1.5", ok: ratio <= 1.5 },
  ];
}
