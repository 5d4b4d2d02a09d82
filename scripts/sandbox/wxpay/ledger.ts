/**
 * The sandbox's bookkeeping of orders and refunds: what WeChat decides when a merchant or a payer acts.
 * Callers turn the thrown WxpayApiError / ControlError into the right reply.
 */
import type { SandboxMerchant } from "./auth";
import { newPrepayId, newRefundId, newTransactionId, sandboxOpenid } from "./ids";
import type { Notifier } from "./notifier";
import type { WxpaySandboxState } from "./state";
import { formatRfc3339 } from "./time";
import {
  ControlError,
  type OrderOrigin,
  type RefundStatus,
  type SandboxOrder,
  type SandboxRefund,
  type TradeState,
  type TradeType,
  WxpayApiError,
} from "./types";
import type { PrepayRequest, RefundRequest } from "./validate";
import { v2PaymentNotification, v2RefundNotification } from "./v2-views";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: "支付成功",
  REFUND: "转入退款",
  NOTPAY: "订单未支付",
  CLOSED: "订单已关闭",
  REVOKED: "已撤销",
  USERPAYING: "用户支付中",
  PAYERROR: "支付失败，请重新下单支付",
};

const REFUND_SUMMARY: Record<Exclude<RefundStatus, "PROCESSING">, string> = { SUCCESS: "退款成功", ABNORMAL: "退款异常", CLOSED: "退款关闭" };

/** The last moment the payer may pay: `time_expire` clamped to [1 minute, 90 days], else 7 days. */
function payDeadline(createdAt: number, timeExpire: number | undefined): number {
  if (timeExpire === undefined) return createdAt + 7 * DAY;
  return Math.min(Math.max(timeExpire, createdAt + MINUTE), createdAt + 90 * DAY);
}

export function withState(order: SandboxOrder, state: TradeState): SandboxOrder {
  return { ...order, trade_state: state, trade_state_desc: TRADE_STATE_DESC[state] };
}

function fingerprint(tradeType: TradeType, request: PrepayRequest): string {
  return JSON.stringify([tradeType, request.appid, request.description, request.total, request.currency, request.payer_openid ?? null]);
}

/** What a notification delivery reports; "none" when the order has nowhere to send (pay-code payments). */
export type Delivery = "queued" | "dropped" | "none";

export interface Ledger {
  /** `origin` says which API placed the order and, in partner mode, for whom (the caller checked the binding). */
  prepay(merchant: SandboxMerchant, tradeType: TradeType, request: PrepayRequest, origin?: OrderOrigin): SandboxOrder;
  findOrder(mchid: string, outTradeNo: string): SandboxOrder;
  findOrderByTransactionId(mchid: string, transactionId: string): SandboxOrder;
  close(mchid: string, outTradeNo: string): void;
  refund(mchid: string, request: RefundRequest, origin?: Pick<OrderOrigin, "version" | "sign_type">): SandboxRefund;
  findRefund(mchid: string, outRefundNo: string): SandboxRefund;
  /** Control: the payer pays, fails, or the order is cancelled. */
  pay(mchid: string, outTradeNo: string, openid?: string): { order: SandboxOrder; notification: Delivery };
  fail(mchid: string, outTradeNo: string): SandboxOrder;
  cancel(mchid: string, outTradeNo: string): SandboxOrder;
  settleRefund(mchid: string, outRefundNo: string, status: Exclude<RefundStatus, "PROCESSING">): { refund: SandboxRefund; notification: Delivery };
  /** The merchant's 发起异常退款: an ABNORMAL refund goes back to PROCESSING, to be paid out the chosen way. */
  applyAbnormalRefund(mchid: string, refundId: string, outRefundNo: string, apply: NonNullable<SandboxRefund["abnormal_apply"]>): SandboxRefund;
  /** The order as paid now (new transaction_id, payer openids); the caller stores it. */
  markPaid(order: SandboxOrder, openid?: string): SandboxOrder;
  /** A query of a USERPAYING pay-code trade: counts down and applies its outcome (no notification follows). */
  poll(order: SandboxOrder): SandboxOrder;
  isPayable(order: SandboxOrder): boolean;
  isExpired(order: SandboxOrder): boolean;
  transactionView(order: SandboxOrder): Record<string, unknown>;
  refundView(refund: SandboxRefund): Record<string, unknown>;
}

export function createLedger(options: { state: WxpaySandboxState; notifier: Notifier; v2Key: (mchid: string) => string }): Ledger {
  const { state, notifier } = options;

  const isExpired = (order: SandboxOrder) => state.businessNow() > payDeadline(order.create_time, order.time_expire);
  const isPayable = (order: SandboxOrder) => ["NOTPAY", "USERPAYING", "PAYERROR"].includes(order.trade_state) && !isExpired(order);

  function findOrder(mchid: string, outTradeNo: string): SandboxOrder {
    const order = state.order(mchid, outTradeNo);
    if (!order) throw new WxpayApiError(404, "ORDER_NOT_EXIST", "订单不存在", undefined, { code: "ORDERNOTEXIST", des: "此交易订单号不存在" });
    return order;
  }

  function controlOrder(mchid: string, outTradeNo: string): SandboxOrder {
    const order = state.order(mchid, outTradeNo);
    if (!order) throw new ControlError(404, `订单不存在: ${outTradeNo}`);
    return order;
  }

  /** Refunded or in progress: what WeChat no longer lets the merchant refund (ABNORMAL stays counted: the money left). */
  function committed(order: SandboxOrder): number {
    return state
      .refundsOf(order.mchid, order.out_trade_no)
      .filter((r) => r.status !== "CLOSED")
      .reduce((sum, r) => sum + r.refund, 0);
  }

  function transactionView(order: SandboxOrder): Record<string, unknown> {
    const paid = order.transaction_id !== undefined;
    // Partner (服务商) trades name both merchants and both openids.
    const parties = order.sp_mchid
      ? { sp_appid: order.sp_appid, sp_mchid: order.sp_mchid, ...(order.sub_appid ? { sub_appid: order.sub_appid } : {}), sub_mchid: order.mchid }
      : { appid: order.appid, mchid: order.mchid };
    const payer = !paid
      ? {}
      : order.sp_mchid
        ? { sp_openid: order.payer_openid, ...(order.sub_openid ? { sub_openid: order.sub_openid } : {}) }
        : { openid: order.payer_openid };
    return {
      ...parties,
      out_trade_no: order.out_trade_no,
      ...(paid
        ? { transaction_id: order.transaction_id, trade_type: order.trade_type, bank_type: "OTHERS", success_time: formatRfc3339(order.success_time!) }
        : {}),
      trade_state: order.trade_state,
      trade_state_desc: order.trade_state_desc,
      attach: order.attach ?? "",
      payer,
      amount: paid
        ? { total: order.total, payer_total: order.total, currency: order.currency, payer_currency: order.currency }
        : { total: order.total, currency: order.currency, payer_currency: order.currency },
      promotion_detail: [],
    };
  }

  function refundView(refund: SandboxRefund): Record<string, unknown> {
    return {
      refund_id: refund.refund_id,
      out_refund_no: refund.out_refund_no,
      transaction_id: refund.transaction_id,
      out_trade_no: refund.out_trade_no,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      ...(refund.success_time !== undefined ? { success_time: formatRfc3339(refund.success_time) } : {}),
      create_time: formatRfc3339(refund.create_time),
      status: refund.status,
      funds_account: "AVAILABLE",
      amount: {
        total: refund.total,
        refund: refund.refund,
        from: [],
        payer_total: refund.total,
        payer_refund: refund.refund,
        settlement_refund: refund.refund,
        settlement_total: refund.total,
        discount_refund: 0,
        currency: refund.currency,
        refund_fee: 0,
      },
      promotion_detail: [],
    };
  }

  /** The payment notification in the format of the API that placed the order, signed by its placer. */
  function announcePaid(order: SandboxOrder): Delivery {
    if (!order.notify_url) return "none";
    const key = `trade:${order.mchid}:${order.out_trade_no}`;
    const signer = order.sp_mchid ?? order.mchid;
    if (order.version === 2) return notifier.sendV2({ key, mchid: signer, url: order.notify_url, body: v2PaymentNotification(order, options.v2Key(signer)) });
    return notifier.send({
      key,
      mchid: signer,
      url: order.notify_url,
      eventType: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      originalType: "transaction",
      resource: transactionView(order),
    });
  }

  function announceRefund(refund: SandboxRefund, order: SandboxOrder): Delivery {
    const url = refund.notify_url ?? order.notify_url;
    if (!url) return "none";
    const key = `refund:${refund.mchid}:${refund.out_refund_no}`;
    const signer = order.sp_mchid ?? order.mchid;
    if (refund.version === 2) return notifier.sendV2({ key, mchid: signer, url, body: v2RefundNotification(refund, order, options.v2Key(signer)) });
    const status = refund.status as Exclude<RefundStatus, "PROCESSING">;
    return notifier.send({
      key,
      mchid: signer,
      url,
      eventType: `REFUND.${status}`,
      summary: REFUND_SUMMARY[status],
      originalType: "refund",
      resource: {
        ...(order.sp_mchid ? { sp_mchid: order.sp_mchid, sub_mchid: order.mchid } : { mchid: order.mchid }),
        out_trade_no: refund.out_trade_no,
        transaction_id: refund.transaction_id,
        out_refund_no: refund.out_refund_no,
        refund_id: refund.refund_id,
        refund_status: status,
        ...(refund.success_time !== undefined ? { success_time: formatRfc3339(refund.success_time) } : {}),
        user_received_account: "支付用户零钱",
        amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
      },
    });
  }

  function markPaid(order: SandboxOrder, openid?: string): SandboxOrder {
    const now = state.businessNow();
    return withState(
      {
        ...order,
        transaction_id: newTransactionId(now),
        success_time: now,
        payer_openid: order.payer_openid ?? openid ?? sandboxOpenid(order.appid),
        ...(order.sub_appid && !order.sub_openid ? { sub_openid: sandboxOpenid(order.sub_appid) } : {}),
      },
      "SUCCESS",
    );
  }

  return {
    markPaid,
    isPayable,
    isExpired,
    transactionView,
    refundView,
    findOrder,

    prepay(merchant, tradeType, request, origin = {}) {
      if (!origin.sp_mchid) {
        if (request.mchid !== merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的mchid与Authorization中的mchid不一致");
        if (!merchant.appids.includes(request.appid))
          throw new WxpayApiError(400, "INVALID_REQUEST", "appid和mch_id不匹配", undefined, { code: "APPID_MCHID_NOT_MATCH", des: "appid和mch_id不匹配" });
      }
      const now = state.businessNow();
      const existing = state.order(request.mchid, request.out_trade_no);
      if (existing) {
        if (existing.trade_state === "SUCCESS" || existing.trade_state === "REFUND")
          throw new WxpayApiError(400, "ORDERPAID", "该订单已支付", undefined, { code: "ORDERPAID", des: "该订单已支付" });
        if (existing.trade_state === "CLOSED")
          throw new WxpayApiError(400, "ORDER_CLOSED", "订单已关闭", undefined, { code: "ORDERCLOSED", des: "该订单已关" });
        if (existing.fingerprint !== fingerprint(tradeType, request) || existing.sp_mchid !== origin.sp_mchid) {
          throw new WxpayApiError(400, "INVALID_REQUEST", "201 商户订单号重复", undefined, { code: "OUT_TRADE_NO_USED", des: "商户订单号重复" });
        }
        // time_expire can be set on the first prepay only; resending the same value is fine.
        if (request.time_expire !== undefined && request.time_expire !== existing.time_expire) {
          throw new WxpayApiError(400, "INVALID_REQUEST", "支付结束时间不允许修改", undefined, { code: "OUT_TRADE_NO_USED", des: "商户订单号重复" });
        }
        if (isExpired(existing))
          throw new WxpayApiError(400, "INVALID_REQUEST", "订单已超过支付结束时间，请使用新的商户订单号下单", undefined, {
            code: "ORDERCLOSED",
            des: "订单已超过支付结束时间",
          });
        // Same parameters again: WeChat hands out a fresh prepay_id for the same order.
        const refreshed = { ...existing, prepay_id: newPrepayId(now), notify_url: request.notify_url };
        state.putOrder(refreshed);
        return refreshed;
      }
      const order: SandboxOrder = withState(
        {
          ...origin,
          mchid: request.mchid,
          appid: request.appid,
          out_trade_no: request.out_trade_no,
          trade_type: tradeType,
          description: request.description,
          notify_url: request.notify_url,
          attach: request.attach,
          total: request.total,
          currency: request.currency,
          payer_openid: request.payer_openid,
          time_expire: request.time_expire,
          create_time: now,
          prepay_id: newPrepayId(now),
          trade_state: "NOTPAY",
          trade_state_desc: "",
          fingerprint: fingerprint(tradeType, request),
        },
        "NOTPAY",
      );
      state.putOrder(order);
      return order;
    },

    findOrderByTransactionId(mchid, transactionId) {
      const order = state.orderByTransactionId(mchid, transactionId);
      if (!order) throw new WxpayApiError(404, "ORDER_NOT_EXIST", "订单不存在");
      return order;
    },

    close(mchid, outTradeNo) {
      const order = findOrder(mchid, outTradeNo);
      if (order.trade_state === "SUCCESS" || order.trade_state === "REFUND")
        throw new WxpayApiError(400, "ORDERPAID", "订单已支付，不能关闭", undefined, { code: "ORDERPAID", des: "订单已支付，不能发起关单" });
      // A second close is refused as already closed, as the v3 and v2 close APIs document it.
      // @see https://pay.weixin.qq.com/doc/v3/merchant/4012556398 (400 ORDER_CLOSED)
      // @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3 (ORDERCLOSED)
      if (order.trade_state === "CLOSED")
        throw new WxpayApiError(400, "ORDER_CLOSED", "订单已关闭", undefined, { code: "ORDERCLOSED", des: "订单已关闭，无法重复关闭" });
      state.putOrder(withState(order, "CLOSED"));
    },

    refund(mchid, request, origin = {}) {
      const order = request.transaction_id ? state.orderByTransactionId(mchid, request.transaction_id) : state.order(mchid, request.out_trade_no!);
      if (!order || (request.out_trade_no && order.out_trade_no !== request.out_trade_no)) {
        throw new WxpayApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在", undefined, { code: "ORDERNOTEXIST", des: "订单不存在" });
      }
      const existing = state.refund(mchid, request.out_refund_no);
      if (existing) {
        // The same out_refund_no is one refund: a retry with the same content sees its current state.
        if (existing.out_trade_no !== order.out_trade_no || existing.refund !== request.refund || existing.total !== request.total) {
          throw new WxpayApiError(400, "INVALID_REQUEST", "退款单号已存在，但请求参数与原退款不一致", undefined, {
            code: "PARAM_ERROR",
            des: "订单金额或退款金额与之前请求不一致，请核实后再试",
          });
        }
        // WeChat de-duplicates; a provider that did not would pay again, so the sandbox counts every repeat.
        const repeated = { ...existing, requests: (existing.requests ?? 1) + 1 };
        state.putRefund(repeated);
        return repeated;
      }
      if (order.trade_state !== "SUCCESS" && order.trade_state !== "REFUND")
        throw new WxpayApiError(400, "INVALID_REQUEST", "订单未支付，不能退款", undefined, { code: "TRADE_STATE_ERROR", des: "订单状态错误" });
      if (request.total !== order.total)
        throw new WxpayApiError(400, "INVALID_REQUEST", "订单金额与原订单不一致", undefined, { code: "PARAM_ERROR", des: "订单金额total_fee与原订单不一致" });
      if (request.refund > order.total - committed(order)) {
        throw new WxpayApiError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额", undefined, {
          code: "PARAM_ERROR",
          des: "申请退款金额超过订单可退金额",
        });
      }
      const now = state.businessNow();
      const refund: SandboxRefund = {
        ...origin,
        ...(order.sp_mchid ? { sp_mchid: order.sp_mchid, sp_appid: order.sp_appid, sub_appid: order.sub_appid } : {}),
        mchid,
        out_refund_no: request.out_refund_no,
        refund_id: newRefundId(now),
        out_trade_no: order.out_trade_no,
        transaction_id: order.transaction_id!,
        reason: request.reason,
        notify_url: request.notify_url,
        refund: request.refund,
        total: order.total,
        currency: request.currency,
        status: "PROCESSING",
        create_time: now,
        requests: 1,
      };
      state.putRefund(refund);
      return refund;
    },

    findRefund(mchid, outRefundNo) {
      const refund = state.refund(mchid, outRefundNo);
      if (!refund) throw new WxpayApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在", undefined, { code: "REFUNDNOTEXIST", des: "退款订单查询失败" });
      return refund;
    },

    pay(mchid, outTradeNo, openid) {
      const order = controlOrder(mchid, outTradeNo);
      if (order.trade_state === "SUCCESS" || order.trade_state === "REFUND") throw new ControlError(409, "订单已支付");
      if (order.trade_state === "CLOSED") throw new ControlError(409, "订单已关闭");
      if (isExpired(order)) throw new ControlError(409, "订单已超过支付结束时间，无法支付");
      const paid = markPaid(order, openid);
      state.putOrder(paid);
      return { order: paid, notification: announcePaid(paid) };
    },

    fail(mchid, outTradeNo) {
      const order = controlOrder(mchid, outTradeNo);
      if (!isPayable(order)) throw new ControlError(409, `订单状态为 ${order.trade_state}，不能标记支付失败`);
      const failed = withState(order, "PAYERROR");
      state.putOrder(failed);
      return failed;
    },

    cancel(mchid, outTradeNo) {
      const order = controlOrder(mchid, outTradeNo);
      if (!["NOTPAY", "USERPAYING", "PAYERROR"].includes(order.trade_state)) throw new ControlError(409, `订单状态为 ${order.trade_state}，不能取消`);
      const closed = withState(order, "CLOSED");
      state.putOrder(closed);
      return closed;
    },

    settleRefund(mchid, outRefundNo, status) {
      const refund = state.refund(mchid, outRefundNo);
      if (!refund) throw new ControlError(404, `退款单不存在: ${outRefundNo}`);
      // ABNORMAL is not an end: WeChat holds the money until the merchant acts, then reports SUCCESS or CLOSED.
      // @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (退款申请: status ABNORMAL)
      const open = refund.status === "PROCESSING" || (refund.status === "ABNORMAL" && status !== "ABNORMAL");
      if (!open) throw new ControlError(409, `退款单已是 ${refund.status}`);
      const now = state.businessNow();
      const settled: SandboxRefund = { ...refund, status, ...(status === "SUCCESS" ? { success_time: now } : {}) };
      state.putRefund(settled);
      const order = state.order(mchid, refund.out_trade_no)!;
      if (status === "SUCCESS" && order.trade_state === "SUCCESS") state.putOrder(withState(order, "REFUND"));
      const notification = announceRefund(settled, order);
      return { refund: settled, notification };
    },

    applyAbnormalRefund(mchid, refundId, outRefundNo, apply) {
      const refund = state.refund(mchid, outRefundNo);
      if (!refund || refund.refund_id !== refundId) throw new WxpayApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
      if (refund.status !== "ABNORMAL") throw new WxpayApiError(400, "INVALID_REQUEST", `退款单状态为${refund.status}，不能发起异常退款`);
      const applied: SandboxRefund = { ...refund, status: "PROCESSING", abnormal_apply: apply };
      state.putRefund(applied);
      return applied;
    },

    poll(order) {
      if (order.trade_state !== "USERPAYING" || order.userpaying_polls === undefined) return order;
      const left = order.userpaying_polls - 1;
      let next: SandboxOrder = { ...order, userpaying_polls: left };
      // The payer finishes (or gives up) on the phone after a few of the merchant's queries.
      if (left <= 0)
        next =
          order.userpaying_outcome === "SUCCESS"
            ? markPaid({ ...next, userpaying_polls: undefined })
            : withState({ ...next, userpaying_polls: undefined }, "PAYERROR");
      state.putOrder(next);
      return next;
    },
  };
}
