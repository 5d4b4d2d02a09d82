import type { PaymentProvider } from "../kernel/contract";
import { registerProvider } from "./registry";
import { wxpay } from "./wxpay";
import { alipay } from "./alipay";
import { appleiap } from "./appleiap";
import { vkspay } from "./vkspay";
import { wxpayVirtual } from "./wxpay-virtual";
import { douyin } from "./douyin";
import { huawei } from "./huawei";

/**
 * The built-in providers by folder, in the order of the provider table. Adding a provider = its folder +
 * one line here; the folder's index.ts exports the instance under the folder's name in camelCase
 * (`wxpay-virtual` → `wxpayVirtual`). The build reads this table to ship each folder as its own file,
 * registered lazily in the built library (scripts/build/lazy-providers.ts); run from source, they
 * register here when the library loads (`src/index.ts` imports this module for its effect).
 */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, PaymentProvider>> = Object.freeze({
  wxpay,
  alipay,
  appleiap,
  vkspay,
  "wxpay-virtual": wxpayVirtual,
  douyin,
  huawei,
});

for (const provider of Object.values(BUILT_IN_PROVIDERS)) registerProvider(provider);

export { findProvider, registeredProviders, registerProvider } from "./registry";
