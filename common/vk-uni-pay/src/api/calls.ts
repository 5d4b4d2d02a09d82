/**
 * The public calls of the manual, each `(params, deps?)`: the one list both the plain library and
 * `withHooks` are made from.
 */
import { loginCall } from "./openid";

export { listNotifications, listOrders, orderDetail } from "./admin-views";
export { queryAccountBalance } from "./account-balance";
export { applyAbnormalRefund } from "./apply-abnormal-refund";
export { closeOrder } from "./close-order";
export { createClientPayment } from "./create-client-payment";
export { createPayment } from "./create-payment";
export { migrateLegacyOrders } from "./migrate-legacy";
export { queryPayment } from "./query-payment";
export { queryRefund } from "./query-refund";
export { reconcile } from "./reconcile";
export { refund } from "./refund";
export { retryHooks } from "./retry-hooks";
export { cancelTransfer, listTransfers, pendingTransfers, queryTransfer, transfer } from "./transfer";

/** The manual's logins; each is answered by the provider whose capabilities offer it. */
export const code2SessionWeixinMP = loginCall("code2SessionWeixinMP");
export const code2SessionWeixinH5 = loginCall("code2SessionWeixinH5");
export const code2SessionAlipay = loginCall("code2SessionAlipay");
