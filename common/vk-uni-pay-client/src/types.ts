import type { ClientHost } from "./host";

/** How a call reaches the `vk-pay` function: vk-pay's `{ url, data }`, or vk-uni-pay's `{ action, data }`. */
export interface ActionTarget {
  /** The cloud function, `vk-pay` by default. */
  name?: string;
  /** The route, e.g. `pay/createPayment`. */
  action: string;
  /** The event key naming the route: `url` (vk-pay), `action` (vk-uni-pay), `$url` (the VK router). */
  actionKey?: string;
  /** The event key carrying the parameters, `data` by default. */
  dataKey?: string;
}

export interface VkPayClientOptions {
  /** Globals by default; tests and unusual set-ups pass their own. */
  host?: ClientHost;
  /** The cloud function, `vk-pay` by default. */
  name?: string;
  /** `url` by default; `action` for a project still calling vk-uni-pay's routes. */
  actionKey?: string;
  dataKey?: string;
  /** The platform, when uni.getSystemInfoSync cannot say (e.g. a plain web page). */
  platform?: string;
  /** The official account's appId, for the WeChat-browser openid (OAuth snsapi_base). */
  weixinH5Appid?: string;
  /** Polling interval in milliseconds (vk-uni-pay: 1500) and how many polls before giving up (120). */
  pollingTime?: number;
  pollingTimes?: number;
  /** Show the server's or the platform's failure message in a modal (default true), as vk-uni-pay does. */
  needAlert?: boolean;
}

/** What `pay/createPayment` answers (the library's CreatePaymentData). */
export interface CreatedPayment {
  orderInfo: any;
  out_trade_no: string;
  provider: string;
  pay_type: string;
  needQRcode: boolean;
  qrcodeImage?: string;
  total_fee: number;
  platform: string;
}

/** What `pay/queryPayment` answers (the library's QueryPaymentData). */
export interface PaymentState {
  trade_state: string;
  total_fee: number;
  out_trade_no: string;
  /** The order's provider and pay_type, as the server stored them. */
  provider?: string;
  pay_type?: string;
  orderPaid: boolean;
  time_end?: string;
  transaction_id?: string;
  user_order_success?: boolean;
  payOrder?: Record<string, unknown>;
}

export interface QrcodeInfo {
  codeUrl: string;
  qrcodeImage?: string;
  out_trade_no: string;
  provider: string;
  total_fee: number;
}

export interface PayParams {
  /** `wxpay`, `alipay`, `appleiap`, `wxpay-virtual`, `douyin`, `huawei`, `vkspay`. */
  provider: string;
  /** The order type: `recharge`, `goods`, `vip`, `custom` or your own. */
  type: string;
  /** What the order type's create hook reads (`total_fee`, `custom`, …), and `out_trade_no`, `other`, `auth_code`. */
  data?: Record<string, unknown>;
  /** Ask for a QR code (`"image"` also returns it as a data-URL PNG). */
  needQRcode?: boolean | "image";
  /** Defaults to what the browser looks like. */
  isPC?: boolean;
  /** The payer's openid; fetched (and cached) when absent and the platform needs one, unless autoGetOpenid is false. */
  openid?: string;
  autoGetOpenid?: boolean;
  /** Wait until the order type's hook has run before resolving (the server waits, bounded). */
  awaitNotify?: boolean;
  /** Poll a QR or pay-code payment until it is paid (default true); false resolves once the code is shown. */
  polling?: boolean;
  pollingTime?: number;
  pollingTimes?: number;
  /** WeChat MWEB: where the cashier returns to; the current page with `confirmShow=true&out_trade_no=` by default. */
  returnUrl?: string;
  needAlert?: boolean;
  /** Overrides the create route (`pay/createPayment`), e.g. `{ name: "router", action: "client/pay/pub/createPayment", actionKey: "$url" }`. */
  action?: string | ActionTarget;
  /** Apple IAP: the product id configured in App Store Connect. */
  productid?: string;
  /** The order was created; return false to stop there (the promise resolves with `stopped: true`). */
  onCreate?(created: CreatedPayment): boolean | void;
  /** A QR code to show (PC, `needQRcode`, or a cashier the page renders). */
  onQrcode?(info: QrcodeInfo): void;
  /** A pay code is waiting for the payer's password; polling continues. */
  onUserPaying?(created: CreatedPayment): void;
}

export interface PayResult {
  out_trade_no: string;
  provider: string;
  pay_type: string;
  total_fee: number;
  /** True only when the server says so (a query after the native call), never on the platform's word. */
  orderPaid: boolean;
  trade_state?: string;
  user_order_success?: boolean;
  transaction_id?: string;
  /** The page is leaving for WeChat's MWEB cashier; the return page confirms (`vkPay.confirmReturn`). */
  redirected?: boolean;
  /** onCreate returned false, or polling was off: the order exists and is not known to be paid. */
  stopped?: boolean;
  codeUrl?: string;
  qrcodeImage?: string;
}
