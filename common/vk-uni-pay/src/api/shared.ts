import { productionDeps, type Deps } from "../core/deps";
import { checkInputBounds } from "../core/input-bounds";
import { resolveMerchant } from "../core/merchants";
import { configPathOf, providerNotFound } from "../core/trade-type";
import { failures, ValidationError } from "../core/errors";
import { runRefundedHook, type HookOutcome, type RefundHookOutcome } from "../core/hooks";
import { settleRefund } from "../core/refunds";
import type { RefundState } from "../kernel/contract";
import { orderFieldsProblem, type Order } from "../core/orders";
import { settlePayment } from "../core/settle-payment";
import type { OrderRef, PartnerRef, PaymentProvider, PaymentStatus } from "../kernel/contract";

/** The public calls' dependencies: the library's one dependency object. */
export type ApiDeps = Deps;
export { productionDeps };

export function requireProvider(deps: ApiDeps, name: string): PaymentProvider {
  const provider = deps.findProvider(name);
  if (!provider) throw providerNotFound(name, deps.providerNames());
  return provider;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{1,64}$/;

export function checkOutTradeNo(value: unknown): string {
  if (typeof value !== "string" || !OUT_TRADE_NO.test(value)) throw failures.outTradeNoInvalid();
  return value;
}

export function optionalObject(value: unknown, name: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new ValidationError(-1, `${name}-invalid`, `${name}必须是对象`);
  // Within the bounds before it is stored, sent or logged: every one of those walks it recursively.
  const problem = checkInputBounds(value, name);
  if (problem) throw new ValidationError(-1, problem.reason, problem.message);
  return value;
}

/** What a provider call about an existing order needs: its mode, the merchant that created it, its payer and stored provider fields. */
export async function orderMerchant(
  order: Pick<Order, "provider" | "pay_type" | "pid" | "sub_mchid" | "sub_appid" | "app_auth_token"> & Partial<Pick<Order, "openid" | "provider_fields">>,
  deps: ApiDeps,
): Promise<Omit<OrderRef, "outTradeNo">> {
  const mode = order.pay_type.slice(order.provider.length + 1);
  const config = await resolveMerchant(deps, configPathOf(requireProvider(deps, order.provider), mode), order.pid || undefined);
  return {
    mode,
    config,
    ...partnerOf(order),
    ...(order.openid ? { openid: order.openid } : {}),
    ...(order.provider_fields ? { orderFields: order.provider_fields } : {}),
  };
}

/** The order's service-provider fields as the contract's PartnerRef (absent when there are none). */
export function partnerOf(order: Pick<Order, "sub_mchid" | "sub_appid" | "app_auth_token">): { partner?: PartnerRef } {
  const partner: PartnerRef = {};
  if (order.sub_mchid) partner.subMchId = order.sub_mchid;
  if (order.sub_appid) partner.subAppId = order.sub_appid;
  if (order.app_auth_token) partner.appAuthToken = order.app_auth_token;
  return Object.keys(partner).length > 0 ? { partner } : {};
}

/**
 * A payment the provider reports outside a notification (a query, a pay-code answer) goes through the
 * same exactly-once transition and hooks as a notification, after the same amount check.
 */
export async function applyReportedPayment(order: Order, status: PaymentStatus, deps: ApiDeps): Promise<HookOutcome | "deferred" | "mismatch"> {
  if (status.totalFee !== undefined && status.totalFee !== order.total_fee) {
    deps.log(`vk-uni-pay: ${order.out_trade_no} reported paid with amount ${status.totalFee}, order says ${order.total_fee}; not applied`);
    return "mismatch";
  }
  const fieldsProblem = orderFieldsProblem(order, status.orderFields);
  if (fieldsProblem) {
    deps.log(`vk-uni-pay: ${order.out_trade_no} reported paid but ${fieldsProblem}; not applied`);
    return "mismatch";
  }
  const now = deps.now();
  const { hook } = await settlePayment(
    order,
    {
      transactionId: status.transactionId,
      paidAt: status.paidAt ?? now,
      notifyMode: 0,
      info: status.raw,
      ...(status.payMethod ? { payMethod: status.payMethod } : {}),
    },
    { db: deps.db, now, log: deps.log, hooks: deps.hooks },
  );
  return hook;
}

/** Settles a refund the provider finished and runs its `refunded` hook (when the hooks are known here). */
export async function settleAndRunHook(
  outRefundNo: string,
  result: { state: Exclude<RefundState, "PROCESSING">; refundId?: string; settledAt?: number },
  deps: ApiDeps,
): Promise<RefundHookOutcome | "deferred" | "not-settled"> {
  await settleRefund(outRefundNo, { state: result.state, refundId: result.refundId, settledAt: result.settledAt ?? deps.now() }, deps.db);
  if (result.state !== "SUCCESS") return "not-settled";
  const hooks = deps.hooks;
  if (!hooks) return "deferred";
  return runRefundedHook(outRefundNo, hooks, { now: deps.now(), log: deps.log, db: deps.db });
}
