/**
 * Wire types of WeChat Pay API v3 (direct merchant), as documented; field names are WeChat's. Optional
 * fields are those WeChat Pay omits in some states (e.g. no `transaction_id` before payment).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml (query transaction)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_9.shtml (refund)
 */

/** `trade_state` as WeChat Pay sends it; a string because new states must not break parsing. */
export type WxpayV3TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR" | (string & {});

/** Refund `status` / notification `refund_status`. */
export type WxpayV3RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL" | (string & {});

/** An AEAD-encrypted object: a notification's `resource` or a certificate's `encrypt_certificate`. */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  /** May be the empty string; absent is treated as empty. */
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

/** The envelope of every v3 notification; only `resource` is encrypted, the rest is signed. */
export interface WxpayV3Notification {
  id: string;
  create_time: string;
  event_type: string;
  resource_type: string;
  summary: string;
  resource: EncryptedResource;
}

export interface WxpayV3TransactionAmount {
  /** Order total in fen. */
  total: number;
  /** What the user paid in fen, after coupons. */
  payer_total?: number;
  currency?: string;
  payer_currency?: string;
}

/** The decrypted `transaction` of a payment notification, and the order query response. */
export interface WxpayV3Transaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: WxpayV3TradeState;
  trade_state_desc?: string;
  bank_type?: string;
  attach?: string;
  /** RFC 3339, Beijing time offset. */
  success_time?: string;
  payer?: { openid?: string };
  amount?: WxpayV3TransactionAmount;
  promotion_detail?: unknown[];
}

export interface WxpayV3RefundAmount {
  total: number;
  refund: number;
  payer_total?: number;
  payer_refund?: number;
  settlement_refund?: number;
  settlement_total?: number;
  discount_refund?: number;
  currency?: string;
}

/** Refund create / query response. */
export interface WxpayV3Refund {
  refund_id: string;
  out_refund_no: string;
  transaction_id?: string;
  out_trade_no?: string;
  channel?: string;
  user_received_account?: string;
  success_time?: string;
  create_time?: string;
  status: WxpayV3RefundStatus;
  funds_account?: string;
  amount: WxpayV3RefundAmount;
}

/** The decrypted `refund` of a refund notification: the status is named `refund_status` here. */
export interface WxpayV3RefundNotification {
  mchid: string;
  out_trade_no: string;
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  refund_status: WxpayV3RefundStatus;
  success_time?: string;
  user_received_account?: string;
  amount: WxpayV3RefundAmount;
}

/** One entry of `GET /v3/certificates`. */
export interface WxpayV3CertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: EncryptedResource;
}

/** Error responses: a non-2xx status with this body. `detail` is free-form (`field`, `issue`, `sign_information`…). */
export interface WxpayV3ErrorBody {
  code: string;
  message: string;
  detail?: Record<string, unknown>;
}
