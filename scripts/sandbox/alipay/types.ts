/** Wire and stored shapes of the Alipay sandbox. */

export type TradeStatus = "WAIT_BUYER_PAY" | "TRADE_SUCCESS" | "TRADE_FINISHED" | "TRADE_CLOSED";
/** How the trade came to be: it decides when the trade exists and which states are notified. */
export type TradeOrigin = "precreate" | "create" | "pay" | "app";
/** A pay-code trade the buyer still has to confirm on the phone, and how that ends. */
export type PendingPayCode = "confirm" | "abandon" | "ignore";

export interface SandboxTrade {
  app_id: string;
  out_trade_no: string;
  trade_no: string;
  origin: TradeOrigin;
  product_code: string;
  subject: string;
  body?: string;
  total_fen: number;
  notify_url?: string;
  passback_params?: string;
  buyer_id?: string;
  buyer_open_id?: string;
  status: TradeStatus;
  /** precreate: the trade exists at Alipay only once the buyer has scanned the QR code. */
  scanned: boolean;
  create_time: number;
  /** Business-clock ms after which an unpaid trade is closed. */
  expire_time: number;
  pay_time?: number;
  close_time?: number;
  refunded_fen: number;
  /** What a repeated request with the same out_trade_no must match. */
  fingerprint: string;
  pending_pay_code?: PendingPayCode;
  /** Queries left before a pending pay-code trade settles. */
  queries_left?: number;
  /** The last failed payment attempt, shown on the cashier page. */
  last_error?: string;
  /** The `biz_content` as received, for tests that check what reached Alipay (e.g. pass-through fields). */
  biz?: Record<string, unknown>;
}

export interface SandboxRefund {
  app_id: string;
  out_trade_no: string;
  trade_no: string;
  out_request_no: string;
  refund_fen: number;
  reason?: string;
  refund_time: number;
  /** How many refund requests named this out_request_no: more than one is a merchant that sent a refund twice. */
  requests?: number;
}

export interface StoredNotification {
  url: string;
  /** The exact form body, signed once: retries and redelivery send the same bytes, as Alipay's do. */
  body: string;
}

/** Thrown inside the gateway; answered as `{ code, msg, sub_code, sub_msg }` in the response object. */
export class OpenApiError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(`${subCode}: ${subMsg}`);
  }
}

/** 40001: a required public parameter is missing. */
export const missingArgument = (subCode: string, subMsg: string) => new OpenApiError("40001", "Missing Required Arguments", subCode, subMsg);
/** 40002: a public parameter or the signature is invalid. */
export const invalidArgument = (subCode: string, subMsg: string) => new OpenApiError("40002", "Invalid Arguments", subCode, subMsg);
/** 40004: the business refused, with an `ACQ.*` sub code. */
export const businessFailed = (subCode: string, subMsg: string) => new OpenApiError("40004", "Business Failed", subCode, subMsg);
export const invalidParameter = (detail: string) => businessFailed("ACQ.INVALID_PARAMETER", `参数无效: ${detail}`);

export { ControlError } from "../control-api";
