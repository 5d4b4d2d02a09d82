/**
 * vk-uni-pay: `require("vk-uni-pay")` in any cloud function. Every call resolves to
 * `{ code: 0, msg: "success", data }` or `{ code, msg, errCode }` and never throws at its caller.
 */
// The built-in providers register themselves.
import "./providers";

export { createPayment } from "./api/create-payment";
export { queryPayment } from "./api/query-payment";
export { closeOrder } from "./api/close-order";
export { refund } from "./api/refund";
export { queryRefund } from "./api/query-refund";
export { applyAbnormalRefund } from "./api/apply-abnormal-refund";
export { retryHooks } from "./api/retry-hooks";
export { reconcile } from "./api/reconcile";
export { transfer, queryTransfer, cancelTransfer, listTransfers, pendingTransfers } from "./api/transfer";
import { loginCall } from "./api/openid";
export { code2Session, loginRoutes } from "./api/openid";
/** The manual's logins; each is answered by the provider whose capabilities offer it. */
export const code2SessionWeixinMP = loginCall("code2SessionWeixinMP");
export const code2SessionWeixinH5 = loginCall("code2SessionWeixinH5");
export const code2SessionAlipay = loginCall("code2SessionAlipay");
export { queryAccountBalance } from "./api/account-balance";
import { decrypt, encrypt } from "./api/crypto-aes";
/** `vkPay.crypto.aes.encrypt({ data })` / `decrypt({ data })`, keyed by `notifyKey`. */
export const crypto = { aes: { encrypt, decrypt } };
export { paymentNotify, transferNotify } from "./notify/entry";
export { setHookResolver } from "./core/hook-registry";
export { orderTypeConfig } from "./api/order-types";
export { ValidationError, VkPayError } from "./core/errors";
export { isFen, fenToYuan } from "./core/money";
export { single } from "./core/database";
export type { CreateHookInput, CreateHookResult, HookContext, HookModule, HookResolver, LegacyHook, OrderTypeHooks, RefundFacts } from "./core/hooks";
export type { IntegrationResponse } from "./http-reply";
