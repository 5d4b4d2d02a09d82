import type { HookResolver } from "./hooks";

/**
 * The vk-pay function registers how to find its order-type hooks when it loads. In other functions
 * nothing is registered: a payment they apply is marked paid at once and its hook runs in vk-pay
 * (next notification, timer, admin/hookRetry).
 */
let resolver: HookResolver | undefined;

export function setHookResolver(next: HookResolver | undefined): void {
  resolver = next;
}

export function currentHookResolver(): HookResolver | undefined {
  return resolver;
}
