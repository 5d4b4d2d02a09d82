import { VkPayError } from "../core/errors";
import type { MerchantConfig } from "../kernel/contract";

/**
 * A provider's reader of its sub-config: parses once per config object and caches the typed result.
 * Configs are frozen (core/config.ts), so the object itself is the cache key; a `vk-pay-config` row read
 * again is parsed again, while its keys and files still come from the per-process caches. Errors the
 * parser raises on purpose (ConfigErrors, which never carry key material) pass through; anything else
 * becomes the provider's own "cannot read this config" error.
 */
export function cachedMerchantReader<T extends object>(
  parse: (config: MerchantConfig) => T,
  unreadable: (missing: boolean) => VkPayError,
): (config: MerchantConfig) => T {
  const byConfig = new WeakMap<object, T>();
  return (config) => {
    if (typeof config !== "object" || config === null) throw unreadable(true);
    const hit = byConfig.get(config);
    if (hit) return hit;
    let merchant: T;
    try {
      merchant = parse(config);
    } catch (error) {
      if (error instanceof VkPayError) throw error;
      throw unreadable(false);
    }
    byConfig.set(config, merchant);
    return merchant;
  };
}
