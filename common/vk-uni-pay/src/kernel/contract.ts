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
  /** The payer the order was created for, for providers whose later calls name the payer (xpay's query_order). */
  openid?: string;
  /** What `priceOrder` stored on the order, as CreateRequest has it, for providers priced at the platform. */
  orderFields?: Readonly<Record<string, unknown>>;
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
  /** vk-uni-pay's `biz_type`: the merchant's business type, which some providers require (checkCreate says so). */
  bizType?: string;
  /** vk-uni-pay's `return_url`: where a cashier page sends the buyer back, for providers with a web cashier. */
  returnUrl?: string;
  /** vk-uni-pay's `provider_pay_method` (`wxpay` | `alipay`): the channel inside an aggregator's cashier. */
  payMethod?: string;
  /** What `priceOrder` stored on the order (as stored: a retry keeps the first pricing's fields). */
  orderFields?: Readonly<Record<string, unknown>>;
}

/** The caller's inputs a provider may require before any order is written (see `checkCreate`). */
export type CreateInput = Pick<CreateRequest, "mode" | "bizType" | "returnUrl" | "payMethod">;

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
  /** What the payment says of the order's stored `orderFields` (a product id, a quantity): each must equal the stored value, or it is not applied. */
  orderFields?: Readonly<Record<string, unknown>>;
  raw: unknown;
}

export interface RefundRequest extends OrderRef {
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
  /** The query string's fields as the platform parsed them, for providers that notify by GET (uniCloud gives no raw query). */
  query?: Readonly<Record<string, string>>;
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

/**
 * A refund that had settled SUCCESS and that the provider took back (Apple's REFUND_REVERSED: the money is
 * the merchant's again). The core undoes it once: the refund is closed, the order's refunded total goes
 * down, and the order type's `refundReversed` hook runs.
 */
export interface RefundReversal {
  outTradeNo: string;
  outRefundNo: string;
  /** ms timestamp. */
  reversedAt?: number;
  raw: unknown;
}

/** What a verified notification says, bound to an order by the core before anything changes. */
export type NormalizedEvent =
  | ({ kind: "payment" } & PaymentStatus)
  | ({ kind: "refund" } & RefundStatus)
  | ({ kind: "refundReversed" } & RefundReversal)
  | ({ kind: "transfer" } & TransferStatus)
  | IgnoredEvent;

/**
 * A payment the client proves to the server rather than one the provider notifies (Apple: the signed
 * transaction or receipt the app received). It becomes a library call and a public route, as a login does.
 */
export interface ClientProofMethod {
  /** The library call, as the manual names it (`appleiap.verifyReceipt` is `vkPay.appleiap.verifyReceipt`). */
  name: string;
  /** The public vk-pay route a logged-in client calls for it (`pay/appleiap/verifyReceipt`). */
  route: string;
  /** The mode whose sub-config verifies a proof that names no order (a restore). */
  mode: string;
}

/**
 * A server-side call of the provider's own that no manual names (Douyin's settlement), declared by the
 * provider and generated by the API layer as the library call `<namespace>.<call>` (`vkPay.douyin.createSettle`).
 * It is never a public route: only the developer's cloud functions reach it.
 */
export interface ProviderCallMethod {
  /** The library call, `<namespace>.<call>`. */
  name: string;
  /** The mode whose sub-config a call that names no order uses. */
  mode: string;
  /** The call is about one order (`out_trade_no`, required): the core finds it, the provider's own, and passes it. */
  order: boolean;
}

/** An order as a provider call sees it: what it may check the call's amounts against. */
export interface CallOrder {
  outTradeNo: string;
  totalFee: number;
  /** What has been refunded or is being refunded (fen), which no settlement may hand out again. */
  refundFee: number;
  status: TradeState;
  transactionId?: string;
}

export interface ProviderCallRequest {
  name: string;
  mode: string;
  config: MerchantConfig;
  order?: CallOrder;
  /** The caller's parameters as sent, `out_trade_no` taken out (provider-specific fields). */
  params: Readonly<Record<string, unknown>>;
}

/**
 * A refund of the call's order that the call set going at the provider without the core sending it (a
 * buyer's refund request the merchant agreed to): the core holds it in the order's refund ledger, once by
 * its number, so its later callback or query settles it like a refund of the merchant's own.
 */
export interface StartedRefund {
  /** The provider's own number for it, the ledger's `out_refund_no` (a later callback names it too). */
  outRefundNo: string;
  refundId?: string;
  refundFee: number;
  desc: string;
}

export interface ProviderCallResult {
  /** The answer the caller receives, in the provider's own field names, with nothing secret in it. */
  data: Record<string, unknown>;
  refund?: StartedRefund;
}

/** An order as a client proof is bound to it: its number, amount, state and what priceOrder stored. */
export interface ProofOrder {
  outTradeNo: string;
  totalFee: number;
  status: TradeState;
  orderFields: Readonly<Record<string, unknown>>;
}

export interface ClientProofRequest {
  mode: string;
  config: MerchantConfig;
  /** The order the caller named; absent in a restore, where the provider finds it with `findOrder`. */
  order?: ProofOrder;
  /**
   * The caller's own order of this provider whose stored `orderFields[field]` is `value` (a restore), or, for
   * the field `payment_claim`, the one that already claimed the provider payment id `value`.
   */
  findOrder(field: string, value: string): Promise<ProofOrder | undefined>;
  /** The client's proof as sent (provider-specific fields). */
  proof: Readonly<Record<string, unknown>>;
}

/** A verified client proof, bound by the provider to `outTradeNo` (token, product, quantity checked). */
export interface ProvenPayment extends PaymentStatus {
  /** The provider's id of this payment, which one order only may ever claim (Apple's `transactionId`). */
  claimKey: string;
  /**
   * Refunds the provider announced before the payment was proven (a notification that found no order
   * yet): the core settles them on the order right after the payment, as if they had just been notified.
   */
  refunds?: readonly RefundStatus[];
}

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

/** The payee of a transfer, as the provider names them. */
export interface TransferPayee {
  /** An openid (WeChat), or an Alipay user id (2088…), logon id (phone or email) or open id. */
  account: string;
  /** The provider's own name for the kind of account (Alipay `identity_type`); the provider infers it when absent. */
  accountType?: string;
  /** The payee's real name: checked by the provider, and required by some (WeChat at ¥2000 or more, Alipay for a logon id). */
  realName?: string;
}

/** A payout to a user (WeChat 商家转账, Alipay 单笔转账), stored by the core before the provider hears of it. */
export interface TransferRequest {
  mode: string;
  config: MerchantConfig;
  outBillNo: string;
  /** Fen. */
  amount: number;
  payee: TransferPayee;
  /** What the payee reads beside the money. */
  remark: string;
  /** A title for the transfer where the provider shows one (Alipay `order_title`); the remark when absent. */
  title?: string;
  notifyUrl?: string;
  /** The caller's remaining fields (scene ids, report infos, display options), for the provider to read the ones it documents. */
  other?: Readonly<Record<string, unknown>>;
}

/**
 * Transfer states: WeChat 商家转账's own, which every other provider maps onto. SUCCESS, FAIL and
 * CANCELLED are final; every other state may still be cancelled.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/mch-trans/transfer-bill/get-transfer-bill-by-out-no.html
 */
export type TransferState = "ACCEPTED" | "PROCESSING" | "WAIT_USER_CONFIRM" | "TRANSFERING" | "SUCCESS" | "FAIL" | "CANCELING" | "CANCELLED";

export interface TransferStatus {
  state: TransferState;
  outBillNo: string;
  transferBillNo?: string;
  /** Fen, when the provider says. */
  amount?: number;
  /** The merchant and app the provider reports the transfer under, bound to the stored transfer. */
  mchId?: string;
  appId?: string;
  /** The sub-merchant a service provider's transfer is paid from (WeChat `sub_mchid`), bound alike. */
  subMchId?: string;
  /** The payee's account as the provider reports it (an openid), bound to the stored transfer. */
  payeeAccount?: string;
  /**
   * What the payee's client passes to the provider's confirmation call (WeChat
   * `requestMerchantTransfer({ mchId, appId, package })`), while the provider waits for the payee.
   */
  confirmInfo?: Readonly<Record<string, unknown>>;
  failReason?: string;
  /** ms timestamp of the provider's last change. */
  updatedAt?: number;
  raw: unknown;
}

export interface PriceRequest {
  mode: string;
  config: MerchantConfig;
  /** The caller's provider-specific order data (product id, quantity, coins). */
  item: Readonly<Record<string, unknown>>;
}

export interface PriceQuote {
  totalFee: number;
  subject?: string;
  /** Stored on the order for the provider's later calls (e.g. the product id). */
  orderFields?: Readonly<Record<string, unknown>>;
}

/** What queries and cancels of a stored transfer carry. */
export interface TransferRef {
  mode: string;
  config: MerchantConfig;
  outBillNo: string;
  /** The provider's number, when the caller asks by it. */
  transferBillNo?: string;
  /** The sub-merchant the stored transfer was paid from (WeChat partner mode), when the provider named one. */
  partner?: PartnerRef;
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
  /** The client proofs the provider accepts (`verifyClientProof`), each a library call and a route. */
  clientProof?: readonly ClientProofMethod[];
  /** Transfers read this sub-config unless the caller names another (`platform`); `transfer` when absent. */
  transferConfigKey?: string;
  /** The provider's own server-side calls (`callProvider`), each a library call. */
  calls?: readonly ProviderCallMethod[];
  /** vk-uni-pay's name for the createPayment `data` key that carries this provider's `item` (`wxpay_virtual`), read when `data.item` is absent. */
  itemField?: string;
  /** The provider's account manager (`manage`), a library call of its own and admin routes. */
  manager?: ManagerCapability;
}

/**
 * One call of a provider's account manager (WeChat virtual payment's coin wallet: `currencyPay`, …): a
 * library method, and optionally an admin-only vk-pay route (money-moving, or about another user's wallet).
 */
export interface ManagerMethod {
  /** The method, as the manual names it (`currencyPay`). */
  name: string;
  /** The admin route that calls it (`admin/wxpayVirtual/currencyPay`); none when absent. */
  adminRoute?: string;
}

/**
 * Operations on the provider's own accounts that are not payments of an order (vk-pay.md §1.8:
 * `const m = await vkPay.getWxpayVirtualManager()`), served by the provider's `manage` verb.
 */
export interface ManagerCapability {
  /** The library call that answers the manager object (`getWxpayVirtualManager`). */
  name: string;
  /** The mode whose sub-config the manager's calls use. */
  mode: string;
  methods: readonly ManagerMethod[];
}

export interface ManageRequest {
  /** One of `capabilities.manager.methods`. */
  method: string;
  mode: string;
  config: MerchantConfig;
  /** The caller's parameters, as sent (the provider validates them). */
  params: Readonly<Record<string, unknown>>;
}

/** One key (or key pair) of a mode's sub-config, as a provider judges it for `npm run doctor`; `detail` never holds a secret. */
export interface ConfigCheckItem {
  key: string;
  status: "ok" | "missing" | "mismatch";
  detail: string;
}

/**
 * One key of a provider's sub-config, as the README's configuration reference lists it and the doctor
 * checks it. A test reads each provider's reader against these lists, so the reference cannot drift.
 */
export interface ConfigKeyDoc {
  key: string;
  /** A payment cannot be made without it (or one of its alternatives). */
  required?: boolean;
  /** Other names for the same thing (the `…Content` of a `…Path`): any one of them is enough. */
  alternatives?: readonly string[];
  /** What it holds, for the reference (English, as the README). */
  doc: string;
  /**
   * Set when the provider's merchant reader never reads the key because another part does (logins, mutual
   * TLS, transfers): the drift test then leaves it to that part's own tests.
   */
  readElsewhere?: string;
}

/** A provider's documented keys for one kind of sub-config (a version, or every mode alike). */
export interface ConfigReference {
  /** Which sub-configs this list describes, e.g. `version: 3 (the default)`. */
  variant: string;
  keys: readonly ConfigKeyDoc[];
}

export interface PaymentProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The keys its sub-configs take, for the README's configuration reference (`npm run -s docs`). */
  readonly configReference?: readonly ConfigReference[];
  /** The mode this situation pays in, or undefined when the provider cannot take a payment there. */
  selectMode(situation: PaymentSituation): SelectedMode | undefined;
  /**
   * Where a mode's merchant sub-config sits in uni-pay/config.js: `[name, mode]` unless the provider says
   * otherwise (one flat block for every mode, or a key that differs from the mode's name).
   */
  configPath?(mode: string): readonly string[];
  /**
   * Refuses (with a ValidationError) a createPayment whose inputs this provider cannot take, before the
   * order is written, so a refused call leaves nothing behind. Optional: most providers take any input.
   */
  checkCreate?(input: CreateInput): void;
  /**
   * What a mode's sub-config holds and lacks, judged by the provider's own reader (so the doctor checks
   * exactly what a payment would: required keys, files named by path, private key against certificate).
   * Optional: without it the doctor reports only whether the sub-config is there.
   */
  describeConfig?(mode: string, config: MerchantConfig): ConfigCheckItem[];
  createPayment(request: CreateRequest, runtime: ProviderRuntime): Promise<CreateResult>;
  queryPayment(request: OrderRef, runtime: ProviderRuntime): Promise<PaymentStatus>;
  closePayment(request: OrderRef, runtime: ProviderRuntime): Promise<void>;
  refund(request: RefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  /**
   * `refundId` is the provider's own refund number when an earlier answer gave one (a provider whose refund
   * query names only its own number needs it; without it, it may answer RefundNotFoundError).
   */
  queryRefund(request: OrderRef & { outRefundNo: string; refundId?: string }, runtime: ProviderRuntime): Promise<RefundStatus>;
  /** Only providers that hold refunds as ABNORMAL implement it; the answer is the refund as it now stands. */
  applyAbnormalRefund?(request: AbnormalRefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  /** Verifies first (signature, timestamp window, decryption), then parses; throws SignatureError on any doubt. */
  verifyNotify(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent>;
  /**
   * The exact reply (body and status) the provider expects, for an accepted or a refused notification,
   * whatever the body was: even an empty or unreadable one is answered in the provider's own dialect.
   */
  acknowledge(accepted: boolean, context?: AckContext): IntegrationResponse;
  /** Providers whose price is fixed at the platform (Apple products, WeChat virtual coins): the amount the order
   *  must carry, from the merchant's config, never from the client. Throws a ValidationError for an unknown item. */
  priceOrder?(request: PriceRequest, runtime: ProviderRuntime): Promise<PriceQuote>;
  /**
   * One of `capabilities.clientProof`: verifies the client's proof (signature, then the provider's own
   * confirmation) and binds it to an order; throws on any doubt, and changes nothing itself.
   */
  verifyClientProof?(request: ClientProofRequest, runtime: ProviderRuntime): Promise<ProvenPayment>;
  /**
   * One of `capabilities.manager.methods`, answered in the manual's camelCase shape. Money-moving methods are
   * exactly-once by the caller's order number: a retry answers what the first call did.
   */
  manage?(request: ManageRequest, runtime: ProviderRuntime): Promise<Readonly<Record<string, unknown>>>;
  /**
   * One of `capabilities.calls`: the provider's answer (and a refund it started, for the ledger).
   * Throws a ValidationError for parameters it cannot send, and checks amounts against `order`.
   */
  callProvider?(request: ProviderCallRequest, runtime: ProviderRuntime): Promise<ProviderCallResult>;
  /** One of `capabilities.login`: a client's code → the user's id. */
  code2Session?(request: LoginRequest, runtime: ProviderRuntime): Promise<LoginResult>;
  queryAccountBalance?(request: { config: MerchantConfig }, runtime: ProviderRuntime): Promise<AccountBalance>;
  /** Sends a stored transfer; the same `outBillNo` again is the same transfer at the provider. */
  transfer?(request: TransferRequest, runtime: ProviderRuntime): Promise<TransferStatus>;
  queryTransfer?(request: TransferRef, runtime: ProviderRuntime): Promise<TransferStatus>;
  /** Only providers whose transfers wait for the payee implement it; the answer is the transfer as it now stands. */
  cancelTransfer?(request: TransferRef, runtime: ProviderRuntime): Promise<TransferStatus>;
}
