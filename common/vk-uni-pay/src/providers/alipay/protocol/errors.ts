import { ConfigError, SignatureError, ValidationError } from "../../../core/errors";

/**
 * Typed failures of the Alipay OpenAPI v2 protocol layer, built on the core hierarchy so the public boundary
 * maps them like any other failure. `reason` is the stable string to branch on (`errCode` = `vk-pay-<reason>`).
 * Messages are English and never contain key material.
 */
export type AlipayErrorCode =
  // signature: the message is not provably from Alipay
  | "alipay-signature-missing"
  | "alipay-signature-invalid"
  | "alipay-sign-type-unsupported"
  // response: the raw text has no signed `…_response` member we can cut out
  | "alipay-response-malformed"
  // config: a key or certificate is unusable
  | "alipay-invalid-key"
  | "alipay-invalid-certificate"
  // validation: input of the wrong shape
  | "alipay-invalid-input";

/** A response or notification did not verify: missing sign, wrong key, tampered bytes, unsupported sign_type. */
export class AlipaySignatureError extends SignatureError {
  constructor(
    readonly reason: AlipayErrorCode,
    message: string,
  ) {
    super(reason, message);
  }
}

/** A configured key or certificate cannot be used. */
export class AlipayConfigError extends ConfigError {
  constructor(
    readonly reason: AlipayErrorCode,
    detail: string,
  ) {
    super(reason, "支付宝商户配置有误，请检查 uni-pay/config.js 中的密钥与证书（详情见日志）", 100, detail);
  }
}

/** Input of the wrong type or shape (a body that is not form data, a response that is not JSON). */
export class AlipayValidationError extends ValidationError {
  constructor(
    readonly reason: AlipayErrorCode,
    message: string,
  ) {
    super(1000, reason, "数据格式不正确", message);
  }
}

export type AlipayProtocolError = AlipaySignatureError | AlipayConfigError | AlipayValidationError;

export function isAlipayProtocolError(error: unknown): error is AlipayProtocolError {
  return error instanceof AlipaySignatureError || error instanceof AlipayConfigError || error instanceof AlipayValidationError;
}
