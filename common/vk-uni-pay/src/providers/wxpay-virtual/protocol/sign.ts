import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signatures of WeChat mini-program virtual payment (xpay). Every one is a hex HMAC-SHA256:
 * - `pay_sig` of a server API call, keyed by the AppKey of the call's env (the sandbox AppKey for env 1),
 *   over `/xpay/<api>&<exact body>`: the uri keeps its leading slash and has no query string;
 * - `paySig` for `wx.requestVirtualPayment`, the same key over `requestVirtualPayment&<signData>` (the doc:
 *   "固定填requestVirtualPayment", no slash);
 * - the user's `signature`, keyed by the user's session key taken as its UTF-8 string (not base64-decoded),
 *   over the body or the signData.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html (2.4 签名详解)
 */

function hmacHex(key: string, message: string): string {
  return createHmac("sha256", Buffer.from(key, "utf8")).update(message, "utf8").digest("hex");
}

/** The server API's uri as signed: `/xpay/query_order`. */
export function xpayApiUri(api: string): string {
  return `/xpay/${api}`;
}

/** `pay_sig` of a server API call (`query_order`, `refund_order`, …) over the exact body sent. */
export function xpayPaySig(appKey: string, api: string, body: string): string {
  return hmacHex(appKey, `${xpayApiUri(api)}&${body}`);
}

/** The `paySig` the client passes to `wx.requestVirtualPayment`. */
export function requestVirtualPaymentPaySig(appKey: string, signData: string): string {
  return hmacHex(appKey, `requestVirtualPayment&${signData}`);
}

/** The user-state `signature`: the session key as a UTF-8 string, over the body (or the signData). */
export function xpayUserSignature(sessionKey: string, body: string): string {
  return hmacHex(sessionKey, body);
}

/** Constant-time comparison of two hex signatures (a sandbox or a test checks what the library sent). */
export function sameHexSignature(expected: string, received: unknown): boolean {
  if (typeof received !== "string" || !/^[0-9a-f]{64}$/i.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected.toLowerCase(), "utf8"), Buffer.from(received.toLowerCase(), "utf8"));
}
