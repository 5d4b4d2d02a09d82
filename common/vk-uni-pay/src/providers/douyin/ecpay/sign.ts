import { createHash, timingSafeEqual } from "node:crypto";

/**
 * 担保支付 (ecpay v1) signatures.
 *
 * Requests: the **values** of every parameter but `app_id`, `thirdparty_id`, `sign` and
 * `other_settle_params`, each trimmed (and stripped of surrounding quotes, then trimmed again), without
 * `""` and `"null"`, plus the SALT, sorted as strings, joined with `&`, MD5 in lowercase hex (the official
 * "签名 DEMO"). Object fields (`expand_order_info`…) are sent as JSON text and signed as that text, as the
 * published vector DY-2 does; a nested object would otherwise be signed in Go's `%v` notation by Douyin.
 *
 * Callbacks: `msg_signature = sha1(sort([token, timestamp, nonce, msg]).join(""))`, lowercase hex.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/TE
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 */

const UNSIGNED = new Set(["app_id", "thirdparty_id", "sign", "other_settle_params"]);

/** Byte order, as the Go demo's `sort.Strings`. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/** A request value as the demo reads it, or undefined when it is not signed. */
function signedValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text = (typeof value === "object" ? JSON.stringify(value) : String(value)).trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).trim();
  return text === "" || text === "null" ? undefined : text;
}

/** The string the MD5 covers (exported for the vectors' intermediate strings). */
export function ecpaySigningString(params: Readonly<Record<string, unknown>>, salt: string): string {
  const values: string[] = [salt];
  for (const [key, value] of Object.entries(params)) {
    if (UNSIGNED.has(key)) continue;
    const text = signedValue(value);
    if (text !== undefined) values.push(text);
  }
  return values.sort(byBytes).join("&");
}

export function signEcpayRequest(params: Readonly<Record<string, unknown>>, salt: string): string {
  return createHash("md5").update(ecpaySigningString(params, salt), "utf8").digest("hex");
}

/** The request body as sent: object values become the JSON text that was signed. */
export function ecpayWireParams(params: Readonly<Record<string, unknown>>, salt: string): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    wire[key] = typeof value === "object" && key !== "other_settle_params" ? JSON.stringify(value) : value;
  }
  wire.sign = signEcpayRequest(wire, salt);
  return wire;
}

export function ecpayMsgSignature(token: string, timestamp: string, nonce: string, msg: string): string {
  return createHash("sha1").update([token, timestamp, nonce, msg].sort(byBytes).join(""), "utf8").digest("hex");
}

/**
 * What `msg_signature` covers with the token left out (the same strings, sorted and joined the same way):
 * the text the notification log hashes, since the signed text itself holds the token.
 */
export function ecpayMsgSignedParts(timestamp: string, nonce: string, msg: string): string {
  return [timestamp, nonce, msg].sort(byBytes).join("");
}

export function verifyEcpayMsgSignature(token: string, fields: { timestamp: string; nonce: string; msg: string; msg_signature: string }): boolean {
  const expected = Buffer.from(ecpayMsgSignature(token, fields.timestamp, fields.nonce, fields.msg), "utf8");
  const given = Buffer.from(fields.msg_signature.toLowerCase(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
