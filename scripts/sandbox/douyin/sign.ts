import { createHash, createVerify } from "node:crypto";

/**
 * The sandbox's own checks of what the library signs, written from Douyin's pages rather than taken from
 * the library (a sandbox sharing the library's code would agree with its mistakes).
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/signature-algorithm
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/TE
 */

/** Ecpay's salt MD5: values only, a few keys skipped, trimmed and unquoted, empty and "null" dropped, SALT added, sorted, `&`. */
export function ecpaySign(params: Record<string, unknown>, salt: string): string {
  const values = [salt];
  for (const [key, value] of Object.entries(params)) {
    if (["app_id", "thirdparty_id", "sign", "other_settle_params"].includes(key) || value === null || value === undefined) continue;
    let text = (typeof value === "object" ? JSON.stringify(value) : String(value)).trim();
    if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1).trim();
    if (text !== "" && text !== "null") values.push(text);
  }
  return createHash("md5").update(values.sort().join("&"), "utf8").digest("hex");
}

export interface ByteAuthorization {
  appid: string;
  nonce_str: string;
  timestamp: string;
  key_version: string;
  signature: string;
}

/**
 * `SHA256-RSA2048 appid=…,nonce_str=…,timestamp=…,key_version=…,signature=…`. The official page leaves open
 * whether the values are quoted, so both forms are read.
 */
export function readByteAuthorization(header: unknown): ByteAuthorization | undefined {
  if (typeof header !== "string" || !header.startsWith("SHA256-RSA2048 ")) return undefined;
  const fields: Record<string, string> = {};
  for (const part of header.slice("SHA256-RSA2048 ".length).split(",")) {
    const at = part.indexOf("=");
    if (at < 1) return undefined;
    fields[part.slice(0, at).trim()] = part
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
  }
  const { appid, nonce_str, timestamp, key_version, signature } = fields;
  return appid && nonce_str && timestamp && key_version && signature ? { appid, nonce_str, timestamp, key_version, signature } : undefined;
}

/** Seconds or milliseconds (samples differ, the official page does not say): within ten minutes of now either way. */
export function timestampIsFresh(timestamp: string, nowMs: number): boolean {
  if (!/^\d{10}(\d{3})?$/.test(timestamp)) return false;
  const ms = timestamp.length === 13 ? Number(timestamp) : Number(timestamp) * 1000;
  return Math.abs(nowMs - ms) <= 10 * 60_000;
}

export function verifyRequestOrderSignature(data: string, auth: ByteAuthorization, appPublicKeyPem: string): boolean {
  try {
    return createVerify("RSA-SHA256")
      .update(`POST\n/requestOrder\n${auth.timestamp}\n${auth.nonce_str}\n${data}\n`, "utf8")
      .verify(appPublicKeyPem, Buffer.from(auth.signature, "base64"));
  } catch {
    return false;
  }
}
