import { decodeUtf8Strictly, isFaithfulText } from "../core/utf8";
import type { RawNotification } from "../kernel/contract";

/** Notifications are small; anything larger is refused before it is decoded or verified. */
export const MAX_NOTIFICATION_BYTES = 256 * 1024;

export interface NotificationEvent {
  path?: unknown;
  httpMethod?: unknown;
  headers?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
  queryStringParameters?: unknown;
}

export interface ParsedPath {
  provider: string;
  payType: string;
  /** What follows the pay_type (per-order URLs append the order number); a hint, never trusted. */
  rest: string[];
  /** Multi-merchant: `…/<out_trade_no>/pid/<pid>` names the `vk-pay-config` row that verifies it. */
  pid?: string;
}

/** `/vk-pay-notify/wxpay_mp-weixin/T1` → `{ provider: "wxpay", payType: "wxpay_mp-weixin", rest: ["T1"] }`. */
export function parseNotifyPath(path: unknown, prefix: string): ParsedPath | undefined {
  if (typeof path !== "string" || !path.startsWith(prefix)) return undefined;
  const [payType = "", ...rest] = path.slice(prefix.length).split("/");
  if (!/^[a-z][a-z0-9-]{0,31}(_[a-z0-9-]{1,32})?$/.test(payType)) return undefined;
  const segments = rest.filter(Boolean);
  const marker = segments.indexOf("pid");
  if (marker < 0) return { provider: payType.split("_")[0]!, payType, rest: segments };
  const pid = segments[marker + 1] ?? "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(pid) || segments.length !== marker + 2) return undefined;
  return { provider: payType.split("_")[0]!, payType, rest: segments.slice(0, marker), pid };
}

/** A notification as received, or why its body cannot be verified at all (the raw then has what could be kept). */
export type ReceivedNotification = { raw: RawNotification; problem?: undefined } | { raw: RawNotification; problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function headersOf(event: NotificationEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  if (event.headers && typeof event.headers === "object") {
    for (const [key, value] of Object.entries(event.headers as Record<string, unknown>)) {
      if (typeof value === "string") headers[key.toLowerCase()] = value;
    }
  }
  return headers;
}

function queryOf(event: NotificationEvent): Record<string, string> | undefined {
  const source = event.queryStringParameters;
  if (!source || typeof source !== "object") return undefined;
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) if (typeof value === "string") query[key] = value;
  return Object.keys(query).length > 0 ? query : undefined;
}

/** The body's bytes, checked to be exactly what was sent: the one place every provider's notification passes. */
function bodyOf(event: NotificationEvent): { body: Buffer; problem?: string } {
  const text = typeof event.body === "string" ? event.body : "";
  const base64 = event.isBase64Encoded === true;
  if (text.length > (base64 ? (MAX_NOTIFICATION_BYTES * 4) / 3 + 4 : MAX_NOTIFICATION_BYTES)) {
    return { body: Buffer.alloc(0), problem: `body exceeds ${MAX_NOTIFICATION_BYTES} bytes` };
  }
  if (!base64) {
    // The platform decoded the bytes for us: if it did so lossily, the signature may match its text and not what was sent.
    return isFaithfulText(text)
      ? { body: Buffer.from(text, "utf8") }
      : { body: Buffer.from(text, "utf8"), problem: "body was not valid UTF-8 when received (U+FFFD or a lone surrogate)" };
  }
  // Node's base64 decoder skips what it does not understand; a body it would have to guess at is refused.
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return { body: Buffer.alloc(0), problem: "base64 body is malformed" };
  const body = Buffer.from(compact, "base64");
  return decodeUtf8Strictly(body) === undefined ? { body, problem: "body is not valid UTF-8" } : { body };
}

/**
 * The bytes exactly as received (a base64 body decoded first), with lower-case header names. Every
 * notification is text (XML, JSON, a form), so a body that is not valid UTF-8 is refused here, before any
 * provider decodes it: a lossy decoding would let a signature over other text verify.
 */
export function receiveNotification(event: NotificationEvent): ReceivedNotification {
  const { body, problem } = bodyOf(event);
  const raw = {
    method: typeof event.httpMethod === "string" ? event.httpMethod : "POST",
    path: typeof event.path === "string" ? event.path : "",
    headers: headersOf(event),
    body,
    ...(queryOf(event) ? { query: queryOf(event) } : {}),
  };
  return problem === undefined ? { raw } : { raw, problem };
}
