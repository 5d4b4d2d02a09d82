import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../core/errors";
import type { MerchantConfig } from "../kernel/contract";

/**
 * Reading values out of a provider's sub-config, the same way for every provider: optional strings,
 * and key or certificate material given inline (`*Content`, string or Buffer) or by path. Files are
 * read once per process (they only change with a redeploy). Errors carry the provider's own code prefix
 * and name, and never the material itself.
 */
export interface ConfigSource {
  /** The provider's name in messages, e.g. 微信支付. */
  label: string;
  /** `alipay` → errCodes like `alipay-config-invalid`. */
  prefix: string;
}

const files = new Map<string, Buffer | null>();

export function configError(source: ConfigSource, reason: string, message: string): ConfigError {
  return new ConfigError(`${source.prefix}-${reason}`, message);
}

export function optionalConfigString(source: ConfigSource, config: MerchantConfig, field: string): string | undefined {
  const value = config[field];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw configError(source, "config-invalid", `${source.label}配置 ${field} 必须是字符串`);
  return value.trim() || undefined;
}

/** A file named in the config; `null` when it does not exist (vk-uni-pay's templates keep blank certificate files). */
function readConfigFile(source: ConfigSource, path: string): Buffer | null {
  const absolute = resolve(path);
  if (files.has(absolute)) return files.get(absolute)!;
  let content: Buffer | null;
  try {
    content = readFileSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== "ENOENT") throw configError(source, "file-unreadable", `无法读取${source.label}证书文件 ${path}`);
    content = null;
  }
  files.set(absolute, content);
  return content;
}

const isBlank = (content: string | Buffer) => (Buffer.isBuffer(content) ? content.toString("utf8") : content).trim() === "";

/** Inline content (string or Buffer) wins over a path; empty content or an empty file counts as absent. */
export function configMaterial(source: ConfigSource, config: MerchantConfig, contentField: string, pathField?: string): string | Buffer | undefined {
  const inline = config[contentField];
  if (typeof inline === "string" || Buffer.isBuffer(inline)) {
    if (!isBlank(inline)) return inline;
  } else if (inline !== undefined && inline !== null) {
    throw configError(source, "config-invalid", `${source.label}配置 ${contentField} 必须是字符串或 Buffer`);
  }
  const path = pathField ? optionalConfigString(source, config, pathField) : undefined;
  const content = path ? readConfigFile(source, path) : null;
  return content && !isBlank(content) ? content : undefined;
}
