/**
 * Typed failures of the WeChat Pay API v3 protocol layer. Each carries a stable string `code` so the
 * boundary can map it once to `{ code, msg, errCode }` without parsing messages; messages are English
 * and never contain key material.
 */
export type WxpayV3ErrorCode =
  // signature: the message is not provably from WeChat Pay (or from the merchant, in the sandbox)
  | "wxpay-v3-signature-invalid"
  | "wxpay-v3-signature-probe"
  | "wxpay-v3-timestamp-out-of-window"
  | "wxpay-v3-unknown-serial"
  | "wxpay-v3-authorization-malformed"
  // crypto: a ciphertext cannot be opened, or its content contradicts its envelope
  | "wxpay-v3-decrypt-failed"
  | "wxpay-v3-unsupported-algorithm"
  | "wxpay-v3-certificate-serial-mismatch"
  // config: a key, certificate or APIv3 key is unusable
  | "wxpay-v3-invalid-api-v3-key"
  | "wxpay-v3-invalid-key"
  | "wxpay-v3-invalid-certificate"
  // validation: input of the wrong shape
  | "wxpay-v3-invalid-input"
  | "wxpay-v3-invalid-amount";

export class WxpayV3Error extends Error {
  constructor(
    readonly code: WxpayV3ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The message did not verify: wrong key, tampered bytes, stale timestamp, unknown serial or a bad header. */
export class WxpayV3SignatureError extends WxpayV3Error {}

/** An AEAD ciphertext failed to open, used an algorithm we refuse, or decrypted to something inconsistent. */
export class WxpayV3CryptoError extends WxpayV3Error {}

/** A configured key or certificate cannot be used. */
export class WxpayV3ConfigError extends WxpayV3Error {}

/** Input of the wrong type or range (amounts, missing fields). */
export class WxpayV3ValidationError extends WxpayV3Error {}
