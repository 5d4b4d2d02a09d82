import { ConfigError } from "../core/errors";
import type { ConfigCheckItem, MerchantConfig } from "../kernel/contract";

/**
 * A key's value as the doctor may show it: a file path (`…Path`), a URL (its credentials dropped) and
 * numbers and booleans as written, since they name where something is or how it behaves; PEM material by
 * its kind only; every other string masked, since keys and secrets are plain strings too.
 */
function shown(key: string, value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Buffer.isBuffer(value)) return `binary (${value.length} bytes)`;
  if (Array.isArray(value)) return `${value.length} item(s)`;
  if (value && typeof value === "object") return `{ ${Object.keys(value).join(", ")} }`.slice(0, 200);
  if (typeof value !== "string") return "";
  if (key.endsWith("Path")) return value;
  if (/^https?:\/\//.test(value)) return value.replace(/\/\/[^/@]*@/, "//");
  const pem = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(value.trim());
  if (pem) return `PEM ${pem[1]} (${value.length} chars)`;
  return value.length <= 8 ? "***" : `${value.slice(0, 2)}***${value.slice(-2)} (${value.length} chars)`;
}

/**
 * A provider's `describeConfig` from the keys it documents and its own reader: each key present or missing
 * (`required` ones count as missing), then the reader's verdict, whose ConfigError says which key is wrong
 * and whether a key pair does not match (errCode `…-key-mismatch`).
 */
export function describeWithReader(
  config: MerchantConfig,
  keys: ReadonlyArray<{ key: string; required?: boolean; alternatives?: readonly string[] }>,
  read: (config: MerchantConfig) => unknown,
): ConfigCheckItem[] {
  const items: ConfigCheckItem[] = keys.map(({ key, required, alternatives = [] }) => {
    const found = [key, ...alternatives].find((name) => config[name] !== undefined && config[name] !== "");
    if (found) return { key: found, status: "ok", detail: shown(found, config[found]) };
    return { key: [key, ...alternatives].join(" | "), status: required ? "missing" : "ok", detail: required ? "required" : "not set (optional)" };
  });
  try {
    read(config);
    items.push({ key: "(reader)", status: "ok", detail: "the sub-config loads as a payment would load it" });
  } catch (error) {
    const mismatch = error instanceof ConfigError && /mismatch|misplaced/.test(error.errCode);
    items.push({ key: "(reader)", status: mismatch ? "mismatch" : "missing", detail: error instanceof Error ? error.message : String(error) });
  }
  return items;
}
