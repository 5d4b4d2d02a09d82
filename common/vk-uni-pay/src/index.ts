/**
 * vk-uni-pay: `require("vk-uni-pay")` in any cloud function. Every call resolves to
 * `{ code: 0, msg: "success", data }` or `{ code, msg, errCode }` and never throws at its caller.
 */
// The built-in providers register themselves.
import "./providers";

import * as CALLS from "./api/calls";
import { decrypt, encrypt } from "./api/crypto-aes";
import { code2Session } from "./api/openid";
import { verifyClientProof } from "./api/verify-client-proof";
import { clientProofCalls, type ClientProofNamespaces } from "./api/client-proof-calls";
import { callManager, managerGetters, type ManagerGetter } from "./api/provider-managers";
import { callProvider, providerCalls, type ProviderCallNamespaces } from "./api/provider-calls";
import { productionDeps, type Deps } from "./core/deps";
import type { HookResolver } from "./core/hooks";
import { paymentNotify, type NotificationInput } from "./notify/entry";

type Bound<T> = { [K in keyof T]: T[K] extends (params: infer P, deps?: Deps) => infer R ? (params: P) => R : never };

export interface BoundLibrary extends Bound<typeof CALLS> {
  code2Session(name: string, params: Parameters<typeof code2Session>[1]): ReturnType<typeof code2Session>;
  paymentNotify(input: NotificationInput): ReturnType<typeof paymentNotify>;
  verifyClientProof(name: string, params: Parameters<typeof verifyClientProof>[1]): ReturnType<typeof verifyClientProof>;
  /** The client proofs by the manual's names, `proofs.appleiap.verifyReceipt(params)`; also spread onto the bound library itself. */
  proofs: ClientProofNamespaces;
  callManager(manager: string, method: string, params?: Parameters<typeof callManager>[2]): ReturnType<typeof callManager>;
  /** The providers' account managers by the manual's names, `managers.getWxpayVirtualManager()`; also spread onto the bound library. */
  managers: Record<string, ManagerGetter>;
  callProvider(name: string, params: Parameters<typeof callProvider>[1]): ReturnType<typeof callProvider>;
  /** The providers' own calls, `calls.douyin.createSettle(params)`; also spread onto the bound library itself. */
  calls: ProviderCallNamespaces;
}

/** Proof and provider-call namespaces as one set of library namespaces (`douyin.*` may hold both). */
function mergeNamespaces(...sets: Array<Record<string, Record<string, unknown>>>): Record<string, Record<string, unknown>> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const set of sets) for (const [namespace, calls] of Object.entries(set)) merged[namespace] = { ...merged[namespace], ...calls };
  return merged;
}

/**
 * The library bound to the caller's order-type hooks: the vk-pay function asks for it once, so the hooks
 * its files define run wherever its calls apply a payment or a refund. Other functions use the plain calls
 * (no hooks): what they apply is marked paid at once and its hook runs in vk-pay later.
 */
export function withHooks(hooks: HookResolver): BoundLibrary {
  const deps = () => productionDeps({ hooks });
  const bound = {} as Record<string, (params: never) => unknown>;
  for (const [name, call] of Object.entries(CALLS) as Array<[string, (params: never, deps?: Deps) => unknown]>) bound[name] = (params) => call(params, deps());
  const library: BoundLibrary = {
    ...(bound as unknown as Bound<typeof CALLS>),
    code2Session: (name, params) => code2Session(name, params, deps()),
    paymentNotify: (input) => paymentNotify({ ...input, hooks: input?.hooks ?? hooks }),
    verifyClientProof: (name, params) => verifyClientProof(name, params, deps()),
    proofs: {},
    callManager: (manager, method, params) => callManager(manager, method, params, deps()),
    managers: {},
    callProvider: (name, params) => callProvider(name, params, deps()),
    calls: {},
  };
  // `vkPay.appleiap.verifyReceipt(params)` (vk-pay.md §1.7), `vkPay.getWxpayVirtualManager()` (§1.8) and
  // `vkPay.douyin.createSettle(params)`, from the providers registered by now.
  const exported = Object.keys(module.exports as object).filter((name) => !generatedExports.has(name));
  const reserved = new Set([...Object.keys(library), ...exported]);
  library.proofs = clientProofCalls(reserved, deps);
  library.calls = providerCalls(reserved, deps);
  const namespaces = mergeNamespaces(library.proofs, library.calls);
  library.managers = managerGetters(new Set([...reserved, ...Object.keys(namespaces)]), deps);
  return Object.assign(library, namespaces, library.managers);
}

export * from "./api/calls";
export { code2Session, loginRoutes } from "./api/openid";
export { clientProofRoutes, verifyClientProof } from "./api/verify-client-proof";
export { callManager, managerRoutes } from "./api/provider-managers";
export { callProvider } from "./api/provider-calls";
export { paymentNotify, transferNotify } from "./notify/entry";
/** `vkPay.crypto.aes.encrypt({ data })` / `decrypt({ data })`, keyed by `notifyKey`. */
export const crypto = { aes: { encrypt, decrypt } };
export { orderTypeConfig } from "./api/order-types";
export { ValidationError, VkPayError } from "./core/errors";
export { isFen, fenToYuan } from "./core/money";
export { single } from "./core/database";
export type { CreateHookInput, CreateHookResult, HookContext, HookModule, HookResolver, LegacyHook, OrderTypeHooks, RefundFacts } from "./core/hooks";
export type { IntegrationResponse } from "./http-reply";

/**
 * The built-in providers' client proofs by the manual's names (`require("vk-uni-pay").appleiap.verifyReceipt(params)`,
 * vk-pay.md §1.7) and their own calls (`require("vk-uni-pay").douyin.createSettle(params)`) on the plain library
 * too, added to this module's exports once every export above exists, so none of them can be shadowed.
 * CommonJS on purpose: uniCloud loads only CommonJS, and esbuild's CommonJS output keeps `module.exports` extensible.
 */
const moduleExports = module.exports as Record<string, unknown>;
const generatedExports = new Set<string>();
const ownExports = new Set(Object.keys(moduleExports));
for (const [namespace, calls] of Object.entries(mergeNamespaces(clientProofCalls(ownExports), providerCalls(ownExports)))) {
  moduleExports[namespace] = calls;
  generatedExports.add(namespace);
}
// The providers' account managers by the manual's names (`vkPay.getWxpayVirtualManager()`, vk-pay.md §1.8), the same way.
for (const [name, getter] of Object.entries(managerGetters(new Set(Object.keys(moduleExports))))) {
  moduleExports[name] = getter;
  generatedExports.add(name);
}
