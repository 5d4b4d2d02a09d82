import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, SPACE_COMMON, SPACE_FUNCTIONS } from "../build/paths";
import { median, type BenchRow } from "./table";

const RUNS = 7;

/**
 * SPEC §11 cold start: CPU a fresh process spends to require the built vk-pay bundle and serve one
 * call, over a process that has only loaded the emulator: `pay/queryPayment` with a valid token
 * (router, uni-id-common, vk-uni-pay, the hook files' resolver, database reads).
 */
export function benchColdStart(): BenchRow[] {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), "vk-pay-bench-"));
    try {
      const child = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(__dirname, "cold-start-child.ts"), dataDir], { cwd: ROOT, encoding: "utf8" });
      if (child.status !== 0) throw new Error(`cold-start child failed: ${child.stderr}`);
      samples.push((JSON.parse(child.stdout.trim().split("\n").pop()!) as { cpuMs: number }).cpuMs);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const added = median(samples);
  const rows: BenchRow[] = [{ name: "cold start: bundle + first call (CPU ms)", value: added, target: "≤ 40 ms", ok: added <= 40 }];
  // Each provider ships as its own file, required on first use: the largest one is a bundle too.
  const providersDir = join(SPACE_COMMON, "vk-uni-pay/providers");
  const largest = readdirSync(providersDir).sort((a, b) => statSync(join(providersDir, b)).size - statSync(join(providersDir, a)).size)[0]!;
  for (const [label, file] of [
    ["vk-pay bundle", join(SPACE_FUNCTIONS, "vk-pay/index.js")],
    ["vk-uni-pay bundle", join(SPACE_COMMON, "vk-uni-pay/index.js")],
    [`vk-uni-pay largest provider file (${largest})`, join(providersDir, largest)],
  ] as const) {
    const kb = statSync(file).size / 1024;
    rows.push({ name: `${label} size (KB)`, value: kb, target: "< 400 KB", ok: kb < 400 });
  }
  return rows;
}
