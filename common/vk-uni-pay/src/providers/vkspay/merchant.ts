import { ConfigError } from "../../core/errors";
import type { MerchantConfig } from "../../kernel/contract";
import { cachedMerchantReader } from "../merchant-reader";

/**
 * The flat `vkspay` block: `mchId` (the protocol's `pid`, named mchId here because `pid` is the library's
 * multi-merchant row), `key` (the MD5 key) and `gatewayUrl`, the aggregator's base URL (`mapi.php` and
 * `api.php` sit under it); VksPay publishes no fixed host, so it is configuration.
 */
export interface VkspayMerchant {
  mchId: string;
  key: string;
  gatewayUrl: string;
  timeoutMs: number;
}

function fail(reason: string, message: string): ConfigError {
  return new ConfigError(`vkspay-${reason}`, message);
}

function parse(config: MerchantConfig): VkspayMerchant {
  const mchId = typeof config.mchId === "string" || typeof config.mchId === "number" ? String(config.mchId).trim() : "";
  if (!/^[0-9A-Za-z]{1,32}$/.test(mchId)) throw fail("config-invalid", "VksPay配置 mchId（商户号）缺失或格式不正确");
  const key = typeof config.key === "string" ? config.key.trim() : "";
  if (key.length < 8) throw fail("key-missing", "VksPay配置缺少商户密钥 key");
  const gateway = typeof config.gatewayUrl === "string" ? config.gatewayUrl.trim() : "";
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw fail("config-invalid", "VksPay配置 gatewayUrl（支付网关地址）缺失或不是URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw fail("config-invalid", "VksPay配置 gatewayUrl 必须是 http(s) 地址");
  const timeout = config.timeout;
  return Object.freeze({
    mchId,
    key,
    gatewayUrl: gateway.replace(/\/+$/, ""),
    timeoutMs: typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : 10_000,
  });
}

export const readVkspayMerchant = cachedMerchantReader<VkspayMerchant>(parse, (missing) =>
  missing ? fail("config-missing", "缺少VksPay配置") : fail("config-invalid", "VksPay配置无法读取"),
);
