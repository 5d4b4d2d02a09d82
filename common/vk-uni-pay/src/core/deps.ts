import type { PaymentProvider, ProviderRuntime } from "../kernel/contract";
import { findProvider, registeredProviders } from "../providers/registry";
import { loadPayConfig, type PayConfig } from "./config";
import { cloudDatabase, type Database } from "./database";
import type { HookResolver } from "./hooks";
import { cloudRuntime } from "./runtime";

/**
 * Everything the library reaches outside itself, in one object passed to every call: the database, the
 * clock, the log, the config, the network (through the providers' runtime), the providers and the
 * order-type hooks. Production builds it from uniCloud; tests build their own.
 */
export interface Deps {
  db: Database;
  now(): number;
  log(line: string): void;
  config(): PayConfig;
  runtime: ProviderRuntime;
  findProvider(name: string): PaymentProvider | undefined;
  /** The names findProvider answers, in the provider table's order (logins and client proofs are looked up across them). */
  providerNames(): string[];
  /** Absent outside the vk-pay function: a hook then runs there later (next notification, timer, hookRetry). */
  hooks?: HookResolver;
  /** How a bounded wait waits (awaiting a hook); real time in production, a fake clock's in tests. */
  sleep?(ms: number): Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** uniCloud's database, httpclient and config, the registry's providers, one clock for all of them. */
export function productionDeps(options: { hooks?: HookResolver } = {}): Deps {
  const now = () => Date.now();
  const db = cloudDatabase();
  return {
    db,
    now,
    log: (line) => console.log(line),
    config: () => loadPayConfig(),
    runtime: { ...cloudRuntime(now), db },
    findProvider,
    providerNames: registeredProviders,
    hooks: options.hooks,
    sleep: realSleep,
  };
}

export function sleepOf(deps: Pick<Deps, "sleep">): (ms: number) => Promise<void> {
  return deps.sleep ?? realSleep;
}
