import { UniIdError } from "./errors";
import type { UniIdConfig } from "./types";

/** The values a token operation needs, after app selection, platform overrides and defaults. */
export interface TokenSettings {
  tokenSecret: string;
  tokenExpiresIn: number;
  tokenExpiresThreshold: number;
  maxTokenLength: number;
}

const DEFAULTS = { tokenExpiresIn: 7200, tokenExpiresThreshold: 1200, maxTokenLength: 10 } as const;

/** Older clients report `app-plus`/`h5`; uni-id-common files their settings under `app`/`web`. */
export function normalizePlatform(platform: string | undefined): string | undefined {
  if (!platform) return undefined;
  if (platform === "app-plus" || platform === "app-android" || platform === "app-ios" || platform === "app-harmony") return "app";
  if (platform === "h5") return "web";
  return platform;
}

/** The legacy block names a platform's settings may still be filed under in an old config. */
const LEGACY_BLOCKS: Record<string, string[]> = { app: ["app-plus"], web: ["h5"] };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A multi-app config is an array told apart by `dcloudAppid` (the caller's `context.APPID`);
 * `isDefaultConfig` marks the block used when no app matches.
 */
export function selectAppConfig(config: unknown, appId: string | undefined): UniIdConfig {
  if (!Array.isArray(config)) {
    if (!isObject(config)) throw new UniIdError("uni-id-config-field-required", { param: "tokenSecret" });
    return config as UniIdConfig;
  }
  const blocks = config.filter(isObject) as UniIdConfig[];
  const selected = (appId ? blocks.find((block) => block.dcloudAppid === appId) : undefined) ?? blocks.find((block) => block.isDefaultConfig === true);
  if (!selected)
    throw new UniIdError("uni-id-config-field-invalid", { param: `dcloudAppid (no config for ${appId ?? "an unknown app"} and no isDefaultConfig)` });
  return selected;
}

function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new UniIdError("uni-id-config-field-invalid", { param: field });
  return value;
}

/**
 * Never falls back to a built-in secret: a deployment without `tokenSecret` would otherwise accept
 * tokens anyone can mint from this public source.
 */
export function resolveTokenSettings(config: unknown, appId: string | undefined, platform: string | undefined): TokenSettings {
  const app = selectAppConfig(config, appId);
  const normalized = normalizePlatform(platform);
  const overrides: Record<string, unknown> = {};
  if (normalized) {
    for (const block of [...(LEGACY_BLOCKS[normalized] ?? []), normalized]) {
      const values = app[block];
      if (!isObject(values)) continue;
      if (values.tokenExpiresIn !== undefined) overrides.tokenExpiresIn = values.tokenExpiresIn;
      if (values.tokenExpiresThreshold !== undefined) overrides.tokenExpiresThreshold = values.tokenExpiresThreshold;
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULTS, ...definedOnly(app), ...overrides };

  const tokenSecret = merged.tokenSecret;
  if (typeof tokenSecret !== "string" || tokenSecret === "") {
    throw new UniIdError("uni-id-config-field-required", { param: "tokenSecret" });
  }
  const tokenExpiresIn = positiveNumber(merged.tokenExpiresIn, "tokenExpiresIn");
  const tokenExpiresThreshold = merged.tokenExpiresThreshold;
  // A threshold at or above the lifetime would refresh on every single check.
  if (typeof tokenExpiresThreshold !== "number" || !(tokenExpiresThreshold >= 0) || tokenExpiresThreshold >= tokenExpiresIn) {
    throw new UniIdError("uni-id-config-field-invalid", { param: "tokenExpiresThreshold" });
  }
  const maxTokenLength = positiveNumber(merged.maxTokenLength, "maxTokenLength");
  if (!Number.isInteger(maxTokenLength)) throw new UniIdError("uni-id-config-field-invalid", { param: "maxTokenLength" });
  return { tokenSecret, tokenExpiresIn, tokenExpiresThreshold, maxTokenLength };
}

/** Keys explicitly set to null/undefined in a config leave the default in place. */
function definedOnly(config: UniIdConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined && value !== null));
}
