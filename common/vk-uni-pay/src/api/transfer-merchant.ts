import { failures } from "../core/errors";
import { resolveMerchant } from "../core/merchants";
import { configPathOf } from "../core/trade-type";
import type { MerchantConfig, PaymentProvider } from "../kernel/contract";
import { requireProvider, type ApiDeps } from "./shared";

/** The provider, if it can transfer at all. */
export function transferProvider(deps: ApiDeps, name: unknown): PaymentProvider {
  if (typeof name !== "string" || name === "") throw failures.providerInvalid();
  const provider = requireProvider(deps, name);
  if (!provider.transfer) throw failures.transferNotAvailable(name);
  return provider;
}

/** The sub-config a stored transfer (or a new one) is sent with. */
export function transferMerchant(deps: ApiDeps, provider: PaymentProvider, configKey: string, pid?: string): Promise<MerchantConfig> {
  return resolveMerchant(deps, configPathOf(provider, configKey), pid);
}

export function defaultConfigKey(provider: PaymentProvider): string {
  return provider.capabilities.transferConfigKey ?? "transfer";
}
