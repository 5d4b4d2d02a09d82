import { COLLECTIONS } from "./repository";
import { merchantConfig, validatePayConfig, type PayConfig } from "./config";
import { single, type Database } from "./database";
import { ConfigError, ValidationError } from "./errors";

/**
 * Multi-merchant mode (vk-pay.md §3.5): a `vk-pay-config` row, whose `_id` is the `pid`, holds a whole
 * uni-pay config (certificates as content). The pid is stored on the order and carried in its
 * notification path, so query, close, refund and the notification all use the merchant that created it.
 */

export const MERCHANT_CONFIGS = COLLECTIONS.merchantConfigs;

const PID = /^[A-Za-z0-9_-]{1,64}$/;

/** Rows are re-read after this long, so an edited row takes effect without a redeploy. */
const ROW_TTL_MS = 60_000;

/** Per database, so a row read from one space's database never answers for another's. */
const rowsByDatabase = new WeakMap<Database, Map<string, { readAt: number; config: PayConfig }>>();

export function checkPid(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !PID.test(value)) throw new ValidationError(-1, "pid-invalid", "pid 只能包含字母、数字、下划线和短横线（最长 64 位）");
  return value;
}

async function rowConfig(pid: string, db: Database, now: number): Promise<PayConfig> {
  let rows = rowsByDatabase.get(db);
  if (!rows) rowsByDatabase.set(db, (rows = new Map()));
  const cached = rows.get(pid);
  if (cached && now - cached.readAt < ROW_TTL_MS) return cached.config;
  const row = single<Record<string, unknown>>(await db.collection(MERCHANT_CONFIGS).doc(pid).get());
  if (!row) throw new ConfigError("merchant-pid-unknown", `未找到多商户配置 pid=${pid}（vk-pay-config）`);
  const { _id: _ignored, ...config } = row;
  const validated = validatePayConfig(config);
  rows.set(pid, { readAt: now, config: validated });
  return validated;
}

export interface MerchantSource {
  config(): PayConfig;
  db: Database;
  now(): number;
}

/** The whole config a merchant is read from: uni-pay/config.js, or the `pid`'s row. */
export async function payConfigFor(source: MerchantSource, pid?: string): Promise<PayConfig> {
  return pid ? rowConfig(pid, source.db, source.now()) : source.config();
}

/** The sub-config of one provider mode: from uni-pay/config.js, or from the `pid`'s row. */
export async function resolveMerchant(source: MerchantSource, configPath: readonly string[], pid?: string): Promise<Readonly<Record<string, unknown>>> {
  return merchantConfig(await payConfigFor(source, pid), configPath);
}
