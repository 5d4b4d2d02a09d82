import { readStateFile, sandboxStateBase, type SandboxStateBase } from "../state-file";

/** A cash order (现金单) as the sandbox's WeChat keeps it; `status` uses query_order's numbers. */
export interface XpaySandboxOrder {
  order_id: string;
  openid: string;
  env: 0 | 1;
  mode: "short_series_coin" | "short_series_goods";
  buy_quantity: number;
  product_id?: string;
  goods_price?: number;
  order_fee: number;
  /** 1 created, 2 paid (to deliver), 4 delivered, 5 refunded (merchant side), 6 closed, 8 refunded to the user. */
  status: number;
  attach: string;
  create_time: number;
  paid_time?: number;
  wx_order_id: string;
  left_fee: number;
}

export interface XpaySandboxRefund {
  refund_order_id: string;
  order_id: string;
  openid: string;
  env: 0 | 1;
  refund_fee: number;
  /** 5 in flight, 8 done, 7 failed. */
  status: number;
  wx_order_id: string;
  create_time: number;
  paid_time?: number;
}

/** A user's coins in one env, with the totals query_user_balance reports. */
export interface XpaySandboxWallet {
  balance: number;
  present_balance: number;
  sum_save: number;
  sum_present: number;
  sum_cost: number;
}

/** A coin spend (currency_pay) or gift (present_currency), by the merchant's order id. */
export interface XpaySandboxCoinOrder {
  order_id: string;
  openid: string;
  env: 0 | 1;
  kind: "pay" | "present";
  amount: number;
  wx_order_id: string;
  cancelled?: string;
}

export interface XpaySandboxPush {
  event: string;
  message: Record<string, unknown>;
}

/** Where and how the mini program's message push is configured (the back office's 消息推送配置). */
export interface XpayPushSettings {
  /** Default: the emulator's `/http/vk-pay/vk-pay-notify/wxpay-virtual_mp-weixin` on PORT. */
  url?: string;
  safe: boolean;
  format: "json" | "xml";
}

interface Data {
  version: 1;
  clockOffsetSeconds: number;
  notifications: Record<string, XpaySandboxPush>;
  orders: Record<string, XpaySandboxOrder>;
  refunds: Record<string, XpaySandboxRefund>;
  wallets: Record<string, XpaySandboxWallet>;
  coinOrders: Record<string, XpaySandboxCoinOrder>;
  sessions: Record<string, string>;
  tokens: Record<string, number>;
  push: XpayPushSettings;
}

export interface XpaySandboxState extends SandboxStateBase<XpaySandboxPush> {
  order(id: string): XpaySandboxOrder | undefined;
  putOrder(order: XpaySandboxOrder): void;
  refund(id: string): XpaySandboxRefund | undefined;
  putRefund(refund: XpaySandboxRefund): void;
  refunds(): XpaySandboxRefund[];
  wallet(env: number, openid: string): XpaySandboxWallet;
  putWallet(env: number, openid: string, wallet: XpaySandboxWallet): void;
  coinOrder(id: string): XpaySandboxCoinOrder | undefined;
  putCoinOrder(order: XpaySandboxCoinOrder): void;
  sessionKey(openid: string): string | undefined;
  putSession(openid: string, sessionKey: string): void;
  tokenExpiry(token: string): number | undefined;
  putToken(token: string, expiresAt: number): void;
  pushSettings(): XpayPushSettings;
  setPush(settings: Partial<XpayPushSettings>): void;
}

export function createXpaySandboxState(options: { file?: string; now: () => number }): XpaySandboxState {
  const empty = (): Data => ({
    version: 1,
    clockOffsetSeconds: 0,
    notifications: {},
    orders: {},
    refunds: {},
    wallets: {},
    coinOrders: {},
    sessions: {},
    tokens: {},
    push: { safe: true, format: "json" },
  });
  const data = readStateFile<Data>(options.file, empty);
  const base = sandboxStateBase(data, options.file, options.now);
  const put = <T>(table: Record<string, T>, key: string, value: T) => {
    table[key] = value;
    base.save();
  };
  return Object.assign(base, {
    order: (id: string) => data.orders[id],
    putOrder: (order: XpaySandboxOrder) => put(data.orders, order.order_id, order),
    refund: (id: string) => data.refunds[id],
    putRefund: (refund: XpaySandboxRefund) => put(data.refunds, refund.refund_order_id, refund),
    refunds: () => Object.values(data.refunds),
    wallet: (env: number, openid: string) => ({
      ...(data.wallets[`${env}:${openid}`] ?? { balance: 0, present_balance: 0, sum_save: 0, sum_present: 0, sum_cost: 0 }),
    }),
    putWallet: (env: number, openid: string, wallet: XpaySandboxWallet) => put(data.wallets, `${env}:${openid}`, wallet),
    coinOrder: (id: string) => data.coinOrders[id],
    putCoinOrder: (order: XpaySandboxCoinOrder) => put(data.coinOrders, order.order_id, order),
    sessionKey: (openid: string) => data.sessions[openid],
    putSession: (openid: string, sessionKey: string) => put(data.sessions, openid, sessionKey),
    tokenExpiry: (token: string) => data.tokens[token],
    putToken: (token: string, expiresAt: number) => put(data.tokens, token, expiresAt),
    pushSettings: () => data.push,
    setPush(settings: Partial<XpayPushSettings>) {
      data.push = { ...data.push, ...settings };
      base.save();
    },
  });
}
