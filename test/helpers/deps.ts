import { join } from "node:path";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import type { Deps } from "../../common/vk-uni-pay/src/core/deps";
import type { HookResolver } from "../../common/vk-uni-pay/src/core/hooks";
import type { PaymentProvider, ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { createDatabase, type CloudDatabase } from "../../scripts/uni-cloud-mock/src/database";
import type { FaultPlan } from "../../scripts/uni-cloud-mock/src/faults/plan";

const DEFINITIONS = join(__dirname, "../../uniCloud/database");

/**
 * The emulator's embedded database in memory, with the library's collection definitions, seen through the
 * library's own Database interface (the emulator's type is richer; the cast lives here, once), and as the
 * emulator's own handle (`raw`) for a test that reads it the way the emulator's callers do.
 */
export function memoryDatabase(faults?: FaultPlan): { db: Database; raw: CloudDatabase; close(): Promise<void> } {
  const raw = createDatabase({ file: ":memory:", definitionsDir: DEFINITIONS, ...(faults ? { faults } : {}) });
  return { db: raw as unknown as Database, raw, close: async () => raw.close() };
}

export interface DepsOptions {
  providers?: readonly PaymentProvider[];
  /** uni-pay/config.js as the test has it; read (and validated) on every call, so a test may change it. */
  config?: () => Record<string, unknown>;
  now?: () => number;
  /** The network; by default every request fails, so a test never reaches out by accident. */
  request?: ProviderRuntime["request"];
  hooks?: HookResolver;
  log?: (line: string) => void;
  db?: Database;
}

/** One dependency object for a test: an in-memory database (unless given), one clock, the providers it names. */
export function makeDeps(options: DepsOptions = {}): Deps & { close(): Promise<void> } {
  const memory = options.db ? undefined : memoryDatabase();
  // Without a clock of the test's, sleeping advances a fake one, so a bounded wait ends at once instead of spinning.
  let fakeNow = 1_000_000;
  const now = options.now ?? (() => fakeNow);
  const sleep = options.now ? (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) : async (ms: number) => void (fakeNow += ms);
  const providers = new Map((options.providers ?? []).map((provider) => [provider.name, provider]));
  return {
    db: options.db ?? memory!.db,
    now,
    log: options.log ?? (() => undefined),
    config: () => validatePayConfig(options.config?.() ?? {}),
    runtime: { now, request: options.request ?? (() => Promise.reject(new Error("no network in this test"))) },
    findProvider: (name) => providers.get(name),
    providerNames: () => [...providers.keys()],
    hooks: options.hooks,
    sleep,
    close: async () => memory?.close(),
  };
}
