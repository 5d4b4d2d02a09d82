/**
 * vk-uni-pay: `require("vk-uni-pay")` in any cloud function. Every call resolves to
 * `{ code: 0, msg: "success", data }` or `{ code, msg, errCode }` and never throws at its caller.
 */
// The built-in providers register themselves.
import "./providers";

import { queryAccountBalance } from "./api/account-balance";
import { listNotifications, listOrders, orderDetail } from "./api/admin-views";
import { applyAbnormalRefund } from "./api/apply-abnormal-refund";
import { closeOrder } from "./api/close-order";
import { createClientPayment } from "./api/create-client-payment";
import { createPayment } from "./api/create-payment";
import { decrypt, encrypt } from "./api/crypto-aes";
import { code2Session, loginCall, loginRoutes } from "./api/openid";
import { queryPayment } from "./api/query-payment";
import { queryRefund } from "./api/query-refund";
import { reconcile } from "./api/reconcile";
import { refund } from "./api/refund";
import { retryHooks } from "./api/retry-hooks";
import { cancelTransfer, listTransfers, pendingTransfers, queryTransfer, transfer } from "./api/transfer";
import { productionDeps, type Deps } from "./core/deps";
import type { HookResolver } from "./core/hooks";
import { paymentNotify, transferNotify, type NotificationInput } from "./notify/entry";

/** The manual's logins; each is answered by the provider whose capabilities offer it. */
const code2SessionWeixinMP = loginCall("code2SessionWeixinMP");
const code2SessionWeixinH5 = loginCall("code2SessionWeixinH5");
const code2SessionAlipay = loginCall("code2SessionAlipay");

/** The public calls of the manual, each `(params, deps?)`. */
const CALLS = {
  createPayment,
  createClientPayment,
  queryPayment,
  closeOrder,
  refund,
  queryRefund,
  applyAbnormalRefund,
  retryHooks,
  reconcile,
  transfer,
  queryTransfer,
  cancelTransfer,
  listTransfers,
  pendingTransfers,
  queryAccountBalance,
  code2SessionWeixinMP,
  code2SessionWeixinH5,
  code2SessionAlipay,
  listOrders,
  listNotifications,
  orderDetail,
};

type Bound<T> = { [K in keyof T]: T[K] extends (params: infer P, deps?: Deps) => infer R ? (params: P) => R : never };

export interface BoundLibrary extends Bound<typeof CALLS> {
  code2Session(name: string, params: Parameters<typeof code2Session>[1]): ReturnType<typeof code2Session>;
  paymentNotify(input: NotificationInput): ReturnType<typeof paymentNotify>;
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
  return {
    ...(bound as unknown as Bound<typeof CALLS>),
    code2Session: (name, params) => code2Session(name, params, deps()),
    paymentNotify: (input) => paymentNotify({ ...input, hooks: input?.hooks ?? hooks }),
  };
}

export {
  createPayment,
  createClientPayment,
  queryPayment,
  closeOrder,
  refund,
  queryRefund,
  applyAbnormalRefund,
  retryHooks,
  reconcile,
  transfer,
  queryTransfer,
  cancelTransfer,
  listTransfers,
  pendingTransfers,
  queryAccountBalance,
  listOrders,
  listNotifications,
  orderDetail,
  code2Session,
  loginRoutes,
  code2SessionWeixinMP,
  code2SessionWeixinH5,
  code2SessionAlipay,
  paymentNotify,
  transferNotify,
};
/** `vkPay.crypto.aes.encrypt({ data })` / `decrypt({ data })`, keyed by `notifyKey`. */
export const crypto = { aes: { encrypt, decrypt } };
export { orderTypeConfig } from "./api/order-types";
export { ValidationError, VkPayError } from "./core/errors";
export { isFen, fenToYuan } from "./core/money";
export { single } from "./core/database";
export type { CreateHookInput, CreateHookResult, HookContext, HookModule, HookResolver, LegacyHook, OrderTypeHooks, RefundFacts } from "./core/hooks";
export type { IntegrationResponse } from "./http-reply";
