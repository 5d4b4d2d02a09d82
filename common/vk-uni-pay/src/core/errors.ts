import { createHash } from "node:crypto";

/**
 * Failures inside the library, thrown where they happen and mapped once, at the public boundary, to
 * `{ code, msg, errCode }`. Numbers follow vk-uni-pay's where it has one for the same failure, so
 * existing client code keeps working; `errCode` is the stable string to branch on.
 */
export type ErrorKind = "validation" | "config" | "signature" | "provider" | "network" | "state";

export class VkPayError extends Error {
  readonly kind: ErrorKind;
  readonly code: number;
  readonly errCode: string;
  /** What the log says (English, with the protocol's words); `message` is what the user reads (Chinese). */
  readonly detail?: string;

  constructor(kind: ErrorKind, code: number, reason: string, message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.errCode = `vk-pay-${reason}`;
    if (detail !== undefined) this.detail = detail;
  }
}

/** The caller sent something unusable; nothing was changed. */
export class ValidationError extends VkPayError {
  constructor(code: number, reason: string, message: string, detail?: string) {
    super("validation", code, reason, message, detail);
  }
}

/** The merchant configuration is missing or wrong; fixing it is the developer's job. */
export class ConfigError extends VkPayError {
  constructor(reason: string, message: string, code = 100, detail?: string) {
    super("config", code, reason, message, detail);
  }
}

/**
 * A signature or decryption check failed: the message is not trusted and changes nothing. The protocol's
 * reason stays in `detail` for the log; the caller reads a plain Chinese sentence.
 */
export class SignatureError extends VkPayError {
  /** What the check looked at, for the notification log; set by the protocol code that knows it. */
  evidence?: SignatureEvidence;

  constructor(reason: string, detail: string) {
    super("signature", 4001, reason, "支付平台的数据未通过验签，已拒绝，请稍后再试", detail);
  }
}

/**
 * What a refused message named, so its log entry says which key and which clock: never key material, only
 * the names a platform prints in its console (a serial, a key id) and the time the message says it was signed.
 */
export interface SignatureEvidence {
  /** The key or certificate serial the message asked to be verified with. */
  keyId?: string;
  /** Milliseconds since the epoch, as the message states its signing time. */
  signedAt?: number;
  /**
   * SHA-256 (hex) of the exact text the check ran over, so a developer can compare it with the hash of the
   * string their own signer built. Never of anything holding a secret: keyed digests (MD5 or HMAC with the
   * merchant key, SHA-1 with a token) are hashed without the key.
   */
  checkedTextSha256?: string;
  /** The algorithm the message names (`sign_type`, `alg`, `signType`), where it names one. */
  algorithm?: string;
}

/** The text a check ran over, as its evidence holds it: a hash, since the text itself may carry personal data. */
export function checkedTextSha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `error` with the evidence attached (protocol code throws what it already built, now with its names). */
export function withEvidence<T extends SignatureError>(error: T, evidence: SignatureEvidence): T {
  error.evidence = { ...error.evidence, ...evidence };
  return error;
}

/** The provider answered and refused; its own code and message are kept for the developer. */
export class ProviderRejectedError extends VkPayError {
  readonly providerCode: string;
  readonly providerMessage: string;

  constructor(providerCode: string, providerMessage: string, message = "获取支付信息失败，请稍后再试") {
    super("provider", 3001, "provider-rejected", message);
    this.providerCode = providerCode;
    this.providerMessage = providerMessage;
  }
}

/**
 * The provider says it has no refund under this number (WeChat v3 404 RESOURCE_NOT_EXISTS, v2
 * REFUNDNOTEXIST, Alipay a query answer without `refund_status`). For a refund we recorded as sent, that
 * means the request never arrived; every provider's documentation says to send it again with the same
 * number, which reconciliation does.
 */
export class RefundNotFoundError extends ProviderRejectedError {
  constructor(providerCode: string, providerMessage: string) {
    super(providerCode, providerMessage, "退款单不存在");
  }
}

/** The provider could not be reached or answered garbage; safe to retry. */
export class NetworkError extends VkPayError {
  constructor(message = "支付平台暂时无法访问，请稍后再试") {
    super("network", 3002, "network", message);
  }
}

/** The order is not in a state that allows this (unknown, unpaid, closed, locked). */
export class StateError extends VkPayError {
  constructor(code: number, reason: string, message: string) {
    super("state", code, reason, message);
  }
}

/** vk-uni-pay's numbered failures (reference: its error table), as ready-made errors. */
export const failures = {
  notifyUrlMissing: () => new ConfigError("notify-url-missing", "请先配置正确的异步回调URL", 101),
  outTradeNoInvalid: () => new ValidationError(1001, "out-trade-no-invalid", "out_trade_no必须是string类型，且不能为空"),
  typeInvalid: () => new ValidationError(1002, "type-invalid", "type必须是string类型，且不能为空，如设置为goods代表商品订单"),
  totalFeeInvalid: () => new ValidationError(1003, "total-fee-invalid", "total_fee必须为正整数（>0的整数）（注意：100=1元）"),
  subjectInvalid: () => new ValidationError(1004, "subject-invalid", "subject必须是string类型，且不能为空"),
  providerInvalid: () => new ValidationError(1005, "provider-invalid", "provider必须是string类型，且不能为空"),
  openidMissing: () => new ValidationError(1006, "openid-missing", "用户openid不能为空"),
  codeMissing: () => new ValidationError(1013, "code-missing", "code不能为空"),
  orderNotFound: () => new StateError(2001, "order-not-found", "订单不存在"),
  orderNotPaid: () => new StateError(2002, "order-not-paid", "订单未支付"),
  orderNotRefunded: () => new StateError(2003, "order-not-refunded", "订单未退款"),
  refundLocked: () => new StateError(2004, "refund-locked", "该订单暂无法退款，请等1分钟后再试"),
  // Numbers vk-uni-pay does not have: the same order number reused in a way that is not a retry.
  orderAlreadyPaid: () => new StateError(2005, "order-paid", "订单已支付，请勿重复支付"),
  orderConflict: () => new StateError(2006, "order-conflict", "该订单号已被其他订单使用"),
  orderClosed: () => new StateError(2007, "order-closed", "订单已关闭，请重新下单"),
  refundExceedsPaid: () => new StateError(2008, "refund-exceeds-paid", "退款金额超过订单可退金额"),
  refundNoConflict: () => new StateError(2009, "refund-no-conflict", "该退款单号已用于其他退款"),
  refundNotFound: () => new StateError(2010, "refund-not-found", "退款单不存在"),
  refundNotAbnormal: (status: string) => new StateError(2011, "refund-not-abnormal", `该退款单状态为${status}，不是退款异常，无需处理`),
  abnormalRefundUnsupported: (why: string) => new StateError(2012, "abnormal-refund-unsupported", why),
  // A provider that has no transfers (Apple, say): a clear answer rather than a missing verb.
  transferNotAvailable: (provider: string) => new StateError(4001, "transfer-not-available", `${provider}暂不支持转账`),
};
