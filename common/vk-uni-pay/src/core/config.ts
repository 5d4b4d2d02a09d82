import { ConfigError, failures } from "./errors";

/** uni-pay/config.js, with vk-uni-pay's structure (reference: vk-pay.md §3) plus `orderTypes`. */
export interface PayConfig {
  notifyUrl?: Readonly<Record<string, string>>;
  notifyKey?: string;
  autoDeleteExpiredOrders?: number;
  alipayAppPayToH5Pay?: boolean;
  userWhitelist?: readonly string[];
  orderTypes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [provider: string]: unknown;
}

interface ConfigCenter {
  (options: { pluginId: string }): { requireFile(file: string): unknown; hasFile(file: string): boolean };
}

function loadConfigCenter(): ConfigCenter {
  // Resolved at run time: DCloud's uni-config-center in the cloud, the emulator's stand-in locally.
  return require("uni-config-center") as ConfigCenter;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !Buffer.isBuffer(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

let cached: { source: unknown; config: PayConfig } | undefined;

/**
 * Reads uni-pay/config.js through uni-config-center, validates its shape once and freezes it, so no
 * request can alter what the next one sees. Re-validated only when the module hands back a new object.
 */
export function loadPayConfig(center: ConfigCenter = loadConfigCenter()): PayConfig {
  const source = center({ pluginId: "uni-pay" }).requireFile("config.js");
  if (cached && cached.source === source) return cached.config;
  if (source === undefined) throw new ConfigError("config-missing", "未找到 uni-config-center/uni-pay/config.js");
  cached = { source, config: validatePayConfig(source) };
  return cached.config;
}

export function validatePayConfig(source: unknown): PayConfig {
  if (!source || typeof source !== "object" || Array.isArray(source)) throw new ConfigError("config-invalid", "uni-pay/config.js 必须导出一个对象");
  const config = copyConfig(source as Record<string, unknown>);
  const notifyUrl = config.notifyUrl;
  if (notifyUrl !== undefined && (typeof notifyUrl !== "object" || notifyUrl === null || Array.isArray(notifyUrl))) {
    throw new ConfigError("config-invalid", "notifyUrl 必须是以服务空间 spaceId 为键的对象");
  }
  if (config.userWhitelist !== undefined && !(Array.isArray(config.userWhitelist) && config.userWhitelist.every((id) => typeof id === "string"))) {
    throw new ConfigError("config-invalid", "userWhitelist 必须是 uni-id-users._id 的数组");
  }
  if (config.autoDeleteExpiredOrders !== undefined && !(Number.isInteger(config.autoDeleteExpiredOrders) && (config.autoDeleteExpiredOrders as number) >= 0)) {
    throw new ConfigError("config-invalid", "autoDeleteExpiredOrders 必须是非负整数（天）");
  }
  return deepFreeze(config) as PayConfig;
}

/** A copy that keeps Buffers (certificates read with fs) as they are. */
function copyConfig<T extends Record<string, unknown>>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] =
      child && typeof child === "object" && !Buffer.isBuffer(child) && !Array.isArray(child)
        ? copyConfig(child as Record<string, unknown>)
        : Array.isArray(child)
          ? [...child]
          : child;
  }
  return copy as T;
}

/**
 * The URL化 address of vk-pay for this space (`notifyUrl[spaceId]`); old and new Aliyun space ids
 * differ by an `mp-` prefix, so both spellings are tried. No usable URL is vk-uni-pay's error 101.
 */
export function notifyBaseUrl(config: PayConfig, spaceId: string | undefined): string {
  const table = config.notifyUrl ?? {};
  const candidates = spaceId ? [spaceId, spaceId.startsWith("mp-") ? spaceId.slice(3) : `mp-${spaceId}`] : [];
  for (const id of candidates) {
    const url = table[id];
    if (typeof url === "string" && /^https?:\/\/[^\s/]+/.test(url)) return url.replace(/\/+$/, "");
  }
  throw failures.notifyUrlMissing();
}

/** The merchant sub-config at `path` (the provider's `configPath` of a mode, e.g. `["wxpay", "mp-weixin"]`). */
export function merchantConfig(config: PayConfig, path: readonly string[]): Readonly<Record<string, unknown>> {
  let node: unknown = config;
  for (const key of path)
    node =
      node && typeof node === "object" && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, key)
        ? (node as Record<string, unknown>)[key]
        : undefined;
  if (!node || typeof node !== "object" || Array.isArray(node) || Buffer.isBuffer(node)) {
    throw new ConfigError("merchant-config-missing", `未配置 ${path.join(".")}，请在 uni-pay/config.js 中填写`);
  }
  return node as Readonly<Record<string, unknown>>;
}

const SECRET_KEY = /key|secret|password|private|token|pfx|cert|salt|sign/i;

/** Deeper than any stored document (the database stops at 100 levels, as MongoDB), so a masked document is whole. */
const MASK_DEPTH = 128;

/** A copy fit for a log line or the back office: every secret-looking value is replaced, however deep. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > MASK_DEPTH) return "[deep]";
  if (Buffer.isBuffer(value)) return "[buffer]";
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (value && typeof value === "object") {
    const masked: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      masked[key] = SECRET_KEY.test(key) && child !== "" && child !== undefined && child !== null ? "***" : maskSecrets(child, depth + 1);
    }
    return masked;
  }
  return value;
}
