import type { RawNotification } from "../providers/contract";

/** Notifications are small; anything larger is refused before it is decoded or verified. */
export const MAX_NOTIFICATION_BYTES = 256 * 1024;

export interface NotificationEvent {
  path?: unknown;
  httpMethod?: unknown;
  headers?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
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

/** The bytes exactly as received (a base64 body decoded first), with lower-case header names. */
export function toRawNotification(event: NotificationEvent): RawNotification | undefined {
  const headers: Record<string, string> = {};
  if (event.headers && typeof event.headers === "object") {
    for (const [key, value] of Object.entries(event.headers as Record<string, unknown>)) {
      if (typeof value === "string") headers[key.toLowerCase()] = value;
    }
  }
  const text = typeof event.body === "string" ? event.body : "";
  if (text.length > (event.isBase64Encoded === true ? (MAX_NOTIFICATION_BYTES * 4) / 3 + 4 : MAX_NOTIFICATION_BYTES)) return undefined;
  const body = event.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
  return { method: typeof event.httpMethod === "string" ? event.httpMethod : "POST", path: typeof event.path === "string" ? event.path : "", headers, body };
}
