/** Wire and stored shapes of the WeChat Pay sandbox (API v3, and API v2 on the same ledger). */

export type TradeType = "JSAPI" | "APP" | "MWEB" | "NATIVE" | "MICROPAY";
export type V2SignType = "MD5" | "HMAC-SHA256";

/** How an order was placed: its notifications follow the API that created it. */
export interface OrderOrigin {
  /** 2: created over API v2 (XML notifications signed with the v2 key); absent: API v3. */
  version?: 2;
  sign_type?: V2SignType;
  /** Service-provider mode: the order lives under the sub-merchant (`mchid`), placed by `sp_mchid`. */
  sp_mchid?: string;
  sp_appid?: string;
  sub_appid?: string;
  /** The payer's openid under sub_appid (partner mode). */
  sub_openid?: string;
}
export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";
export type RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL";
/** How the sandbox signs responses and notifications for a merchant (a setting of the merchant at WeChat). */
export type SignMode = "certificate" | "public_key";

export interface SandboxOrder extends OrderOrigin {
  /** The merchant whose out_trade_no namespace holds the order: the sub-merchant in partner mode. */
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
  device_info?: string;
  /** Pay-code payments: the code, and how many more queries see USERPAYING before its outcome. */
  auth_code?: string;
  userpaying_polls?: number;
  userpaying_outcome?: "SUCCESS" | "PAYERROR";
}

export interface SandboxRefund extends OrderOrigin {
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
  /** How many refund requests named this out_refund_no: more than one is a merchant that sent a refund twice. */
  requests?: number;
  /** How the merchant asked WeChat to pay out this refund after it went ABNORMAL (never the card number itself). */
  abnormal_apply?: { type: AbnormalRefundType; bank_type?: string; bank_account_tail?: string; real_name?: string };
}

export type AbnormalRefundType = "USER_BANK_CARD" | "MERCHANT_BANK_CARD";

/** A 商家转账 bill's state, as WeChat names it. */
export type BillState = "ACCEPTED" | "PROCESSING" | "WAIT_USER_CONFIRM" | "TRANSFERING" | "SUCCESS" | "FAIL" | "CANCELING" | "CANCELLED";

export interface SandboxBill {
  mch_id: string;
  /** The sub-merchant paying, for a bill a service provider made over the partner paths. */
  sub_mchid?: string;
  appid: string;
  out_bill_no: string;
  transfer_bill_no: string;
  transfer_scene_id: string;
  openid: string;
  transfer_amount: number;
  transfer_remark: string;
  user_name?: string;
  notify_url?: string;
  state: BillState;
  fail_reason?: string;
  package_info: string;
  create_time: number;
  update_time: number;
  /** How many transfer requests named this out_bill_no (a merchant that sent one twice shows 2). */
  requests: number;
}

export interface StoredNotification {
  url: string;
  /** The exact body: redelivery re-signs it with a fresh timestamp, as WeChat's retries do. */
  body: string;
  mchid: string;
  /** "v2": an XML body sent as is (v2 has no timestamp to refresh); absent: a v3 JSON envelope. */
  format?: "v2";
}

export interface MerchantSettings {
  signMode: SignMode;
  /** How a v3 close of a paid order is answered; see `closePaidAnswer` in state.ts. */
  closePaid?: ClosePaidAnswer;
}

/** "ORDERPAID": 400, as the sandbox answers by default; "NO_CONTENT": 204, as v3 is reported to answer. */
export type ClosePaidAnswer = "ORDERPAID" | "NO_CONTENT";

/** Thrown inside the v3 API; answered as WeChat's `{ code, message, detail? }` with `status`. */
export class WxpayApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
    /** The same refusal in API v2's words (`err_code`, `err_code_des`), for errors the ledger shares. */
    readonly v2?: { code: string; des: string },
  ) {
    super(message);
  }
}

export { ControlError } from "../control-api";

export function paramError(field: string, issue: string, value?: unknown, location = "body"): WxpayApiError {
  const detail: Record<string, unknown> = { field, issue, location };
  if (value !== undefined) detail.value = value;
  return new WxpayApiError(400, "PARAM_ERROR", `参数错误: ${field} ${issue}`, detail);
}
