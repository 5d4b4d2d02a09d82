import "../common/vk-uni-pay/src/providers";
import { migrateLegacyOrders } from "../common/vk-uni-pay/src/api/migrate-legacy";
import type { Deps } from "../common/vk-uni-pay/src/core/deps";
import type { Database } from "../common/vk-uni-pay/src/core/database";
import { findProvider, registeredProviders } from "../common/vk-uni-pay/src/providers/registry";
import { ensureBuilt } from "./build";
import { SPACE_DIR } from "./build/paths";
import { dataDirFromEnv, prepareDataDir } from "./local/data-dir";
import { createEmulator } from "./uni-cloud-mock/src";

/**
 * `npm run migrate [-- --write]`: rewrites the emulator's vk-uni-pay orders (UNICLOUD_DATA_DIR) into this
 * library's shape. Without `--write` it is a dry run that prints what would change. On uniCloud, call the
 * admin route `admin/migrate` instead (the same code).
 */
async function main(): Promise<void> {
  const write = process.argv.slice(2).includes("--write");
  await ensureBuilt();
  const dataDir = dataDirFromEnv();
  await prepareDataDir(dataDir);
  const emulator = createEmulator({ spaceDir: SPACE_DIR, dataDir, timers: false, log: () => undefined });
  try {
    const db = emulator.uniCloud.database() as unknown as Database;
    const deps: Deps = {
      db,
      now: () => Date.now(),
      log: (line) => console.error(line),
      config: () => ({}) as ReturnType<Deps["config"]>,
      runtime: { now: () => Date.now(), request: () => Promise.reject(new Error("a migration calls no provider")) },
      findProvider,
      providerNames: registeredProviders,
    };
    const result = await migrateLegacyOrders({ dry_run: !write }, deps);
    if (!("data" in result)) throw new Error(result.msg);
    const report = result.data;
    for (const change of report.changes) {
      console.log(
        `${report.dry_run ? "would migrate" : "migrated"} ${change.out_trade_no}: status ${change.from} -> ${change.to}, provider ${change.provider}, ${change.refunds} refund(s) into the ledger`,
      );
    }
    for (const problem of report.problems) console.log(`left as it is ${problem.out_trade_no}: ${problem.reason}`);
    console.log(
      `${report.scanned} vk-uni-pay order(s) found, ${report.migrated} ${report.dry_run ? "would be migrated (dry run: run `npm run migrate -- --write` to write)" : "migrated"}, ${report.problems.length} left as they are`,
    );
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
