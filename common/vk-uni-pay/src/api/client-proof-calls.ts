import type { Deps } from "../core/deps";
import type { Result } from "../core/result";
import { findProvider, registeredProviders } from "../providers/registry";
import { verifyClientProof, type ClientProofData, type ClientProofParams } from "./verify-client-proof";

/**
 * The manual names each client proof as a call of its own (vk-pay.md §1.7: `vkPay.appleiap.verifyReceipt(params)`).
 * Those calls are generated here from the registered providers' `capabilities.clientProof` names
 * (`<namespace>.<call>`), each the generic `verifyClientProof(name, params)`, so the core names no provider.
 * A namespace that is already one of the library's own exports is never replaced.
 */

export type ClientProofCall = (params: ClientProofParams) => Promise<Result<ClientProofData>>;
export type ClientProofNamespaces = Record<string, Record<string, ClientProofCall>>;

const PART = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function clientProofCalls(reserved: ReadonlySet<string>, deps?: () => Deps): ClientProofNamespaces {
  const namespaces: ClientProofNamespaces = {};
  for (const providerName of registeredProviders()) {
    for (const { name } of findProvider(providerName)?.capabilities.clientProof ?? []) {
      const [namespace, call, ...rest] = name.split(".");
      if (!namespace || !call || rest.length > 0 || !PART.test(namespace) || !PART.test(call) || reserved.has(namespace)) continue;
      const calls = (namespaces[namespace] ??= {});
      calls[call] = (params) => verifyClientProof(name, params, ...(deps ? [deps()] : []));
    }
  }
  return namespaces;
}
