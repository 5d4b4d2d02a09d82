/** Wire and stored shapes of the WeChat Pay v3 sandbox. */

export type TradeType = "JSAPI" | "APP" | "MWEB" | "NATIVE";
export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";
export type RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL";
/** How the sandbox signs responses and notifications for a merchant (a setting of the merchant at WeChat). */
export type SignMode = "certificate" | "public_key";

export interface SandboxOrder {
  mchid: string;
  appid: string;
  out_trade_no: string;
  trade_type: TradeType;
  description: string;
  notify_url: string;
  attach?: string;
  total: number;
  currency: string;
  payer_openid?: string;
  /** Epoch ms of `time_expire`, on the sandbox's business clock. */
  time_expire?: number;
  create_time: number;
  prepay_id: string;
  trade_state: TradeState;
  trade_state_desc: string;
  transaction_id?: string;
  success_time?: number;
  /** What a repeated prepay with the same out_trade_no must match. */
  fingerprint: string;
}

export interface SandboxRefund {
  mchid: string;
  out_refund_no: string;
  refund_id: string;
  out_trade_no: string;
  transaction_id: string;
  reason?: string;
  notify_url?: string;
  refund: number;
  total: number;
  currency: string;
  status: RefundStatus;
  create_time: number;
  success_time?: number;
}

export interface StoredNotification {
  url: string;
  /** The exact body: redelivery re-signs it with a fresh timestamp, as WeChat's retries do. */
  body: string;
  mchid: string;
}

export interface MerchantSettings {
  signMode: SignMode;
}

/** Thrown inside the v3 API; answered as WeChat's `{ code, message, detail? }` with `status`. */
export class WxpayApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Thrown inside the control API; answered as `{ ok: false, error }`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function paramError(field: string, issue: string, value?: unknown, location = "body"): WxpayApiError {
  const detail: Record<string, unknown> = { field, issue, location };
  if (value !== undefined) detail.value = value;
  return new WxpayApiError(400, "PARAM_ERROR", `参数错误: ${field} ${issue}`, detail);
}
