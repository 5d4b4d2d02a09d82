import { checkedTextSha256, withEvidence } from "../../../core/errors";
import type { KeyObject } from "node:crypto";
import { AlipaySignatureError, AlipayValidationError } from "./errors";
import { parseAlipayTime } from "./time";
import type { KeyMaterial } from "./keys";
import { ALIPAY_SIGN_TYPE, normalizeAlipayParams, signRsa2, verifyRsa2, type AlipayParams } from "./sign";

/**
 * Asynchronous notifications (`notify_url`, a form POST) and synchronous `return_url` query strings.
 *
 * @see https://opendocs.alipay.com/common/02mse7 (异步通知验签)
 * @see https://opendocs.alipay.com/open/270/105902 (异步通知说明)
 */

/** What Alipay expects back, byte for byte; anything else makes it retry (8 times over about 25 hours). */
export const ALIPAY_NOTIFY_ACK = "success";

export interface VerifiedAlipayNotify {
  /** Every field received, decoded once, `sign` and `sign_type` included (frozen). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Whether the signature covered `sign_type`: payment notifications exclude it, some non-payment
   * notifications (e.g. service market) include it.
   */
  readonly signTypeSigned: boolean;
}

/**
 * Parses `application/x-www-form-urlencoded` exactly once: `+` is a space, `%XX` is UTF-8, each value is
 * decoded one time only (decoding twice turns a literal `%2B` into `+`, and a literal `+` into a space, and the
 * signature then fails or, worse, covers a different value than the one we read). Duplicate keys are
 * refused rather than resolved, so the verifier and the reader cannot see different values.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function parseAlipayForm(raw: string | Buffer): Record<string, string> {
  if (typeof raw !== "string" && !Buffer.isBuffer(raw)) {
    throw new AlipayValidationError("alipay-invalid-input", "form body must be a string or a Buffer");
  }
  const text = (typeof raw === "string" ? raw : raw.toString("utf8")).replace(/^\?/, "").trim();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeFormComponent(pair.slice(eq + 1));
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      throw new AlipayValidationError("alipay-invalid-input", `form field ${key} appears twice`);
    }
    out[key] = value;
  }
  return { ...out };
}

/**
 * Encodes fields as a form body the way Alipay posts them (`encodeURIComponent`, space as `+`), so a body
 * built here survives `parseAlipayForm` unchanged, including literal `+` and `%`.
 *
 * @see https://opendocs.alipay.com/open/270/105902
 */
export function encodeAlipayForm(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .map((key) => `${encodeFormComponent(key)}=${encodeFormComponent(params[key]!)}`)
    .join("&");
}

/**
 * Verifies a raw notification body (or `return_url` query string) and returns its fields. The signature is
 * checked first without `sign_type` (the documented rule for payment notifications), then with it (the rule
 * some other notify types follow); `sign_type`, when present, must be RSA2.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function verifyAlipayNotify(raw: string | Buffer, alipayPublicKey: KeyMaterial | KeyObject): VerifiedAlipayNotify {
  return verifyAlipayNotifyParams(parseAlipayForm(raw), alipayPublicKey);
}

/**
 * Same as `verifyAlipayNotify`, for fields already decoded exactly once by a trusted form parser.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function verifyAlipayNotifyParams(params: Readonly<Record<string, string>>, alipayPublicKey: KeyMaterial | KeyObject): VerifiedAlipayNotify {
  if (params === null || typeof params !== "object") {
    throw new AlipayValidationError("alipay-invalid-input", "notification fields must be an object");
  }
  for (const key of Object.keys(params)) {
    if (typeof params[key] !== "string") throw new AlipayValidationError("alipay-invalid-input", `field ${key} is not a string`);
  }
  const sign = params.sign;
  if (sign === undefined || sign === "") {
    throw new AlipaySignatureError("alipay-signature-missing", "notification has no sign");
  }
  const signType = params.sign_type;
  // An absent sign_type is RSA2 (Alipay's default); legacy RSA (SHA1) is refused, never tried.
  if (signType !== undefined && signType !== "" && signType !== ALIPAY_SIGN_TYPE) {
    throw withEvidence(new AlipaySignatureError("alipay-sign-type-unsupported", `sign_type ${signType} is not supported; RSA2 only`), {
      algorithm: signType,
    });
  }
  const frozen = Object.freeze({ ...params });
  if (verifyRsa2(buildAlipayNotifySignContent(frozen, { excludeSignType: true }), sign, alipayPublicKey)) {
    return Object.freeze({ params: frozen, signTypeSigned: false });
  }
  if (signType && verifyRsa2(buildAlipayNotifySignContent(frozen), sign, alipayPublicKey)) {
    return Object.freeze({ params: frozen, signTypeSigned: true });
  }
  // The log then shows the clock offset (a notification signed long ago is a replay or a stale redelivery)
  // and the hash of the documented string, without sign_type. A notification names no key: Alipay's
  // notify fields carry no alipay_cert_sn, which only its API answers have.
  const signedAt = parseAlipayTime(params.notify_time);
  throw withEvidence(new AlipaySignatureError("alipay-signature-invalid", "notification signature does not verify"), {
    ...(signedAt === undefined ? {} : { signedAt }),
    checkedTextSha256: checkedTextSha256(buildAlipayNotifySignContent(frozen, { excludeSignType: true })),
    algorithm: signType || ALIPAY_SIGN_TYPE,
  });
}

/**
 * The text a notification's signature covers: every received field except `sign` (and `sign_type` when
 * excluded), in ascending key order, as raw `key=value` joined by `&`. Unlike a request, an empty value
 * stays in as `key=`: Alipay signs the fields it posts, empty `body=` included (alipay-sdk's
 * `checkNotifySign` and the Java SDK's `getSignCheckContentV1` keep them), so dropping one refuses a
 * genuine notification and would let a field added after signing pass unnoticed.
 *
 * @see https://opendocs.alipay.com/common/02mse7 (异步通知验签: 剔除 sign、sign_type，其余参数排序拼接)
 */
export function buildAlipayNotifySignContent(params: Readonly<Record<string, string>>, options: { excludeSignType?: boolean } = {}): string {
  return Object.keys(params)
    .filter((key) => key !== "sign" && !(options.excludeSignType && key === "sign_type"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

export interface SignedAlipayNotify {
  /** The fields with `sign_type=RSA2` and `sign` added. */
  params: Record<string, string>;
  /** The form body to POST to `notify_url`. */
  body: string;
}

/**
 * Builds a notification as Alipay would send it, for the local sandbox: by default `sign_type` is left out
 * of the signed string (as for payment notifications) but still sent.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function signAlipayNotify(params: AlipayParams, privateKey: KeyMaterial | KeyObject, options: { signTypeSigned?: boolean } = {}): SignedAlipayNotify {
  const wire = normalizeAlipayParams(params);
  delete wire.sign;
  wire.sign_type = ALIPAY_SIGN_TYPE;
  wire.sign = signRsa2(buildAlipayNotifySignContent(wire, { excludeSignType: !options.signTypeSigned }), privateKey);
  return { params: wire, body: encodeAlipayForm(wire) };
}

function decodeFormComponent(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    throw new AlipayValidationError("alipay-invalid-input", "form body has a malformed percent escape");
  }
}

function encodeFormComponent(part: string): string {
  return encodeURIComponent(part).replace(/%20/g, "+");
}
