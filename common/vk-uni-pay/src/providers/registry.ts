import type { PaymentProvider } from "../kernel/contract";

/**
 * The payment providers this build knows, by the `provider` part of a `pay_type`
 * (`wxpay_mp-weixin` → `wxpay`). Each provider issue adds one line here and nothing to the core.
 */
const providers = new Map<string, PaymentProvider>();

export function findProvider(name: string): PaymentProvider | undefined {
  return providers.get(name);
}

export function registeredProviders(): string[] {
  return [...providers.keys()];
}

/** Adds a provider (the built-in ones at load; tests add doubles). */
export function registerProvider(provider: PaymentProvider): void {
  providers.set(provider.name, provider);
}
