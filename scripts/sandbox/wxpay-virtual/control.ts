/**
 * The control API of SPEC §9 for xpay: the test or the page acts as the buyer's WeChat client
 * (`request-payment` is `wx.requestVirtualPayment`, then `pay`, `fail`, `cancel`), as the back office
 * (`refund-result`, `notify` for a complaint, `push-settings`), or on the sandbox (`redeliver`, `drop`,
 * `clock`). `session` records the session key WeChat holds for a logged-in user, which the library got
 * from the WeChat sandbox's login.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ControlError, dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import { isRecord } from "../http";
import { XPAY_SANDBOX_GOODS, type XpaySandboxKeys } from "./keys";
import type { XpayPusher } from "./pusher";
import { hmacSha256Hex, sameHex } from "./sign";
import type { XpaySandboxOrder, XpaySandboxState } from "./state";

export interface XpayControlContext {
  keys: XpaySandboxKeys;
  state: XpaySandboxState;
  pusher: XpayPusher;
}

const OUT_TRADE_NO = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;

function orderOf(ctx: XpayControlContext, body: Record<string, unknown>): XpaySandboxOrder {
  const order = ctx.state.order(text(body, "out_trade_no", true, 64));
  if (!order) throw new ControlError(404, "no such order (request the payment first)");
  return order;
}

/** What wx.requestVirtualPayment checks before the cashier opens (the client answers -15xxx codes for these). */
function requestPayment(ctx: XpayControlContext, body: Record<string, unknown>): XpaySandboxOrder {
  const openid = text(body, "openid", true);
  const signDataText = text(body, "signData", true, 4096);
  let signData: unknown;
  try {
    signData = JSON.parse(signDataText);
  } catch {
    throw new ControlError(400, "signData is not JSON", "-15001");
  }
  if (!isRecord(signData)) throw new ControlError(400, "signData is not an object", "-15001");
  const env = signData.env ?? 0;
  if (env !== 0 && env !== 1) throw new ControlError(400, "env must be 0 or 1", "-15001");
  if (signData.offerId !== ctx.keys.offerId) throw new ControlError(400, "unknown offerId", "-15001");
  if (signData.currencyType !== "CNY") throw new ControlError(400, "currencyType must be CNY", "-15001");
  const appKey = env === 1 ? ctx.keys.sandboxAppKey : ctx.keys.appKey;
  if (!sameHex(hmacSha256Hex(appKey, `requestVirtualPayment&${signDataText}`), text(body, "paySig", true)))
    throw new ControlError(400, "paySig is wrong", "-15006");
  const sessionKey = ctx.state.sessionKey(openid);
  if (!sessionKey || !sameHex(hmacSha256Hex(sessionKey, signDataText), text(body, "signature", true)))
    throw new ControlError(400, "signature is wrong", "-15005");
  const outTradeNo = signData.outTradeNo;
  if (typeof outTradeNo !== "string" || !OUT_TRADE_NO.test(outTradeNo))
    throw new ControlError(400, "outTradeNo must be 8-32 of [0-9A-Za-z_-|*@], not starting with _", "-15001");
  const quantity = signData.buyQuantity;
  if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity <= 0)
    throw new ControlError(400, "buyQuantity must be a positive integer", "-15001");
  const mode = body.mode === "short_series_goods" ? "short_series_goods" : body.mode === "short_series_coin" ? "short_series_coin" : undefined;
  if (!mode) throw new ControlError(400, "mode must be short_series_coin or short_series_goods", "-15001");
  let orderFee: number;
  let productId: string | undefined;
  if (mode === "short_series_goods") {
    productId = typeof signData.productId === "string" ? signData.productId : "";
    const goods = XPAY_SANDBOX_GOODS[productId];
    if (!goods) throw new ControlError(400, "unknown productId", "-15012");
    if (signData.goodsPrice !== goods.price) throw new ControlError(400, "goodsPrice is not the back office's price", "-15013");
    orderFee = goods.price * quantity;
  } else {
    orderFee = quantity; // rate 100 coins per yuan: one coin is one fen.
  }
  const existing = ctx.state.order(outTradeNo);
  if (existing) {
    if (existing.openid !== openid || existing.order_fee !== orderFee) throw new ControlError(409, "outTradeNo already used", "-15007");
    return existing;
  }
  const order: XpaySandboxOrder = {
    order_id: outTradeNo,
    openid,
    env,
    mode,
    buy_quantity: quantity,
    ...(productId ? { product_id: productId, goods_price: signData.goodsPrice as number } : {}),
    order_fee: orderFee,
    status: 1,
    attach: typeof signData.attach === "string" ? signData.attach : "",
    create_time: Math.floor(ctx.state.businessNow() / 1000),
    wx_order_id: `wx${Date.now()}${randomBytes(4).toString("hex")}`,
    left_fee: orderFee,
  };
  ctx.state.putOrder(order);
  return order;
}

function deliverPush(ctx: XpayControlContext, order: XpaySandboxOrder) {
  const pay = { MchOrderNo: `mch${order.wx_order_id}`, TransactionId: `4200${order.wx_order_id}`, PaidTime: order.paid_time };
  const price = { OrigPrice: order.order_fee, ActualPrice: order.order_fee, Attach: order.attach };
  const fields =
    order.mode === "short_series_goods"
      ? { GoodsInfo: { ProductId: order.product_id, Quantity: order.buy_quantity, ...price } }
      : { CoinInfo: { Quantity: order.buy_quantity, ...price } };
  const event = order.mode === "short_series_goods" ? "xpay_goods_deliver_notify" : "xpay_coin_pay_notify";
  return ctx.pusher.send(`trade:${order.order_id}`, event, {
    OpenId: order.openid,
    OutTradeNo: order.order_id,
    Env: order.env,
    WeChatPayInfo: pay,
    ...fields,
    TeamInfo: {},
  });
}

const ACTIONS: Record<string, ControlAction<XpayControlContext>> = {
  session(ctx, body) {
    ctx.state.putSession(text(body, "openid", true), text(body, "session_key", true));
    return {};
  },
  "request-payment"(ctx, body) {
    const order = requestPayment(ctx, body);
    return { out_trade_no: order.order_id, status: order.status, order_fee: order.order_fee };
  },
  pay(ctx, body) {
    const order = orderOf(ctx, body);
    if (order.status !== 1) throw new ControlError(409, `order is in status ${order.status}, not payable`);
    order.status = 2;
    order.paid_time = Math.floor(ctx.state.businessNow() / 1000);
    ctx.state.putOrder(order);
    if (order.mode === "short_series_coin") {
      // WeChat credits the coins itself on a coin top-up.
      const wallet = ctx.state.wallet(order.env, order.openid);
      ctx.state.putWallet(order.env, order.openid, { ...wallet, balance: wallet.balance + order.buy_quantity, sum_save: wallet.sum_save + order.buy_quantity });
    }
    return { status: order.status, wx_order_id: order.wx_order_id, notification: deliverPush(ctx, order) };
  },
  fail(ctx, body) {
    const order = orderOf(ctx, body);
    if (order.status === 1) ctx.state.putOrder({ ...order, status: 6 });
    return { status: ctx.state.order(order.order_id)!.status };
  },
  cancel(ctx, body) {
    return ACTIONS.fail!(ctx, body);
  },
  "refund-result"(ctx, body) {
    const refund = ctx.state.refund(text(body, "out_refund_no", true));
    if (!refund) throw new ControlError(404, "no such refund");
    const status = body.status;
    if (status !== "SUCCESS" && status !== "CLOSED") throw new ControlError(400, "status must be SUCCESS or CLOSED (xpay has no abnormal refunds)");
    if (refund.status === 5) {
      const order = ctx.state.order(refund.order_id)!;
      refund.status = status === "SUCCESS" ? 8 : 7;
      refund.paid_time = Math.floor(ctx.state.businessNow() / 1000);
      ctx.state.putRefund(refund);
      if (status === "SUCCESS") order.status = order.left_fee === 0 ? 8 : 4;
      else {
        order.left_fee += refund.refund_fee;
        order.status = 4;
      }
      ctx.state.putOrder(order);
    }
    const notification = ctx.pusher.send(`refund:${refund.refund_order_id}`, "xpay_refund_notify", {
      OpenId: refund.openid,
      WxRefundId: refund.wx_order_id,
      MchRefundId: refund.refund_order_id,
      WxOrderId: ctx.state.order(refund.order_id)!.wx_order_id,
      MchOrderId: refund.order_id,
      RefundFee: refund.refund_fee,
      RetCode: refund.status === 8 ? 0 : 1,
      RetMsg: refund.status === 8 ? "success" : "refund failed",
      RefundStartTimestamp: refund.create_time,
      ...(refund.status === 8 ? { RefundSuccTimestamp: refund.paid_time } : {}),
      WxpayRefundTransactionId: `5000${refund.wx_order_id}`,
      RetryTimes: 0,
    });
    return { status: refund.status, notification };
  },
  notify(ctx, body) {
    const event = text(body, "event", true);
    if (event !== "xpay_complaint_notify") throw new ControlError(400, "notify sends xpay_complaint_notify (payments and refunds have their own actions)");
    const order = orderOf(ctx, body);
    const notification = ctx.pusher.send(`complaint:${order.order_id}`, event, {
      OpenId: order.openid,
      WxOrderId: order.wx_order_id,
      MchOrderId: order.order_id,
      ComplaintTime: Math.floor(ctx.state.businessNow() / 1000),
      RetryTimes: 0,
      RequestId: randomBytes(8).toString("hex"),
    });
    return { notification };
  },
  "push-settings"(ctx, body) {
    const settings: { url?: string; safe?: boolean; format?: "json" | "xml" } = {};
    if (body.url !== undefined) settings.url = text(body, "url", true, 512);
    if (body.safe !== undefined) settings.safe = body.safe === true;
    if (body.format !== undefined) {
      if (body.format !== "json" && body.format !== "xml") throw new ControlError(400, "format must be json or xml");
      settings.format = body.format;
    }
    ctx.state.setPush(settings);
    return { push: ctx.state.pushSettings() };
  },
  redeliver(ctx, body) {
    const outTradeNo = text(body, "out_trade_no", false, 64);
    const outRefundNo = text(body, "out_refund_no", false, 64);
    if (!outTradeNo === !outRefundNo) throw new ControlError(400, "give exactly one of out_trade_no and out_refund_no");
    const notification = ctx.pusher.redeliver(outTradeNo ? `trade:${outTradeNo}` : `refund:${outRefundNo}`);
    if (!notification) throw new ControlError(404, "no notification has been sent for it yet");
    return { notification };
  },
  drop: (ctx, body) => dropAction(ctx.pusher, body),
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    return { offset_seconds: ctx.state.clockOffsetSeconds };
  },
};

export function serveXpayControl(ctx: XpayControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(ACTIONS, ctx, action, req, res);
}
