/**
 * The sandbox's `api.weixin.qq.com` for virtual payment: the stable access token and the xpay server APIs,
 * each checked as WeChat documents it: a live access_token, `pay_sig` over `/xpay/<api>&<body>` with the
 * AppKey of the body's env, and, for the three user-state APIs only, `signature` with the user's session key.
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 * @see https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord, readRawBody, sendJson } from "../http";
import type { XpaySandboxKeys } from "./keys";
import type { XpayPusher } from "./pusher";
import { hmacSha256Hex, sameHex } from "./sign";
import type { XpaySandboxState } from "./state";

export interface XpayApiContext {
  keys: XpaySandboxKeys;
  state: XpaySandboxState;
  pusher: XpayPusher;
}

type Body = Record<string, unknown>;
type Answer = Record<string, unknown>;

/** A refusal in WeChat's shape. */
class XpayError extends Error {
  constructor(
    readonly errcode: number,
    errmsg: string,
  ) {
    super(errmsg);
  }
}

const USER_STATE_APIS = new Set(["query_user_balance", "currency_pay", "cancel_currency_pay"]);
const ID = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;
const wxId = (prefix: string) => `${prefix}${Date.now()}${randomBytes(4).toString("hex")}`;

function envOf(body: Body): 0 | 1 {
  if (body.env !== 0 && body.env !== 1) throw new XpayError(268490001, "invalid env");
  return body.env;
}

function openidOf(body: Body): string {
  if (typeof body.openid !== "string" || !body.openid) throw new XpayError(268490001, "invalid openid");
  return body.openid;
}

function amount(body: Body, field: string): number {
  const value = body[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw new XpayError(268490001, `invalid ${field}`);
  return value;
}

function orderView(order: NonNullable<ReturnType<XpaySandboxState["order"]>>): Answer {
  return {
    order_id: order.order_id,
    create_time: order.create_time,
    update_time: order.paid_time ?? order.create_time,
    status: order.status,
    biz_type: 0,
    order_fee: order.order_fee,
    paid_fee: order.status === 1 || order.status === 6 ? 0 : order.order_fee,
    order_type: 0,
    paid_time: order.paid_time ?? 0,
    env_type: order.env === 0 ? 1 : 2,
    left_fee: order.left_fee,
    wx_order_id: order.wx_order_id,
  };
}

const apis: Record<string, (ctx: XpayApiContext, body: Body) => Answer> = {
  query_order(ctx, body) {
    const env = envOf(body);
    const openid = openidOf(body);
    const id = typeof body.order_id === "string" ? body.order_id : undefined;
    const order = id ? ctx.state.order(id) : undefined;
    if (order && order.env === env && order.openid === openid) return { order: orderView(order) };
    const refund = id ? ctx.state.refund(id) : undefined;
    if (refund && refund.env === env && refund.openid === openid) {
      return {
        order: {
          order_id: refund.refund_order_id,
          create_time: refund.create_time,
          status: refund.status,
          order_type: 1,
          refund_fee: refund.refund_fee,
          order_fee: refund.refund_fee,
          paid_time: refund.paid_time ?? 0,
          env_type: refund.env === 0 ? 1 : 2,
          wx_order_id: refund.wx_order_id,
        },
      };
    }
    throw new XpayError(268490002, "order not exist");
  },
  refund_order(ctx, body) {
    const env = envOf(body);
    const openid = openidOf(body);
    const order = typeof body.order_id === "string" ? ctx.state.order(body.order_id) : undefined;
    if (!order || order.env !== env || order.openid !== openid) throw new XpayError(268490002, "order not exist");
    const refundId = body.refund_order_id;
    if (typeof refundId !== "string" || !ID.test(refundId)) throw new XpayError(268490001, "invalid refund_order_id");
    const existing = ctx.state.refund(refundId);
    if (existing) {
      if (existing.order_id !== order.order_id || existing.refund_fee !== body.refund_fee) throw new XpayError(268490004, "refund_order_id used");
      return { refund_order_id: refundId, refund_wx_order_id: existing.wx_order_id, pay_order_id: order.order_id, pay_wx_order_id: order.wx_order_id };
    }
    if (![2, 4, 5, 8].includes(order.status)) throw new XpayError(268490001, "order can not refund");
    const refundFee = amount(body, "refund_fee");
    if (body.left_fee !== order.left_fee) throw new XpayError(268490001, "left_fee mismatch");
    if (refundFee > order.left_fee) throw new XpayError(268490001, "refund_fee exceeds left_fee");
    if (typeof body.refund_reason !== "string" || typeof body.req_from !== "string") throw new XpayError(268490001, "invalid refund_reason or req_from");
    order.left_fee -= refundFee;
    order.status = 5;
    ctx.state.putOrder(order);
    const refund = {
      refund_order_id: refundId,
      order_id: order.order_id,
      openid,
      env,
      refund_fee: refundFee,
      status: 5,
      wx_order_id: wxId("rf"),
      create_time: Math.floor(ctx.state.now() / 1000),
    };
    ctx.state.putRefund(refund);
    return { refund_order_id: refundId, refund_wx_order_id: refund.wx_order_id, pay_order_id: order.order_id, pay_wx_order_id: order.wx_order_id };
  },
  notify_provide_goods(ctx, body) {
    envOf(body);
    const order = typeof body.order_id === "string" ? ctx.state.order(body.order_id) : undefined;
    if (!order) throw new XpayError(268490002, "order not exist");
    if (order.status === 2) {
      order.status = 4;
      ctx.state.putOrder(order);
    }
    return {};
  },
  query_user_balance(ctx, body) {
    const wallet = ctx.state.wallet(envOf(body), openidOf(body));
    return {
      balance: wallet.balance,
      present_balance: wallet.present_balance,
      sum_save: wallet.sum_save,
      sum_present: wallet.sum_present,
      sum_balance: wallet.balance,
      sum_cost: wallet.sum_cost,
      first_save_flag: wallet.sum_save === 0,
    };
  },
  currency_pay(ctx, body) {
    const env = envOf(body);
    const openid = openidOf(body);
    const spend = amount(body, "amount");
    const id = body.order_id;
    if (typeof id !== "string" || !ID.test(id)) throw new XpayError(268490001, "invalid order_id");
    const existing = ctx.state.coinOrder(id);
    if (existing) throw new XpayError(268490004, "duplicate order_id");
    const wallet = ctx.state.wallet(env, openid);
    if (wallet.balance < spend) throw new XpayError(268490006, "balance not enough");
    const fromPresent = Math.min(wallet.present_balance, spend);
    wallet.balance -= spend;
    wallet.present_balance -= fromPresent;
    wallet.sum_cost += spend;
    ctx.state.putWallet(env, openid, wallet);
    ctx.state.putCoinOrder({ order_id: id, openid, env, kind: "pay", amount: spend, wx_order_id: wxId("cp") });
    return { order_id: id, balance: wallet.balance, used_present_amount: fromPresent };
  },
  cancel_currency_pay(ctx, body) {
    const env = envOf(body);
    const openid = openidOf(body);
    const spend = typeof body.pay_order_id === "string" ? ctx.state.coinOrder(body.pay_order_id) : undefined;
    if (!spend || spend.kind !== "pay" || spend.openid !== openid || spend.env !== env) throw new XpayError(268490002, "order not exist");
    const refundId = body.order_id;
    if (typeof refundId !== "string" || !ID.test(refundId)) throw new XpayError(268490001, "invalid order_id");
    if (spend.cancelled) {
      if (spend.cancelled === refundId) return { order_id: refundId };
      throw new XpayError(268490004, "already cancelled");
    }
    if (body.amount !== spend.amount) throw new XpayError(268490001, "amount mismatch");
    const wallet = ctx.state.wallet(env, openid);
    wallet.balance += spend.amount;
    wallet.sum_cost -= spend.amount;
    ctx.state.putWallet(env, openid, wallet);
    ctx.state.putCoinOrder({ ...spend, cancelled: refundId });
    return { order_id: refundId };
  },
  present_currency(ctx, body) {
    const env = envOf(body);
    const openid = openidOf(body);
    const gift = amount(body, "amount");
    const id = body.order_id;
    if (typeof id !== "string" || !ID.test(id)) throw new XpayError(268490001, "invalid order_id");
    const wallet = ctx.state.wallet(env, openid);
    // Retried until errcode 0 or 268490004 (the page): a repeated gift is answered "already done".
    if (ctx.state.coinOrder(id)) throw new XpayError(268490004, "duplicate order_id");
    wallet.balance += gift;
    wallet.present_balance += gift;
    wallet.sum_present += gift;
    ctx.state.putWallet(env, openid, wallet);
    ctx.state.putCoinOrder({ order_id: id, openid, env, kind: "present", amount: gift, wx_order_id: wxId("pc") });
    return { order_id: id, balance: wallet.balance, present_balance: wallet.present_balance };
  },
};

function checkAccessToken(ctx: XpayApiContext, token: string | null): void {
  const expiry = token ? ctx.state.tokenExpiry(token) : undefined;
  if (expiry === undefined) throw new XpayError(40001, "invalid credential, access_token is invalid or not latest");
  if (expiry <= ctx.state.now()) throw new XpayError(42001, "access_token expired");
}

async function serveStableToken(ctx: XpayApiContext, raw: Buffer): Promise<Answer> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new XpayError(47001, "data format error");
  }
  if (!isRecord(body) || body.grant_type !== "client_credential") throw new XpayError(40002, "invalid grant_type");
  if (body.appid !== ctx.keys.appId) throw new XpayError(40013, "invalid appid");
  if (body.secret !== ctx.keys.appSecret) throw new XpayError(40125, "invalid appsecret");
  const token = randomBytes(48).toString("base64url");
  ctx.state.putToken(token, ctx.state.now() + 7200_000);
  return { access_token: token, expires_in: 7200 };
}

/** Serves `/cgi-bin/stable_token` and `/xpay/<api>`; false for other paths. */
export async function serveXpayApi(ctx: XpayApiContext, path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const api = path.startsWith("/xpay/") ? path.slice("/xpay/".length) : undefined;
  if (path !== "/cgi-bin/stable_token" && !(api && Object.prototype.hasOwnProperty.call(apis, api))) return false;
  try {
    if (req.method !== "POST") throw new XpayError(43002, "require POST method");
    const raw = await readRawBody(req);
    if (raw === undefined) throw new XpayError(47001, "data too large");
    if (!api) {
      sendJson(res, 200, await serveStableToken(ctx, raw));
      return true;
    }
    checkAccessToken(ctx, query.get("access_token"));
    const text = raw.toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new XpayError(47001, "data format error");
    }
    if (!isRecord(body)) throw new XpayError(47001, "data format error");
    const env = envOf(body);
    // pay_sig covers the uri with its leading slash and the exact bytes sent.
    if (!sameHex(hmacSha256Hex(env === 1 ? ctx.keys.sandboxAppKey : ctx.keys.appKey, `/xpay/${api}&${text}`), query.get("pay_sig"))) {
      throw new XpayError(268490003, "pay_sig error");
    }
    if (USER_STATE_APIS.has(api)) {
      const sessionKey = ctx.state.sessionKey(openidOf(body));
      if (!sessionKey) throw new XpayError(268490009, "session_key not exist or expired");
      if (!sameHex(hmacSha256Hex(sessionKey, text), query.get("signature"))) throw new XpayError(268490003, "signature error");
      // The three user-state APIs name the user's IP (user_ip), which WeChat uses for its risk checks.
      if (typeof body.user_ip !== "string" || !body.user_ip) throw new XpayError(268490001, "invalid user_ip");
    }
    sendJson(res, 200, { errcode: 0, errmsg: "ok", ...apis[api]!(ctx, body) });
  } catch (error) {
    if (!(error instanceof XpayError)) throw error;
    sendJson(res, 200, { errcode: error.errcode, errmsg: error.message });
  }
  return true;
}
