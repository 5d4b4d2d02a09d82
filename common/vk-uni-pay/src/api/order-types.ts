import { loadPayConfig, type PayConfig } from "../core/config";

/** `orderTypes.<type>` of uni-pay/config.js: the prices and limits an order type's `create` hook uses. */
export function orderTypeConfig(type: string, config: PayConfig = loadPayConfig()): Readonly<Record<string, unknown>> {
  const value = config.orderTypes?.[type];
  return value && typeof value === "object" ? value : {};
}
