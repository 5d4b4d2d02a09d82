/**
 * What `pay/createPayment` and `pay/queryPayment` take and answer, defined once (review finding D8): the
 * SDK declares these to uni-app pages (js_sdk's .d.ts), and the library's CreatePaymentData and
 * QueryPaymentData are these very types, so the two cannot drift. They live here rather than in the
 * library because the SDK's declarations are emitted from this folder alone, and a page must not need
 * the server's sources to type-check.
 */

/** The fields every client sends to `pay/createPayment`, beside the order type's own (`total_fee`, `custom`, …). */
export interface ClientCreateFields {
  /** `wxpay`, `alipay`, `appleiap`, `wxpay-virtual`, `douyin`, `huawei`, `vkspay`. */
  provider: string;
  /** The order type: `recharge`, `goods`, `vip`, `custom` or your own. */
  type: string;
  /** The payer's openid, where the mode needs one. */
  openid?: string;
  /** Defaults to what the browser looks like. */
  isPC?: boolean;
  /** Ask for a QR code (`"image"` also returns it as a data-URL PNG). */
  needQRcode?: boolean | "image";
}

/** What `pay/createPayment` answers. `OrderInfo` is what the platform's client API takes; its shape is the provider's. */
export interface CreatePaymentAnswer<OrderInfo = unknown> {
  orderInfo: OrderInfo;
  out_trade_no: string;
  provider: string;
  pay_type: string;
  needQRcode: boolean;
  qrcodeImage?: string;
  total_fee: number;
  platform: string;
}

/** What `pay/queryPayment` answers; the server narrows the state to its TradeState and the order to its own row. */
export interface PaymentStateAnswer<State extends string = string, PayOrder = Record<string, unknown>> {
  trade_state: State;
  total_fee: number;
  time_end?: string;
  out_trade_no: string;
  /** The order's provider and pay_type, so that a page returning from a cashier knows what it paid with. */
  provider?: string;
  pay_type?: string;
  transaction_id?: string;
  orderPaid: boolean;
  user_order_success?: boolean;
  payOrder?: PayOrder;
}
