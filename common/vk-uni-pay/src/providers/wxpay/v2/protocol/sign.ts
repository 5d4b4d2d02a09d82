import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../../../../core/errors";

/**
 * WeChat Pay API v2's `sign`: every non-empty parameter but `sign`, sorted by name (ASCII, case-sensitive),
 * joined `k=v&…` with raw values, then `&key=<API key>`; MD5 or HMAC-SHA256 (keyed with the API key) as
 * uppercase hex. Fields we do not know are included: WeChat adds fields, and verification must cover them.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (安全规范: 签名算法)
 */

export type V2SignType = "MD5" | "HMAC-SHA256";

export function isV2SignType(value: unknown): value is V2SignType {
  return value === "MD5" || value === "HMAC-SHA256";
}

/**
 * The API v2 key is the 32-character secret set in the merchant platform; anything else is a config
 * mistake that would make every signature wrong, so it is refused up front.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export function checkV2Key(key: unknown): string {
  if (typeof key !== "string" || !/^[\x21-\x7e]{32}$/.test(key)) {
    throw new ConfigError("wxpay-v2-key-invalid", "微信支付 API v2 密钥 key 必须是 32 位字符");
  }
  return key;
}

/**
 * `k1=v1&k2=v2…` over the fields that take part (not `sign`, not empty), without the key.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (stringA)
 */
export function buildV2SignString(fields: Readonly<Record<string, string | undefined>>): string {
  return Object.keys(fields)
    .filter((name) => name !== "sign" && typeof fields[name] === "string" && fields[name] !== "")
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name}=${fields[name]}`)
    .join("&");
}

/**
 * The `sign` of a parameter set. When the fields carry `sign_type`, it is signed like any other field;
 * the caller keeps it consistent with `signType`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export function signV2(fields: Readonly<Record<string, string | undefined>>, key: string, signType: V2SignType = "MD5"): string {
  const message = `${buildV2SignString(fields)}&key=${key}`;
  const digest = signType === "HMAC-SHA256" ? createHmac("sha256", key).update(message, "utf8") : createHash("md5").update(message, "utf8");
  return digest.digest("hex").toUpperCase();
}

/**
 * The algorithm a received `sign` was made with: `sign_type` when the message names one, otherwise its
 * length (64 hex = HMAC-SHA256, 32 = MD5), as notifications have been seen MD5-signed for HMAC orders.
 * Letting the message choose is safe: both algorithms need the key.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export function signTypeOf(fields: Readonly<Record<string, string | undefined>>): V2SignType | undefined {
  const named = fields.sign_type;
  if (named !== undefined && named !== "") return isV2SignType(named) ? named : undefined;
  const sign = fields.sign ?? "";
  if (/^[0-9A-Fa-f]{64}$/.test(sign)) return "HMAC-SHA256";
  if (/^[0-9A-Fa-f]{32}$/.test(sign)) return "MD5";
  return undefined;
}

/**
 * Whether the fields' `sign` is theirs under `key`. Compared in constant time, case-insensitively (the
 * digest is hex); a missing, malformed or unknown-algorithm signature is simply false.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export function verifyV2Signature(fields: Readonly<Record<string, string | undefined>>, key: string): boolean {
  const signType = signTypeOf(fields);
  const received = fields.sign;
  if (!signType || typeof received !== "string") return false;
  const expected = Buffer.from(signV2(fields, key, signType), "utf8");
  const actual = Buffer.from(received.toUpperCase(), "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * `nonce_str`: 32 random alphanumerics (WeChat allows at most 32). Rejection sampling keeps every
 * character equally likely.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (随机字符串)
 */
export function createV2Nonce(length = 32): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += NONCE_ALPHABET[byte % 62];
    }
  }
  return out;
}
