import { AlipayValidationError } from "./errors";

/**
 * Small pieces of request building that must be exact: the Beijing-time `timestamp` and the App SDK order
 * string. The signing itself is in `sign.ts`.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * `timestamp` as Alipay requires it, `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving), from
 * an injected clock: cloud functions run in UTC, so the server's local time would be 8 hours off.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function formatAlipayTimestamp(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new AlipayValidationError("alipay-invalid-input", "timestamp must be a finite epoch in ms");
  const iso = new Date(Math.floor(epochMs) + BEIJING_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * The `orderStr` that `alipay.trade.app.pay` hands to the App SDK: the signed parameters, each value
 * URL-encoded, joined by `&`. No HTTP call is made for App payments.
 *
 * @see https://opendocs.alipay.com/open/cd12c885_alipay.trade.app.pay
 */
export function buildAlipayOrderString(signedParams: Readonly<Record<string, string>>): string {
  if (typeof signedParams.sign !== "string" || signedParams.sign === "") {
    throw new AlipayValidationError("alipay-invalid-input", "order string parameters must be signed first");
  }
  return Object.keys(signedParams)
    .map((key) => `${key}=${encodeURIComponent(signedParams[key]!)}`)
    .join("&");
}
