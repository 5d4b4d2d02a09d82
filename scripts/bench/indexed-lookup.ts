import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPACE_DIR } from "../build/paths";
import { createDatabase } from "../uni-cloud-mock/src/database";
import { median, type BenchRow } from "./table";

const LOOKUPS = 3000;
const ROUNDS = 7;

type Database = ReturnType<typeof createDatabase>;

async function fill(size: number): Promise<{ db: Database; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "vk-pay-bench-db-"));
  const db = createDatabase({ file: join(dir, "db.sqlite"), definitionsDir: join(SPACE_DIR, "database") });
  for (let start = 0; start < size; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, size - start) }, (_, i) => ({
      out_trade_no: `T${start + i}`,
      status: "NOTPAY",
      total_fee: 100,
      user_id: `u${(start + i) % 977}`,
    }));
    await db.collection("vk-pay-orders").add(batch);
  }
  return { db, dir };
}

/** CPU milliseconds for LOOKUPS lookups by out_trade_no, spread over the whole collection. */
async function lookupRound(db: Database, size: number): Promise<number> {
  const orders = db.collection("vk-pay-orders");
  const started = process.cpuUsage();
  for (let i = 0; i < LOOKUPS; i += 1) {
    const { data } = await orders.where({ out_trade_no: `T${(i * 7919) % size}` }).get();
    if ((data as unknown[]).length !== 1) throw new Error("lookup missed");
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * Issue 3: an indexed lookup by out_trade_no costs the same on 100,000 orders as on 1,000. Both
 * collections are built first and measured in alternating rounds, so that the garbage left by filling
 * one, and any drift in the machine's load, weigh on both alike.
 */
export async function benchIndexedLookup(): Promise<BenchRow[]> {
  const small = await fill(1000);
  const large = await fill(100_000);
  const samples = { small: [] as number[], large: [] as number[] };
  try {
    await lookupRound(small.db, 1000);
    await lookupRound(large.db, 100_000);
    for (let round = 0; round < ROUNDS; round += 1) {
      samples.small.push(await lookupRound(small.db, 1000));
      samples.large.push(await lookupRound(large.db, 100_000));
    }
  } finally {
    for (const { db, dir } of [small, large]) {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [smallMs, largeMs] = [median(samples.small), median(samples.large)];
  const ratio = largeMs / smallMs;
  return [
    { name: `indexed lookup, ${LOOKUPS} by out_trade_no, 1k orders (CPU ms)`, value: smallMs, target: "—", ok: true },
    { name: `indexed lookup, ${LOOKUPS} by out_trade_no, 100k orders (CPU ms)`, value: largeMs, target: "—", ok: true },
    { name: "indexed lookup 100k / 1k (ratio)", value: ratio, target: "≤ 1.5", ok: ratio <= 1.5 },
  ];
}
