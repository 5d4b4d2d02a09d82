import { ConfigError, SignatureError, ValidationError } from "../../../../core/errors";

/**
 * Typed failures of the WeChat Pay API v3 protocol layer, as members of the core hierarchy so the public
 * boundary maps them like any other failure. `reason` is the stable string to branch on; `errCode` is
 * `vk-pay-<reason>`. Messages are English (logs and developers) and never contain key material.
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

/** The message did not verify: wrong key, tampered bytes, stale timestamp, unknown serial or a bad header. */
export class WxpayV3SignatureError extends SignatureError {
  constructor(
    readonly reason: WxpayV3ErrorCode,
    message: string,
  ) {
    super(reason, message);
  }
}

/** An AEAD ciphertext failed to open, used an algorithm we refuse, or decrypted to something inconsistent. */
export class WxpayV3CryptoError extends SignatureError {
  constructor(
    readonly reason: WxpayV3ErrorCode,
    message: string,
  ) {
    super(reason, message);
  }
}

/** A configured key, certificate or APIv3 key cannot be used. */
export class WxpayV3ConfigError extends ConfigError {
  constructor(
    readonly reason: WxpayV3ErrorCode,
    detail: string,
  ) {
    super(reason, "微信支付商户配置有误，请检查 uni-pay/config.js 中的密钥、证书与 APIv3 密钥（详情见日志）", 100, detail);
  }
}

/** Input of the wrong type or range. Amounts use vk-uni-pay's 1003; other shapes have no vk-uni-pay number. */
export class WxpayV3ValidationError extends ValidationError {
  constructor(
    readonly reason: WxpayV3ErrorCode,
    message: string,
  ) {
    super(
      reason === "wxpay-v3-invalid-amount" ? 1003 : 1000,
      reason,
      reason === "wxpay-v3-invalid-amount" ? "金额必须是正整数（单位：分）" : "数据格式不正确",
      message,
    );
  }
}

export type WxpayV3Error = WxpayV3SignatureError | WxpayV3CryptoError | WxpayV3ConfigError | WxpayV3ValidationError;

export function isWxpayV3Error(error: unknown): error is WxpayV3Error {
  return (
    error instanceof WxpayV3SignatureError ||
    error instanceof WxpayV3CryptoError ||
    error instanceof WxpayV3ConfigError ||
    error instanceof WxpayV3ValidationError
  );
}
