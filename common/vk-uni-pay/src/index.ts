/**
 * vk-uni-pay: `require("vk-uni-pay")` in any cloud function. The payment API grows provider by
 * provider; every call resolves to `{ code, msg, data }` and never throws at its caller.
 */
export { paymentNotify, transferNotify } from "./notify/entry";
export type { IntegrationResponse } from "./http-reply";
