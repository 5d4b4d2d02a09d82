import type { ClientHost } from "./host";
import type { ClientCreateFields, CreatePaymentAnswer, PaymentStateAnswer } from "./wire";

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

/** What `pay/createPayment` answers: the library's CreatePaymentData is the same type (wire.ts); `any`, as orderInfo is each provider's own. */
export type CreatedPayment = CreatePaymentAnswer<any>;

/** What `pay/queryPayment` answers: the library's QueryPaymentData is the same type, narrowed (wire.ts). */
export type PaymentState = PaymentStateAnswer;

export interface QrcodeInfo {
  codeUrl: string;
  qrcodeImage?: string;
  out_trade_no: string;
  provider: string;
  total_fee: number;
}

/** `provider`, `type`, `openid`, `isPC` and `needQRcode` are createPayment's own fields (wire.ts), sent as they are. */
export interface PayParams extends ClientCreateFields {
  /** What the order type's create hook reads (`total_fee`, `custom`, …), and `out_trade_no`, `other`, `auth_code`. */
  data?: Record<string, unknown>;
  /** Fetch (and cache) the payer's openid when absent and the platform needs one (default true). */
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
