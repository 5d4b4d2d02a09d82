/** What the Douyin sandbox keeps: orders and refunds of either system, issued client_tokens, last notifications. */

export type DouyinSystem = "trade" | "ecpay";

/** The trade system's `pay_status` (PROCESS, SUCCESS, FAIL, TIMEOUT) and ecpay's `order_status` (PROCESSING…), kept in one set. */
export type SandboxOrderStatus = "PROCESS" | "SUCCESS" | "FAIL" | "TIMEOUT";

export interface SandboxOrder {
  system: DouyinSystem;
  app_id: string;
  out_order_no: string;
  order_id: string;
  /** Trade system: the one item order a goods line becomes. */
  item_order_id?: string;
  /** Ecpay: what create_order answered. */
  order_token?: string;
  total_amount: number;
  subject: string;
  notify_url?: string;
  merchant_uid: string;
  status: SandboxOrderStatus;
  /** 1 WeChat, 2 Alipay, 10 抖音支付, once paid. */
  pay_channel?: number;
  channel_pay_id?: string;
  /** ms */
  created_at: number;
  expire_at: number;
  pay_time?: number;
  cp_extra?: string;
}

export type SandboxRefundStatus = "PROCESSING" | "SUCCESS" | "FAIL";

export interface SandboxRefund {
  system: DouyinSystem;
  app_id: string;
  out_order_no: string;
  order_id: string;
  out_refund_no: string;
  refund_id: string;
  amount: number;
  status: SandboxRefundStatus;
  notify_url?: string;
  cp_extra?: string;
  created_at: number;
  refunded_at?: number;
  requests: number;
  /** A refund the buyer asked for (refund_source 1) waits for the developer's review when the app requires it. */
  source?: "buyer";
  audit?: "PENDING" | "AGREE" | "DENY";
  deny_message?: string;
}

/** A settlement (结算及分账) of a paid trade-system order: the shares to other merchants, the rest to the seller. */
export interface SandboxSettle {
  app_id: string;
  out_order_no: string;
  order_id: string;
  out_settle_no: string;
  settle_id: string;
  settle_desc: string;
  shares: Array<{ merchant_uid: string; amount: number }>;
  /** What the seller gets: the order's amount less refunds and shares. */
  seller_amount: number;
  status: "SUCCESS";
  created_at: number;
  ext?: string;
}

export interface StoredNotification {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export class SandboxRefusal extends Error {
  constructor(
    readonly errNo: number,
    message: string,
  ) {
    super(message);
  }
}
