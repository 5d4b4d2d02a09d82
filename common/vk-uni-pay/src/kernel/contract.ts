import type { Database } from "../core/database";
import type { IntegrationResponse } from "../http-reply";

/**
 * The kernel between the core and the providers: the contract every payment provider implements, and
 * the only door through which the core reaches one (modes, logins, balance, payments, refunds,
 * notifications, transfers). A provider speaks its wire protocol and verifies what it receives; the core
 * owns orders, state changes, hooks and replies. Nothing untyped crosses this boundary: the provider's own data travels in `raw`, for audit only.
 */

/** Payment states as stored on orders and reported by queries. Unknown provider states map to a pending one, never to SUCCESS. */
export type TradeState = "NOTPAY" | "USERPAYING" | "SUCCESS" | "REFUND" | "CLOSED" | "PAYERROR";

/**
 * Refund states. PROCESSING and ABNORMAL keep their reservation: an ABNORMAL refund (WeChat v3 `ABNORMAL`,
 * v2 `CHANGE`) holds the money in an intermediate account until the merchant acts, and may still end
 * SUCCESS or CLOSED. Only CLOSED releases it.
 */
export type RefundState = "PROCESSING" | "SUCCESS" | "ABNORMAL" | "CLOSED";

/** A merchant's sub-config for one mode, as read from uni-pay/config.js or a `vk-pay-config` row. */
export type MerchantConfig = Readonly<Record<string, unknown>>;

/** Where time and I/O enter, injected so tests need neither sleeps nor the network. */
export interface ProviderRuntime {
  now(): number;
  /** The library's database, for what a provider keeps across instances (platform certificates); a provider's own store is used without it. */
  db?: Database;
  request(url: string, options: Record<string, unknown>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; data: Buffer }>;
}

/**
 * Service-provider mode (vk-pay.md §3.6): the sub-merchant a service provider acts for. Chosen when the
 * order is created, stored on it, and passed to every later call about that order.
 */
export interface PartnerRef {
  /** WeChat `sub_mchid` (v3) / `sub_mch_id` (v2). */
  subMchId?: string;
  /** WeChat `sub_appid`, when the payer's openid belongs to the sub-merchant's app. */
  subAppId?: string;
  /** Alipay `app_auth_token` of the merchant that authorised this app. */
  appAuthToken?: string;
}

/** What every call about an existing order carries. */
export interface OrderRef {
  mode: string;
  config: MerchantConfig;
  outTradeNo: string;
  partner?: PartnerRef;
}

export interface CreateRequest {
  mode: string;
  config: MerchantConfig;
  partner?: PartnerRef;
  outTradeNo: string;
  totalFee: number;
  subject: string;
  body?: string;
  notifyUrl: string;
  clientIp: string;
  openid?: string;
  authCode?: string;
  /** Pay codes: the merchant's own store number (vk-uni-pay's `store_id`). */
  storeId?: string;
  /** ms timestamp. */
  timeExpire?: number;
  /** The caller's `other`, merged into the provider's request after conversion. */
  other?: Readonly<Record<string, unknown>>;
}

export interface CreateResult {
  /** What the client needs to start paying (vk-pay.md §2.3). */
  orderInfo: unknown;
  /** QR-code modes: the URL the QR code encodes. */
  codeUrl?: string;
  /** Codepay answers at once: paid, still paying, or failed. */
  state?: TradeState;
  transactionId?: string;
  /** Codepay SUCCESS: what the provider says was paid (fen) and when (ms timestamp). */
  totalFee?: number;
  paidAt?: number;
  raw: unknown;
}

export interface PaymentStatus {
  state: TradeState;
  outTradeNo: string;
  transactionId?: string;
  totalFee?: number;
  /** ms timestamp. */
  paidAt?: number;
  mchId?: string;
  appId?: string;
  /** Service-provider mode: the sub-merchant the payment was made to (bound to the order's). */
  subMchId?: string;
  /**
   * Aggregate cashiers (Douyin's, vkspay's): the channel the buyer picked inside it (`wxpay`, `alipay`, …),
   * recorded on the paid order as vk-uni-pay's `provider_pay_method`.
   */
  payMethod?: string;
  raw: unknown;
}

export interface RefundRequest {
  mode: string;
  config: MerchantConfig;
  partner?: PartnerRef;
  outTradeNo: string;
  transactionId?: string;
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  reason?: string;
  notifyUrl: string;
  /** The caller's extra provider fields (e.g. WeChat v3 `funds_account`), merged over what the core does not decide. */
  other?: Record<string, unknown>;
}

export interface RefundStatus {
  state: RefundState;
  outTradeNo: string;
  outRefundNo: string;
  refundId?: string;
  refundFee: number;
  /** ms timestamp. */
  settledAt?: number;
  raw: unknown;
}

/**
 * How a provider is asked to pay out a refund it holds as ABNORMAL (the original account could not take
 * it): to the payer's debit card, with the card's bank, number and holder, or back to the merchant's bank
 * account for the merchant to settle with the payer.
 */
export type AbnormalRefundRoute = { type: "USER_BANK_CARD"; bankType: string; bankAccount: string; realName: string } | { type: "MERCHANT_BANK_CARD" };

export interface AbnormalRefundRequest extends OrderRef {
  outRefundNo: string;
  /** The provider's own refund number, which names the refund on this call. */
  refundId: string;
  route: AbnormalRefundRoute;
}

/**
 * What a reply to a notification depends on besides accepted or not. One provider may speak several
 * dialects (WeChat Pay answers v2 with XML and v3 with JSON), and some read the status: bad input is never
 * answered 5xx, only our own failure is.
 */
export interface AckContext {
  /** As received; its body may be empty or unreadable. */
  notification?: RawNotification;
  /** The sub-config of the path's pay_type, when it could be read: it says which API version the merchant speaks. */
  config?: MerchantConfig;
  /** The refusal is ours (the database down, a hook that failed), not the message's: the provider should deliver again. */
  ourFault?: boolean;
}

/** A provider's notification as received: the raw bytes are what gets verified. */
export interface RawNotification {
  method: string;
  path: string;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/**
 * A verified notification of an event the core does not act on (a provider's new event type, say). It is
 * acknowledged and logged: refusing it would only make the provider deliver it again for a day.
 */
export interface IgnoredEvent {
  kind: "ignored";
  /** The provider's own name for the event, for the log. */
  eventType: string;
  outTradeNo?: string;
}

/** What a verified notification says, bound to an order by the core before anything changes. */
export type NormalizedEvent = ({ kind: "payment" } & PaymentStatus) | ({ kind: "refund" } & RefundStatus) | IgnoredEvent;

/**
 * How the buyer is about to pay, as the core read it from the client and the caller. A provider picks its
 * mode (the `pay_type` suffix) from it; the core knows no provider's modes.
 */
export interface PaymentSituation {
  /** The uni platform, normalised to vk-uni-pay's names: app-plus, h5, mp-weixin, mp-alipay, mp-toutiao, mp-harmony, app-harmony. */
  platform?: string;
  /** `context.CLIENTUA`: tells WeChat's browser from other mobile browsers. */
  userAgent?: string;
  isPC: boolean;
  /** The caller wants a QR code (`needQRcode: true` or `"image"`). */
  needQRcode: boolean;
  /** A pay code was scanned at a till (`auth_code`): only a pay-code mode can take it. */
  payCode: boolean;
  /**
   * The caller's createPayment switches (e.g. vk-uni-pay's `alipayAppPayToH5Pay`), layered over the same
   * top-level keys of uni-pay/config.js: each provider reads the ones it documents.
   */
  switches: Readonly<Record<string, unknown>>;
}

export interface SelectedMode {
  mode: string;
  /** The client shows a QR code (or opens the cashier) rather than invoking a native payment. */
  qrcode: boolean;
  /** The payer is named by an openid the client obtained first (JSAPI, mini programs). */
  needsOpenid: boolean;
}

/** A login a provider offers: a client's one-time code becomes the user's id at the provider's platform. */
export interface LoginMethod {
  /** The library call, as vk-uni-pay names it (`vkPay.code2SessionWeixinMP`). */
  name: string;
  /** The public vk-pay route a client calls for it, as vk-uni-pay names it (`pay/code2SessionWeixin`). */
  route: string;
  /** The sub-config whose app the code belongs to (the first one whose `appId` matches, when the caller names one). */
  configKey: string;
  /** Other sub-configs that may hold the app the caller names by `appid`. */
  alsoConfigKeys?: readonly string[];
}

export interface LoginRequest {
  method: string;
  code: string;
  config: MerchantConfig;
}

/** What a login answers: the user's id at the platform (never a session key or token, which stay on the server). */
export interface LoginResult {
  openid: string;
  unionid?: string;
  /** Alipay: `user_id` (2088…) and `open_id`, when the app has them. */
  user_id?: string;
  open_id?: string;
}

/** A merchant account's balance, in fen. */
export interface AccountBalance {
  availableFee: number;
  freezeFee: number;
  totalFee?: number;
}

/** A payout to a user (WeChat 商家转账, Alipay 单笔转账); the transfers issue fills these in. */
export interface TransferRequest {
  mode: string;
  config: MerchantConfig;
  outBillNo: string;
  amount: number;
  /** The payee at the provider: an openid, an Alipay user id, logon id or open id. */
  payee: Readonly<Record<string, unknown>>;
  remark: string;
  notifyUrl?: string;
  other?: Readonly<Record<string, unknown>>;
}

/** Provider-neutral transfer states; each provider maps its own (WeChat's ACCEPTED/TRANSFERING are PROCESSING). */
export type TransferState = "PROCESSING" | "WAIT_USER_CONFIRM" | "SUCCESS" | "FAIL" | "CANCELING" | "CANCELLED";

export interface TransferStatus {
  state: TransferState;
  outBillNo: string;
  transferBillNo?: string;
  amount?: number;
  /** What the client needs to let the payee confirm (WeChat's `package_info`), while WAIT_USER_CONFIRM. */
  confirmInfo?: unknown;
  failReason?: string;
  raw: unknown;
}

export interface ProviderCapabilities {
  modes: readonly string[];
  query: boolean;
  close: boolean;
  refund: boolean;
  /** The provider pushes refund results; otherwise refunds are settled by querying. */
  refundNotify: boolean;
  /** The logins the provider offers (each becomes a library call and a public `pay/<name>` route). */
  login?: readonly LoginMethod[];
  /** `queryAccountBalance` reads this sub-config unless the caller names another (`platform`). */
  balanceConfigKey?: string;
}

export interface PaymentProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The mode this situation pays in, or undefined when the provider cannot take a payment there. */
  selectMode(situation: PaymentSituation): SelectedMode | undefined;
  /**
   * Where a mode's merchant sub-config sits in uni-pay/config.js: `[name, mode]` unless the provider says
   * otherwise (one flat block for every mode, or a key that differs from the mode's name).
   */
  configPath?(mode: string): readonly string[];
  createPayment(request: CreateRequest, runtime: ProviderRuntime): Promise<CreateResult>;
  queryPayment(request: OrderRef, runtime: ProviderRuntime): Promise<PaymentStatus>;
  closePayment(request: OrderRef, runtime: ProviderRuntime): Promise<void>;
  refund(request: RefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  queryRefund(request: OrderRef & { outRefundNo: string }, runtime: ProviderRuntime): Promise<RefundStatus>;
  /** Only providers that hold refunds as ABNORMAL implement it; the answer is the refund as it now stands. */
  applyAbnormalRefund?(request: AbnormalRefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  /** Verifies first (signature, timestamp window, decryption), then parses; throws SignatureError on any doubt. */
  verifyNotify(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent>;
  /**
   * The exact reply (body and status) the provider expects, for an accepted or a refused notification,
   * whatever the body was: even an empty or unreadable one is answered in the provider's own dialect.
   */
  acknowledge(accepted: boolean, context?: AckContext): IntegrationResponse;
  /** One of `capabilities.login`: a client's code → the user's id. */
  code2Session?(request: LoginRequest, runtime: ProviderRuntime): Promise<LoginResult>;
  queryAccountBalance?(request: { config: MerchantConfig }, runtime: ProviderRuntime): Promise<AccountBalance>;
  transfer?(request: TransferRequest, runtime: ProviderRuntime): Promise<TransferStatus>;
  queryTransfer?(request: { mode: string; config: MerchantConfig; outBillNo: string }, runtime: ProviderRuntime): Promise<TransferStatus>;
  cancelTransfer?(request: { mode: string; config: MerchantConfig; outBillNo: string }, runtime: ProviderRuntime): Promise<TransferStatus>;
}
