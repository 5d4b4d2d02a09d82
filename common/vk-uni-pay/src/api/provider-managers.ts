import type { Deps } from "../core/deps";
import { ConfigError, ValidationError } from "../core/errors";
import { checkPid, resolveMerchant } from "../core/merchants";
import { respond, type Result } from "../core/result";
import { configPathOf } from "../core/trade-type";
import type { ManagerCapability, PaymentProvider } from "../kernel/contract";
import { findProvider, registeredProviders } from "../providers/registry";
import { optionalObject, productionDeps, type ApiDeps } from "./shared";

/**
 * Providers' account managers (vk-pay.md §1.8: `const m = await vkPay.getWxpayVirtualManager()`, then
 * `m.currencyPay(params)`), generated from the registered providers' `capabilities.manager`, so the core
 * names no provider. Every method answers the library's envelope and never throws.
 */

export type ManagerData = Readonly<Record<string, unknown>>;
export type ManagerCall = (params?: Record<string, unknown>) => Promise<Result<ManagerData>>;
export type ProviderManager = Record<string, ManagerCall>;
/** The manual's getter: async, as the manual awaits it; `pid` picks a `vk-pay-config` merchant for every call. */
export type ManagerGetter = (options?: { pid?: string }) => Promise<ProviderManager>;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function managerOf(
  managerName: string,
  deps: Pick<ApiDeps, "findProvider" | "providerNames">,
): { provider: PaymentProvider; manager: ManagerCapability } | undefined {
  for (const providerName of deps.providerNames()) {
    const provider = deps.findProvider(providerName);
    const manager = provider?.capabilities.manager;
    if (provider?.manage && manager?.name === managerName) return { provider, manager };
  }
  return undefined;
}

/** `vkPay.callManager(manager, method, params)`: one manager method, in the merchant sub-config its provider names. */
export function callManager(
  managerName: string,
  method: string,
  params?: Record<string, unknown>,
  deps: ApiDeps = productionDeps(),
): Promise<Result<ManagerData>> {
  const label = `${String(managerName).slice(0, 64)}.${String(method).slice(0, 64)}`;
  return respond(
    label,
    async () => {
      const found = typeof managerName === "string" ? managerOf(managerName, deps) : undefined;
      if (!found) throw new ConfigError("manager-unavailable", `${label} 暂不可用`);
      const { provider, manager } = found;
      if (typeof method !== "string" || !manager.methods.some((entry) => entry.name === method)) {
        throw new ValidationError(-1, "manager-method-unknown", `${label} 不存在`);
      }
      const { pid, ...fields } = optionalObject(params, "params") ?? {};
      const config = await resolveMerchant(deps, configPathOf(provider, manager.mode), checkPid(pid));
      return { ...(await provider.manage!({ method, mode: manager.mode, config, params: fields }, deps.runtime)) };
    },
    deps.log,
  );
}

/** The getters by the manual's names (`getWxpayVirtualManager`); a name that is already one of the library's exports is never replaced. */
export function managerGetters(reserved: ReadonlySet<string>, deps?: () => Deps): Record<string, ManagerGetter> {
  const getters: Record<string, ManagerGetter> = {};
  for (const providerName of registeredProviders()) {
    const manager = findProvider(providerName)?.capabilities.manager;
    if (!manager || !NAME.test(manager.name) || reserved.has(manager.name)) continue;
    getters[manager.name] = async (options) => {
      const pid = options?.pid;
      const methods: ProviderManager = {};
      for (const { name } of manager.methods) {
        if (!NAME.test(name)) continue;
        methods[name] = (params) => callManager(manager.name, name, { ...(params ?? {}), ...(pid !== undefined ? { pid } : {}) }, ...(deps ? [deps()] : []));
      }
      return methods;
    };
  }
  return getters;
}

/** Every registered manager method that has an admin route, for the router. */
export function managerRoutes(
  deps: Pick<ApiDeps, "findProvider" | "providerNames"> = { findProvider, providerNames: registeredProviders },
): Array<{ route: string; manager: string; method: string }> {
  return deps.providerNames().flatMap((providerName) => {
    const manager = deps.findProvider(providerName)?.capabilities.manager;
    if (!manager) return [];
    return manager.methods.flatMap((method) => (method.adminRoute ? [{ route: method.adminRoute, manager: manager.name, method: method.name }] : []));
  });
}
