import { verify, type KeyObject } from "node:crypto";
import { WxpayV3SignatureError } from "./errors";
import { checkedTextSha256, withEvidence } from "../../../../core/errors";
import type { PlatformKeyLookup } from "./keys";
import { createNonce, currentTimestamp, signSha256WithRsa, WXPAY_V3_AUTH_SCHEMA } from "./sign";

/**
 * Verifying what WeChat Pay sends: API responses and notifications carry `Wechatpay-Timestamp`,
 * `Wechatpay-Nonce`, `Wechatpay-Signature` and `Wechatpay-Serial`, and the signature covers
 * `TIMESTAMP\nNONCE\nBODY\n` over the raw body bytes.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
 */

/** Probe traffic from WeChat Pay: a merchant that accepts it does not verify signatures. */
export const SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/";

/** WeChat Pay rejects requests older than this, and recommends merchants do the same. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/**
 * `TIMESTAMP\nNONCE\nBODY\n` as bytes. The body is taken as received: re-serialized JSON differs from what
 * was signed (PHP's `\/`, key order, spacing), and a 204 has an empty body, leaving a final `\n`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function buildVerifyMessage(timestamp: string, nonce: string, body: string | Buffer): Buffer {
  const raw = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, "utf8"), raw, Buffer.from("\n")]);
}

/** @see https://pay.weixin.qq.com/doc/v3/merchant/4016241880 */
export function isProbeSignature(signature: string): boolean {
  return signature.startsWith(SIGNTEST_PREFIX);
}

/**
 * SHA256withRSA verification of a base64 signature. Never throws: anything that is not a valid signature
 * by this key, including a `WECHATPAY/SIGNTEST/` probe, is `false`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function verifySha256WithRsa(message: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  if (typeof signature !== "string" || isProbeSignature(signature)) return false;
  // Node's base64 decoder skips junk characters; a strict shape check keeps "almost base64" from verifying.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature) || signature.length % 4 !== 0) return false;
  try {
    const data = typeof message === "string" ? Buffer.from(message, "utf8") : message;
    return verify("sha256", data, publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

export interface VerifySignatureInput {
  timestamp: string;
  nonce: string;
  /** The raw body bytes as received (a string only if it is exactly the received text). */
  body: string | Buffer;
  signature: string;
  publicKey: KeyObject;
}

/**
 * Verifies a response or notification signature with a known key. Checks only the signature: pair it with
 * {@link isTimestampFresh}, or use {@link verifyWxpayV3Message}, which does both and picks the key.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function verifyWxpayV3Signature(input: VerifySignatureInput): boolean {
  if (typeof input.timestamp !== "string" || typeof input.nonce !== "string") return false;
  return verifySha256WithRsa(buildVerifyMessage(input.timestamp, input.nonce, input.body), input.signature, input.publicKey);
}

/**
 * Whether `timestamp` (decimal seconds) is within the window of `nowMs`, in either direction: a replayed
 * old message and a message from the future are refused alike. Five minutes is WeChat Pay's own limit.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function isTimestampFresh(timestamp: string, nowMs: number, windowSeconds: number = TIMESTAMP_WINDOW_SECONDS): boolean {
  if (typeof timestamp !== "string" || !/^[0-9]{1,12}$/.test(timestamp) || !Number.isFinite(nowMs)) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) <= windowSeconds;
}

export interface SignedHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
  /** Absent on older messages, where it means WECHATPAY2-SHA256-RSA2048. */
  signatureType?: string;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads the four `Wechatpay-*` headers case-insensitively; a missing or repeated header is a failure.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function readSignedHeaders(headers: HeaderBag): SignedHeaders {
  const lower = new Map<string, unknown>();
  for (const [name, value] of Object.entries(headers ?? {})) lower.set(name.toLowerCase(), value);
  const read = (name: string, required: boolean): string | undefined => {
    const value = lower.get(name);
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value === "") {
      throw new WxpayV3SignatureError("wxpay-v3-signature-invalid", `header ${name} is missing or repeated`);
    }
    return value;
  };
  return {
    timestamp: read("wechatpay-timestamp", true) as string,
    nonce: read("wechatpay-nonce", true) as string,
    signature: read("wechatpay-signature", true) as string,
    serial: read("wechatpay-serial", true) as string,
    signatureType: read("wechatpay-signature-type", false),
  };
}

export interface VerifyMessageInput {
  headers: HeaderBag;
  body: string | Buffer;
  keys: PlatformKeyLookup;
  /** Milliseconds since the epoch; injected so tests and the sandbox control the clock. */
  nowMs: number;
}

/**
 * The full check for anything WeChat Pay signed: probe refusal, timestamp window, key by serial, signature.
 * Returns the serial that verified; throws {@link WxpayV3SignatureError} with a code saying which check
 * failed (`wxpay-v3-unknown-serial` tells a certificate-mode caller to refresh its certificates).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4016241880
 */
export function verifyWxpayV3Message(input: VerifyMessageInput): { serial: string } {
  const signed = readSignedHeaders(input.headers);
  if (signed.signatureType !== undefined && signed.signatureType !== WXPAY_V3_AUTH_SCHEMA) {
    throw new WxpayV3SignatureError("wxpay-v3-signature-invalid", `unsupported signature type ${signed.signatureType}`);
  }
  if (isProbeSignature(signed.signature)) {
    throw new WxpayV3SignatureError("wxpay-v3-signature-probe", "signature is a WeChat Pay probe and must not verify");
  }
  // Serial and timestamp go with every refusal from here on: the log then says which key and which clock.
  // Built only for a refusal: hashing the signed text of every accepted message would be wasted work.
  const evidence = () => ({
    keyId: signed.serial.slice(0, 64),
    ...(/^[0-9]{1,12}$/.test(signed.timestamp) ? { signedAt: Number(signed.timestamp) * 1000 } : {}),
    checkedTextSha256: checkedTextSha256(buildVerifyMessage(signed.timestamp, signed.nonce, input.body)),
    algorithm: signed.signatureType ?? WXPAY_V3_AUTH_SCHEMA,
  });
  if (!isTimestampFresh(signed.timestamp, input.nowMs)) {
    throw withEvidence(new WxpayV3SignatureError("wxpay-v3-timestamp-out-of-window", "Wechatpay-Timestamp is more than 5 minutes off"), evidence());
  }
  const publicKey = input.keys.find(signed.serial);
  if (!publicKey) {
    throw withEvidence(new WxpayV3SignatureError("wxpay-v3-unknown-serial", `no platform key for Wechatpay-Serial ${signed.serial.slice(0, 64)}`), evidence());
  }
  if (!verifyWxpayV3Signature({ ...signed, body: input.body, publicKey })) {
    throw withEvidence(new WxpayV3SignatureError("wxpay-v3-signature-invalid", "Wechatpay-Signature does not verify"), evidence());
  }
  return { serial: signed.serial };
}

export interface SignResponseInput {
  body: string | Buffer;
  /** The platform private key (the sandbox plays WeChat Pay). */
  privateKey: KeyObject;
  /** Platform certificate serial or `PUB_KEY_ID_…`, sent as `Wechatpay-Serial`. */
  serial: string;
  timestamp?: string;
  nonce?: string;
}

/**
 * The other side of {@link verifyWxpayV3Message}: the `Wechatpay-*` headers WeChat Pay puts on a response
 * or notification. Only the sandbox signs as WeChat Pay; merchants never hold this key.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function signResponse(input: SignResponseInput): Record<string, string> {
  const timestamp = input.timestamp ?? currentTimestamp();
  const nonce = input.nonce ?? createNonce();
  return {
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Signature": signSha256WithRsa(buildVerifyMessage(timestamp, nonce, input.body), input.privateKey),
    "Wechatpay-Serial": input.serial,
    "Wechatpay-Signature-Type": WXPAY_V3_AUTH_SCHEMA,
  };
}
