import { createSign, createVerify, type KeyObject } from "node:crypto";
import { AlipaySignatureError, AlipayValidationError } from "./errors";
import { loadAlipayPublicKey, loadAppPrivateKey, type KeyMaterial } from "./keys";

/**
 * RSA2 (SHA256withRSA, PKCS#1 v1.5) signing of requests and verification of what Alipay signs.
 *
 * @see https://opendocs.alipay.com/common/02kf5q (自行实现签名)
 */

/** A request parameter value; `biz_content` may be given as an object and is then sent as its JSON text. */
export type AlipayParamValue = string | number | boolean | null | undefined | Record<string, unknown> | unknown[];

export type AlipayParams = Readonly<Record<string, AlipayParamValue>>;

/** The only scheme we accept: `RSA` (SHA1withRSA) is legacy and weaker, so it is refused, not downgraded to. */
export const ALIPAY_SIGN_TYPE = "RSA2";

/**
 * Turns request parameters into the wire strings that are both signed and sent, so the two cannot drift:
 * objects (notably `biz_content`) become their JSON text once, here; empty values are dropped, since Alipay
 * leaves them out of the signature.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function normalizeAlipayParams(params: AlipayParams): Record<string, string> {
  if (params === null || typeof params !== "object") {
    throw new AlipayValidationError("alipay-invalid-input", "parameters must be an object");
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (text === "") continue;
    out[key] = text;
  }
  return out;
}

/**
 * The string a request signs: every parameter except `sign` (and `sign_type` when excluded), empty values
 * dropped (notifications keep them: see `buildAlipayNotifySignContent`), keys in ascending code-unit order, raw `key=value` joined by `&`, no URL encoding.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 * @see https://opendocs.alipay.com/common/02mse7 (notifications: `sign` and `sign_type` excluded)
 */
export function buildAlipaySignContent(params: AlipayParams, options: { excludeSignType?: boolean } = {}): string {
  const wire = normalizeAlipayParams(params);
  return (
    Object.keys(wire)
      .filter((key) => key !== "sign" && !(options.excludeSignType && key === "sign_type"))
      // Plain comparison orders by UTF-16 code unit, which is ASCII order for Alipay's ASCII keys.
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => `${key}=${wire[key]}`)
      .join("&")
  );
}

/**
 * SHA256withRSA over the UTF-8 bytes of `content`, base64. Deterministic, so vectors compare byte for byte.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function signRsa2(content: string, privateKey: KeyMaterial | KeyObject): string {
  const key = isKeyObject(privateKey) ? privateKey : loadAppPrivateKey(privateKey);
  return createSign("RSA-SHA256").update(content, "utf8").sign(key, "base64");
}

/**
 * Whether `sign` is Alipay's SHA256withRSA signature over exactly `content`. Returns false for a missing,
 * non-base64 or wrong signature; a malformed key throws, as that is a configuration error, not a forgery.
 *
 * @see https://opendocs.alipay.com/common/02mse7 (自行实现验签)
 */
export function verifyRsa2(content: string, sign: string | undefined | null, publicKey: KeyMaterial | KeyObject): boolean {
  const key = isKeyObject(publicKey) ? publicKey : loadAlipayPublicKey(publicKey);
  if (typeof sign !== "string" || typeof content !== "string") return false;
  const compact = sign.replace(/\s+/g, "");
  // Buffer.from(…, "base64") silently skips junk; a strict shape check keeps "a changed byte" a failure.
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return false;
  return createVerify("RSA-SHA256").update(content, "utf8").verify(key, Buffer.from(compact, "base64"));
}

/**
 * Signs a request: returns the wire parameters with `sign_type=RSA2` (included in the signed string, as
 * Alipay requires for requests) and `sign`. Send exactly these strings; `biz_content` is the JSON signed.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function signAlipayRequest(params: AlipayParams, privateKey: KeyMaterial | KeyObject): Record<string, string> {
  const wire = normalizeAlipayParams(params);
  if (wire.sign_type !== undefined && wire.sign_type !== ALIPAY_SIGN_TYPE) {
    throw new AlipaySignatureError("alipay-sign-type-unsupported", `sign_type ${wire.sign_type} is not supported; use RSA2`);
  }
  delete wire.sign;
  wire.sign_type = ALIPAY_SIGN_TYPE;
  wire.sign = signRsa2(buildAlipaySignContent(wire), privateKey);
  return wire;
}

function isKeyObject(value: unknown): value is KeyObject {
  return typeof value === "object" && value !== null && !Buffer.isBuffer(value) && "asymmetricKeyType" in value;
}
