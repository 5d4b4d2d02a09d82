import { join, resolve } from "node:path";
import "../../common/vk-uni-pay/src/providers";
import { validatePayConfig, type PayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { ConfigCheckItem } from "../../common/vk-uni-pay/src/kernel/contract";
import { findProvider, registeredProviders } from "../../common/vk-uni-pay/src/providers/registry";
import { dataDirFromEnv } from "../local/data-dir";
import { runningPort } from "../local/data-dir-lock";
import { DEFAULT_STAND_INS_DIR } from "../uni-cloud-mock/src/emulator";

/** One provider and mode as the doctor found it: a plain object, so the console can render it too. */
export interface ProviderCheck {
  provider: string;
  mode: string;
  /** `unused`: the config has no block for this provider at all (nothing to fix unless you mean to use it). */
  status: "ok" | "missing" | "mismatch" | "unused";
  items: ConfigCheckItem[];
  /** The address to register at the platform for this mode's notifications, one per notifyUrl space. */
  notifyUrl: string[];
}

/**
 * Loads `uni-pay/config.js` from where the emulator's uni-config-center reads it (UNICLOUD_DATA_DIR's
 * `uni-config-center/uni-pay/`, unless `configDir` names another folder) and asks each registered provider
 * about each of its modes. Provider knowledge stays in the providers (`describeConfig`).
 */
export async function checkConfig(configDir?: string, dataDir: string = dataDirFromEnv()): Promise<ProviderCheck[]> {
  const file = resolve(configDir ?? join(dataDir, "uni-config-center", "uni-pay"), "config.js");
  // As the emulator does before a function loads it: the generated config finds its template through this.
  process.env.UNICLOUD_STAND_INS_DIR ??= DEFAULT_STAND_INS_DIR;
  delete require.cache[require.resolve(file)];
  const config = validatePayConfig(loadWithPort(file, dataDir));
  const bases = Object.values(config.notifyUrl ?? {}).filter((url) => typeof url === "string" && /^https?:\/\//.test(url));
  const checks: ProviderCheck[] = [];
  for (const name of registeredProviders()) {
    const provider = findProvider(name)!;
    for (const mode of provider.capabilities.modes) {
      const path = provider.configPath?.(mode) ?? [name, mode];
      const sub = subConfig(config, path);
      const notifyUrl = bases.map((base) => `${base.replace(/\/+$/, "")}/vk-pay-notify/${name}_${mode}`);
      if (!sub) {
        const unused = subConfig(config, path.slice(0, 1)) === undefined;
        checks.push({
          provider: name,
          mode,
          status: unused ? "unused" : "missing",
          items: [{ key: path.join("."), status: "missing", detail: "no sub-config" }],
          notifyUrl,
        });
        continue;
      }
      const items = provider.describeConfig?.(mode, sub) ?? [
        { key: path.join("."), status: "ok", detail: "present (this provider does not describe its keys)" },
      ];
      const status = items.some((item) => item.status === "mismatch") ? "mismatch" : items.some((item) => item.status === "missing") ? "missing" : "ok";
      checks.push({ provider: name, mode, status, items, notifyUrl });
    }
  }
  return checks;
}

/**
 * The generated config reads PORT as it loads (`npm start` sets it to the port it listens on). Without
 * PORT, the port of the `npm start` running on this data directory, so the doctor and the emulator print
 * the same notify URL; with neither, the config's own default.
 */
function loadWithPort(file: string, dataDir: string): unknown {
  const port = process.env.PORT ? undefined : runningPort(dataDir);
  if (port === undefined) return require(file);
  process.env.PORT = String(port);
  try {
    return require(file);
  } finally {
    delete process.env.PORT;
  }
}

function subConfig(config: PayConfig, path: readonly string[]): Record<string, unknown> | undefined {
  let node: unknown = config;
  for (const key of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  return node && typeof node === "object" && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
