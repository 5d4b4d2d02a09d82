import type { Deps } from "../core/deps";
import { ConfigError, failures } from "../core/errors";
import { checkPid, resolveMerchant } from "../core/merchants";
import { findOrder, type Order } from "../core/orders";
import { respond, type Result } from "../core/result";
import { configPathOf } from "../core/trade-type";
import type { CallOrder, PaymentProvider, ProviderCallMethod } from "../kernel/contract";
import { findProvider, registeredProviders } from "../providers/registry";
import { checkOutTradeNo, optionalObject, orderMerchant, productionDeps, type ApiDeps } from "./shared";
import { recordStartedRefund } from "./started-refund";

/**
 * A provider's own server-side calls that no manual names (Douyin's settlement: `vkPay.douyin.createSettle`),
 * generated from the registered providers' `capabilities.calls`, as client-proof-calls.ts does for proofs,
 * so the core names no provider. They are library calls only, never public routes: a settlement moves the
 * merchant's money and only the developer's own cloud functions may ask for one.
 *
 * A call about an order (`order: true`) names it by `out_trade_no`; the core finds it, refuses another
 * provider's, and passes the provider its amounts (total, refunded) to check the call's amounts against.
 */

export interface ProviderCallParams {
  out_trade_no?: string;
  /** Multi-merchant `vk-pay-config` row, for a call that names no order (an order's own merchant is used otherwise). */
  pid?: string;
  [field: string]: unknown;
}

export type ProviderCall = (params: ProviderCallParams) => Promise<Result<Record<string, unknown>>>;
export type ProviderCallNamespaces = Record<string, Record<string, ProviderCall>>;

function callTarget(
  name: string,
  deps: Pick<ApiDeps, "findProvider" | "providerNames">,
): { provider: PaymentProvider; method: ProviderCallMethod } | undefined {
  for (const providerName of deps.providerNames()) {
    const provider = deps.findProvider(providerName);
    const method = provider?.capabilities.calls?.find((entry) => entry.name === name);
    if (provider?.callProvider && method) return { provider, method };
  }
  return undefined;
}

export function callProvider(name: string, params: ProviderCallParams, deps: ApiDeps = productionDeps()): Promise<Result<Record<string, unknown>>> {
  return respond(
    String(name).slice(0, 64),
    async () => {
      const target = typeof name === "string" ? callTarget(name, deps) : undefined;
      if (!target) throw new ConfigError("provider-call-unavailable", `${String(name).slice(0, 64)} 暂不可用`);
      const { provider, method } = target;
      const { out_trade_no: outTradeNo, pid, ...rest } = optionalObject(params, "params") ?? {};
      let order: CallOrder | undefined;
      let stored: Order | undefined;
      let merchant: { mode: string; config: Readonly<Record<string, unknown>> };
      if (method.order) {
        const found = await findOrder(checkOutTradeNo(outTradeNo), deps.db);
        if (!found || found.provider !== provider.name) throw failures.orderNotFound();
        stored = found;
        merchant = await orderMerchant(found, deps);
        order = {
          outTradeNo: found.out_trade_no,
          totalFee: found.total_fee,
          refundFee: Math.max(found.refund_fee ?? 0, found.refund_reserved ?? 0),
          status: found.status,
          ...(found.transaction_id ? { transactionId: found.transaction_id } : {}),
        };
      } else {
        merchant = { mode: method.mode, config: await resolveMerchant(deps, configPathOf(provider, method.mode), checkPid(pid)) };
      }
      const result = await provider.callProvider!(
        { name, mode: merchant.mode, config: merchant.config, ...(order ? { order } : {}), params: rest },
        deps.runtime,
      );
      // A refund the call started joins the order's ledger; only a call about an order can start one.
      if (result.refund && stored) await recordStartedRefund(stored, result.refund, deps);
      return result.data;
    },
    deps.log,
  );
}

const PART = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** `namespace → call → function` for every registered provider call whose namespace is not `reserved`. */
export function providerCalls(reserved: ReadonlySet<string>, deps?: () => Deps): ProviderCallNamespaces {
  const namespaces: ProviderCallNamespaces = {};
  for (const providerName of registeredProviders()) {
    for (const { name } of findProvider(providerName)?.capabilities.calls ?? []) {
      const [namespace, call, ...rest] = name.split(".");
      if (!namespace || !call || rest.length > 0 || !PART.test(namespace) || !PART.test(call) || reserved.has(namespace)) continue;
      (namespaces[namespace] ??= {})[call] = (params) => callProvider(name, params, ...(deps ? [deps()] : []));
    }
  }
  return namespaces;
}
