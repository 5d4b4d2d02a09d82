import type { PaymentProvider, ProviderCapabilities } from "../kernel/contract";

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

/**
 * What is known of a provider without running its code: its name and capabilities (the library's
 * namespaces and the router's route table read them when they load), which keys hold functions (so a
 * check such as `provider.transfer ? …` needs no load) and which hold data (`configReference`).
 */
export interface ProviderDescriptor {
  name: string;
  capabilities: ProviderCapabilities;
  methods: readonly string[];
  data: readonly string[];
}

export function describeProvider(provider: PaymentProvider): ProviderDescriptor {
  const keys = Object.keys(provider).filter((key) => key !== "name" && key !== "capabilities");
  const record = provider as unknown as Record<string, unknown>;
  return {
    name: provider.name,
    capabilities: provider.capabilities,
    methods: keys.filter((key) => typeof record[key] === "function"),
    data: keys.filter((key) => typeof record[key] !== "function"),
  };
}

/**
 * Registers a provider whose code is loaded the first time one of its verbs runs or its data is read.
 * The built library ships each built-in provider as its own file (scripts/build/lazy-providers.ts), so
 * a call that needs no provider (a query answered from the database) compiles none of their code.
 */
export function registerLazyProvider(descriptor: ProviderDescriptor, load: () => PaymentProvider): void {
  let loaded: PaymentProvider | undefined;
  const provider = (): Record<string, unknown> => {
    loaded ??= load();
    // The descriptor is a snapshot taken at build time; a provider that no longer matches it is a broken build.
    if (loaded.name !== descriptor.name) throw new Error(`provider file for ${descriptor.name} holds ${loaded.name}`);
    return loaded as unknown as Record<string, unknown>;
  };
  const facade: Record<string, unknown> = { name: descriptor.name, capabilities: Object.freeze(descriptor.capabilities) };
  for (const method of descriptor.methods) {
    facade[method] = (...args: unknown[]) => (provider()[method] as (...a: unknown[]) => unknown)(...args);
  }
  for (const key of descriptor.data) Object.defineProperty(facade, key, { enumerable: true, get: () => provider()[key] });
  registerProvider(Object.freeze(facade) as unknown as PaymentProvider);
}
