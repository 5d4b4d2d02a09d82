import type { Secret } from "./secrets";

/**
 * What the conformance suite needs from one provider's platform (a sandbox over real HTTP, or an in-memory
 * double): how to start it with a merchant configured, how the library is called, how the buyer pays,
 * how notifications are delivered, dropped or redelivered, and how a notification nobody should trust is
 * built. Everything else (what must happen, what must not change) is the suite's, the same for every
 * provider.
 */

/** The library's `{ code, msg, data }` envelope, as a caller sees it. */
export interface Envelope {
  code: number;
  msg?: string;
  errCode?: string;
  data?: any;
}

/** The library's public calls, made as the product makes them (routes of vk-pay, or the api functions). */
export interface LibraryCalls {
  /** A recharge of `totalFee` fen by the session's user, in a mode that pays by QR code or cashier link. */
  createPayment(totalFee: number): Promise<Envelope>;
  queryPayment(outTradeNo: string): Promise<Envelope>;
  closeOrder(outTradeNo: string): Promise<Envelope>;
  /** Without `refundFee`: whatever is left to refund. */
  refund(outTradeNo: string, refundFee?: number): Promise<Envelope>;
  queryRefund(outTradeNo: string, outRefundNo: string): Promise<Envelope>;
}

/** The few reads the suite's assertions make (the emulator's database answers them in every run). */
export interface DatabaseReader {
  collection(name: string): {
    where(query: Record<string, unknown>): { get(): Promise<{ data: any[] }>; count(): Promise<{ total: number }> };
    doc(id: string): { get(): Promise<{ data: any[] }> };
    orderBy(field: string, order: "asc" | "desc"): { limit(n: number): { get(): Promise<{ data: any[] }> } };
  };
}

/** A notification as it travels: posted to the order's notify URL (or handed to the pipeline) as is. */
export interface NotifyMessage {
  headers: Record<string, string>;
  body: string;
  /** Signed parameters the platform puts in the notify URL's query (WeChat's message push), where it does. */
  query?: Record<string, string>;
}

export interface NotifyReply {
  status: number;
  body: string;
}

/** The facts of an order a notification is about. */
export interface OrderFacts {
  outTradeNo: string;
  totalFee: number;
}

/**
 * A payment notification for `order` as the platform would sign it ("genuine"), or one altered as named.
 * All but "bad-signature" and "stale-timestamp" are properly signed: their refusal must come from binding
 * them to the stored order, never from the signature.
 */
export type Forgery = "genuine" | "bad-signature" | "stale-timestamp" | "other-merchant" | "other-app" | "amount-short" | "unknown-event";

export interface PlatformSession {
  library: LibraryCalls;
  /** Every secret the session's configuration and stores hold (test/conformance/secrets.ts): none may reach output. */
  secrets(): Promise<Secret[]>;
  db: DatabaseReader;
  /** The `uni-id-users` row whose balance recharges credit. */
  userId: string;
  /** The buyer opens the order at the platform (scans its QR code) and does not pay yet. */
  open(outTradeNo: string): Promise<void>;
  /** The buyer pays at the platform; resolves once the platform's notification (if not dropped) was answered. */
  pay(outTradeNo: string): Promise<void>;
  /** The platform loses its next `count` notifications (0: delivers again). */
  drop(count: number): Promise<void>;
  /** The platform sends its last notification about the order again; resolves once answered. */
  redeliver(outTradeNo: string): Promise<void>;
  /**
   * The platform finishes a refund successfully; resolves once its refund notification (where it sends
   * one) was answered. A platform whose refunds settle in the refund's own answer does nothing here.
   */
  settleRefund(outTradeNo: string, outRefundNo: string): Promise<void>;
  forge(order: OrderFacts, forgery: Forgery): Promise<NotifyMessage>;
  /** Delivers a message to the order's own notify URL and returns the reply unchanged. */
  post(outTradeNo: string, message: NotifyMessage): Promise<NotifyReply>;
  stop(): Promise<void>;
}

export interface FakePlatform {
  start(): Promise<PlatformSession>;
  /** The exact reply that tells this platform "received, stop delivering". */
  isAcknowledged(reply: NotifyReply): boolean;
  /** Set when the protocol signs no timestamp, saying so: the stale-timestamp case is then skipped with this reason. */
  noTimestamp?: string;
  /** Set when the notification names no merchant apart from the app, saying so: the other-merchant case is then skipped with this reason. */
  noMerchantField?: string;
  /** Set when the protocol has no event type to be unknown, saying so: that case is then skipped with this reason. */
  noEventType?: string;
  /**
   * Set when the platform never notifies a payment (the client proves it instead, as Apple's app does),
   * saying so: every case built on a payment notification is then skipped with this reason.
   */
  noPaymentNotification?: string;
  /** Set when the merchant cannot refund (only the buyer can ask the platform), saying so: refund cases are skipped with this reason. */
  noMerchantRefund?: string;
}
