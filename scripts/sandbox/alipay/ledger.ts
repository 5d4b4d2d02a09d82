/**
 * The sandbox's bookkeeping of trades and refunds: what Alipay decides when a merchant or a buyer acts,
 * and which state changes it notifies. Callers turn thrown OpenApiError / ControlError into replies.
 * @see https://opendocs.alipay.com/open/194/103296 (交易状态与异步通知触发条件)
 */
import type { AppRegistry } from "./apps";
import { newTradeNo, newNotifyId, sandboxBuyer } from "./ids";
import { formatYuan } from "./money";
import type { Notifier } from "./notifier";
import { signRsa2 } from "./sign";
import type { AlipaySandboxState } from "./state";
import { formatBeijing } from "./time";
import { businessFailed, ControlError, type PendingPayCode, type SandboxRefund, type SandboxTrade, type TradeOrigin, type TradeStatus } from "./types";
import type { TradeRequest } from "./validate";

const DAY = 24 * 3600 * 1000;
/** After this long a paid trade can no longer be refunded and becomes TRADE_FINISHED (3 months by default). */
export const REFUNDABLE_MS = 90 * DAY;
/** A pending pay-code trade settles on this many queries (the buyer confirming, or giving up, on the phone). */
const PAY_CODE_QUERIES = 2;
/** The merchant's account balance before any sandbox trade, in fen. */
const OPENING_BALANCE_FEN = 1_000_000;

/**
 * Which trade states are notified: 当面付 (FACE_TO_FACE_PAYMENT) notifies TRADE_SUCCESS only; App pay
 * also TRADE_CLOSED and TRADE_FINISHED. Mini-program JSAPI pay is treated like App pay (an assumption:
 * the mini-program notification page does not list its triggers).
 */
export function isNotified(productCode: string, status: TradeStatus): boolean {
  if (status === "WAIT_BUYER_PAY") return false;
  return productCode === "FACE_TO_FACE_PAYMENT" ? status === "TRADE_SUCCESS" : true;
}

const fingerprint = (origin: TradeOrigin, request: TradeRequest) =>
  JSON.stringify([origin, request.total_fen, request.subject, request.product_code, request.buyer_id ?? null, request.buyer_open_id ?? null]);

export interface TradeIds {
  out_trade_no?: string;
  trade_no?: string;
}

export interface RefundOutcome {
  trade: SandboxTrade;
  refund: SandboxRefund;
  /** false for a repeated request: no money moved this time (`fund_change: "N"`). */
  fundChange: boolean;
}

export type NotifyResult = "queued" | "dropped" | "not-sent";

export type Ledger = ReturnType<typeof createLedger>;

export function createLedger(options: { state: AlipaySandboxState; notifier: Notifier; registry: AppRegistry }) {
  const { state, notifier, registry } = options;

  let lastNotify: NotifyResult = "not-sent";
  const sign = (appId: string) => (content: string) => signRsa2(content, registry.apps.get(appId)!.alipayPrivateKey);

  function buyerOf(trade: SandboxTrade) {
    const fallback = sandboxBuyer(trade.app_id);
    return { user_id: trade.buyer_id ?? (trade.buyer_open_id ? undefined : fallback.user_id), open_id: trade.buyer_open_id, logon_id: fallback.logon_id };
  }

  /** The amounts every paid view carries: no discounts in the sandbox, so everything equals the total. */
  function paidAmounts(trade: SandboxTrade): Record<string, string> {
    const paid = trade.pay_time !== undefined;
    const value = formatYuan(paid ? trade.total_fen : 0);
    return { buyer_pay_amount: value, point_amount: "0.00", invoice_amount: value, receipt_amount: value };
  }

  /** A form notification for the trade's current state, with `extra` (refund fields) on top. */
  function notify(trade: SandboxTrade, extra: Record<string, string> = {}, refundKey?: string): NotifyResult {
    lastNotify = send(trade, extra, refundKey);
    return lastNotify;
  }

  function send(trade: SandboxTrade, extra: Record<string, string>, refundKey: string | undefined): NotifyResult {
    if (!trade.notify_url || !isNotified(trade.product_code, trade.status)) return "not-sent";
    const now = state.businessNow();
    const buyer = buyerOf(trade);
    const params: Record<string, string> = {
      notify_time: formatBeijing(now),
      notify_type: "trade_status_sync",
      notify_id: newNotifyId(now),
      charset: "utf-8",
      version: "1.0",
      app_id: trade.app_id,
      auth_app_id: trade.app_id,
      trade_no: trade.trade_no,
      out_trade_no: trade.out_trade_no,
      trade_status: trade.status,
      total_amount: formatYuan(trade.total_fen),
      subject: trade.subject,
      seller_id: registry.sellerId,
      buyer_logon_id: buyer.logon_id,
      gmt_create: formatBeijing(trade.create_time),
      ...paidAmounts(trade),
      ...extra,
    };
    if (trade.body) params.body = trade.body;
    if (buyer.user_id) params.buyer_id = buyer.user_id;
    if (buyer.open_id) params.buyer_open_id = buyer.open_id;
    if (trade.passback_params) params.passback_params = trade.passback_params;
    if (trade.pay_time !== undefined) {
      params.gmt_payment = formatBeijing(trade.pay_time);
      params.fund_bill_list = JSON.stringify([{ amount: formatYuan(trade.total_fen), fundChannel: "ALIPAYACCOUNT" }]);
    }
    if (trade.close_time !== undefined) params.gmt_close = formatBeijing(trade.close_time);
    const keys = [`trade:${trade.app_id}:${trade.out_trade_no}`, ...(refundKey ? [refundKey] : [])];
    return notifier.send(keys, trade.notify_url, params, sign(trade.app_id));
  }

  function put(trade: SandboxTrade): SandboxTrade {
    state.putTrade(trade);
    return trade;
  }

  /** Applies what time did: unpaid trades past their expiry close, paid ones past the refund period finish. */
  function refresh(trade: SandboxTrade): SandboxTrade {
    const now = state.businessNow();
    if (trade.status === "WAIT_BUYER_PAY" && now > trade.expire_time) {
      const closed = put({ ...trade, status: "TRADE_CLOSED", close_time: trade.expire_time, pending_pay_code: undefined });
      if (closed.scanned) notify(closed);
      return closed;
    }
    if (trade.status === "TRADE_SUCCESS" && trade.pay_time !== undefined && now > trade.pay_time + REFUNDABLE_MS) {
      const finished = put({ ...trade, status: "TRADE_FINISHED" });
      notify(finished);
      return finished;
    }
    return trade;
  }

  /** A trade as the merchant API sees it: a precreate trade nobody scanned does not exist yet. */
  function find(appId: string, ids: TradeIds): SandboxTrade {
    const trade = ids.out_trade_no ? state.trade(appId, ids.out_trade_no) : state.tradeByTradeNo(appId, ids.trade_no!);
    if (!trade || !trade.scanned || (ids.trade_no && trade.trade_no !== ids.trade_no)) throw businessFailed("ACQ.TRADE_NOT_EXIST", "交易不存在");
    return refresh(trade);
  }

  function markPaid(trade: SandboxTrade, buyer: { buyer_id?: string; buyer_open_id?: string } = {}): SandboxTrade {
    const withBuyer =
      trade.buyer_id || trade.buyer_open_id ? {} : buyer.buyer_id || buyer.buyer_open_id ? buyer : { buyer_id: sandboxBuyer(trade.app_id).user_id };
    const paid = put({
      ...trade,
      ...withBuyer,
      status: "TRADE_SUCCESS",
      pay_time: state.businessNow(),
      pending_pay_code: undefined,
      queries_left: undefined,
      last_error: undefined,
    });
    notify(paid);
    return paid;
  }

  /** Opens (or re-opens with the same parameters) a trade for precreate, create or App pay. */
  function open(appId: string, origin: Exclude<TradeOrigin, "pay">, request: TradeRequest): SandboxTrade {
    const now = state.businessNow();
    const existing = state.trade(appId, request.out_trade_no);
    if (existing) {
      const current = refresh(existing);
      if (current.status === "TRADE_SUCCESS" || current.status === "TRADE_FINISHED") throw businessFailed("ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
      if (current.status === "TRADE_CLOSED" && current.scanned) throw businessFailed("ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
      if (current.status === "WAIT_BUYER_PAY" && current.fingerprint === fingerprint(origin, request)) {
        return put({ ...current, notify_url: request.notify_url ?? current.notify_url });
      }
      if (current.status === "WAIT_BUYER_PAY" || current.origin !== origin) throw businessFailed("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
    }
    return put({
      app_id: appId,
      out_trade_no: request.out_trade_no,
      trade_no: newTradeNo(now),
      origin,
      product_code: request.product_code,
      subject: request.subject,
      body: request.body,
      total_fen: request.total_fen,
      notify_url: request.notify_url,
      passback_params: request.passback_params,
      buyer_id: request.buyer_id,
      buyer_open_id: request.buyer_open_id,
      status: "WAIT_BUYER_PAY",
      // Alipay creates a precreate trade when the buyer scans the code, the others at once.
      scanned: origin !== "precreate",
      create_time: now,
      expire_time: request.expire_time,
      refunded_fen: 0,
      fingerprint: fingerprint(origin, request),
      biz: request.biz,
    } as SandboxTrade);
  }

  return {
    /** The business clock: expiries given by the merchant are measured on it. */
    now: () => state.businessNow(),
    find,
    refresh,
    open,
    notify,
    /** What became of the last notification the ledger decided on (for control replies). */
    lastNotifyResult: () => lastNotify,
    buyerOf,
    paidAmounts,

    /** alipay.trade.pay: the outcome follows the auth code (see AUTH_CODES in methods). */
    payWithCode(appId: string, request: TradeRequest, plan: "pay" | PendingPayCode): SandboxTrade {
      const existing = state.trade(appId, request.out_trade_no);
      if (existing) {
        const current = refresh(existing);
        if (current.status === "TRADE_SUCCESS" || current.status === "TRADE_FINISHED") throw businessFailed("ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
        if (current.status === "TRADE_CLOSED") throw businessFailed("ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
        if (current.fingerprint !== fingerprint("pay", request)) throw businessFailed("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
        return current;
      }
      const now = state.businessNow();
      const buyer = sandboxBuyer(appId);
      const trade = put({
        app_id: appId,
        out_trade_no: request.out_trade_no,
        trade_no: newTradeNo(now),
        origin: "pay",
        product_code: request.product_code,
        subject: request.subject,
        body: request.body,
        total_fen: request.total_fen,
        notify_url: request.notify_url,
        buyer_id: buyer.user_id,
        status: "WAIT_BUYER_PAY",
        scanned: true,
        create_time: now,
        expire_time: request.expire_time,
        refunded_fen: 0,
        fingerprint: fingerprint("pay", request),
        ...(plan === "pay" ? {} : { pending_pay_code: plan, queries_left: PAY_CODE_QUERIES }),
        biz: request.biz,
      } as SandboxTrade);
      return plan === "pay" ? markPaid(trade) : trade;
    },

    /** alipay.trade.query: a pending pay-code trade settles once the merchant has asked often enough. */
    query(appId: string, ids: TradeIds): SandboxTrade {
      const trade = find(appId, ids);
      // A buyer who never answers the phone: only the merchant's cancel (or control) ends the trade.
      if (trade.status !== "WAIT_BUYER_PAY" || !trade.pending_pay_code || trade.pending_pay_code === "ignore") return trade;
      const left = (trade.queries_left ?? 1) - 1;
      if (left > 0) return put({ ...trade, queries_left: left });
      if (trade.pending_pay_code === "confirm") return markPaid(trade);
      const closed = put({
        ...trade,
        status: "TRADE_CLOSED",
        close_time: state.businessNow(),
        pending_pay_code: undefined,
        queries_left: undefined,
        last_error: "买家未确认付款",
      });
      notify(closed);
      return closed;
    },

    /** alipay.trade.close: only a trade waiting for payment can be closed. */
    close(appId: string, ids: TradeIds): SandboxTrade {
      const trade = find(appId, ids);
      if (trade.status !== "WAIT_BUYER_PAY") throw businessFailed("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
      const closed = put({ ...trade, status: "TRADE_CLOSED", close_time: state.businessNow(), pending_pay_code: undefined, queries_left: undefined });
      notify(closed);
      return closed;
    },

    /**
     * alipay.trade.cancel (pay code): an unpaid trade is closed for good, so a buyer confirming later is
     * refused (action=close); a paid one is refunded in full (action=refund); a closed one stays closed.
     *
     * @see https://opendocs.alipay.com/open/02ekfr (alipay.trade.cancel; formerly docs.open.alipay.com/api_1/alipay.trade.cancel)
     */
    merchantCancel(appId: string, ids: TradeIds): { trade: SandboxTrade; action: "close" | "refund" } {
      const trade = find(appId, ids);
      if (trade.status === "TRADE_FINISHED") throw businessFailed("ACQ.REASON_TRADE_BEEN_FREEZEN", "交易已完结，不能撤销");
      if (trade.status === "TRADE_SUCCESS") {
        const left = trade.total_fen - trade.refunded_fen;
        const { trade: refunded } = this.refund(appId, ids, { refund_fen: left, out_request_no: `cancel-${trade.trade_no}`, reason: "撤销" });
        return { trade: refunded, action: "refund" };
      }
      if (trade.status === "TRADE_CLOSED") return { trade, action: trade.refunded_fen > 0 ? "refund" : "close" };
      const closed = put({
        ...trade,
        status: "TRADE_CLOSED",
        close_time: state.businessNow(),
        pending_pay_code: undefined,
        queries_left: undefined,
        last_error: "交易已撤销",
      });
      notify(closed);
      return { trade: closed, action: "close" };
    },

    /**
     * alipay.trade.refund, synchronous: partial and repeated refunds up to the total; the same
     * out_request_no with the same amount is the same refund (no money moves again).
     */
    refund(appId: string, ids: TradeIds, request: { refund_fen: number; out_request_no?: string; reason?: string }): RefundOutcome {
      const trade = find(appId, ids);
      const outRequestNo = request.out_request_no ?? trade.trade_no;
      const existing = state.refund(appId, trade.out_trade_no, outRequestNo);
      if (existing) {
        if (existing.refund_fen !== request.refund_fen) throw businessFailed("ACQ.DISCORDANT_REPEAT_REQUEST", "不一致的请求");
        // Alipay de-duplicates; a provider that did not would pay again, so the sandbox counts every repeat.
        const repeated = { ...existing, requests: (existing.requests ?? 1) + 1 };
        state.putRefund(repeated);
        return { trade, refund: repeated, fundChange: false };
      }
      if (trade.status === "WAIT_BUYER_PAY") throw businessFailed("ACQ.TRADE_STATUS_ERROR", "交易状态非法");
      if (trade.status === "TRADE_FINISHED") throw businessFailed("ACQ.TRADE_HAS_FINISHED", "交易已完结");
      if (trade.status === "TRADE_CLOSED") {
        if (trade.refunded_fen > 0) throw businessFailed("ACQ.TRADE_HAS_CLOSE", "交易已关闭");
        throw businessFailed("ACQ.TRADE_STATUS_ERROR", "交易状态非法");
      }
      if (request.refund_fen < 1) throw businessFailed("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效");
      // A partial refund needs its own out_request_no; without one only the whole amount can go back.
      if (!request.out_request_no && request.refund_fen !== trade.total_fen) throw businessFailed("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
      if (trade.refunded_fen + request.refund_fen > trade.total_fen) throw businessFailed("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
      const now = state.businessNow();
      const refund: SandboxRefund = {
        app_id: appId,
        out_trade_no: trade.out_trade_no,
        trade_no: trade.trade_no,
        out_request_no: outRequestNo,
        refund_fen: request.refund_fen,
        reason: request.reason,
        refund_time: now,
        requests: 1,
      };
      state.putRefund(refund);
      const refunded = trade.refunded_fen + request.refund_fen;
      // A full refund closes the trade; a partial one leaves it TRADE_SUCCESS (and is notified as such).
      const updated = put({ ...trade, refunded_fen: refunded, ...(refunded === trade.total_fen ? { status: "TRADE_CLOSED" as const, close_time: now } : {}) });
      notify(
        updated,
        { refund_fee: formatYuan(refunded), gmt_refund: `${formatBeijing(now)}.000`, out_biz_no: outRequestNo },
        `refund:${appId}:${trade.out_trade_no}:${outRequestNo}`,
      );
      return { trade: updated, refund, fundChange: true };
    },

    refundsOf: (trade: SandboxTrade) => state.refunds().filter((r) => r.app_id === trade.app_id && r.out_trade_no === trade.out_trade_no),

    /** The merchant's balance: an opening amount plus what was paid minus what was refunded. */
    balanceFen(): number {
      const paid = state
        .trades()
        .filter((t) => t.pay_time !== undefined)
        .reduce((sum, t) => sum + t.total_fen, 0);
      const refunded = state.refunds().reduce((sum, r) => sum + r.refund_fen, 0);
      return OPENING_BALANCE_FEN + paid - refunded;
    },

    // ------------------------------------------------------------------ control (the buyer, Alipay itself)

    /** Finds a trade by out_trade_no across apps; `app_id` settles ambiguity. */
    controlTrade(outTradeNo: string, appId?: string): SandboxTrade {
      const matches = state.trades().filter((t) => t.out_trade_no === outTradeNo && (!appId || t.app_id === appId));
      if (matches.length === 0) throw new ControlError(404, `订单不存在: ${outTradeNo}`);
      if (matches.length > 1) throw new ControlError(400, `several apps have ${outTradeNo}: give app_id`);
      return refresh(matches[0]);
    },

    /** The buyer scans the precreate QR code: from now on the trade exists at Alipay. */
    scan(trade: SandboxTrade): SandboxTrade {
      if (trade.scanned || trade.status !== "WAIT_BUYER_PAY") return trade;
      return put({ ...trade, scanned: true, create_time: state.businessNow() });
    },

    pay(trade: SandboxTrade, buyer: { buyer_id?: string; buyer_open_id?: string }): SandboxTrade {
      if (trade.status === "TRADE_SUCCESS" || trade.status === "TRADE_FINISHED") throw new ControlError(409, "交易已被支付");
      if (trade.status === "TRADE_CLOSED") throw new ControlError(409, "交易已关闭");
      return markPaid(trade, buyer);
    },

    /** A failed attempt (e.g. 余额不足): Alipay keeps the trade open for another try. */
    fail(trade: SandboxTrade, reason: string): SandboxTrade {
      if (trade.status !== "WAIT_BUYER_PAY") throw new ControlError(409, `交易状态为 ${trade.status}，不能标记支付失败`);
      return put({ ...trade, last_error: reason, pending_pay_code: undefined, queries_left: undefined });
    },

    cancel(trade: SandboxTrade): SandboxTrade {
      if (trade.status !== "WAIT_BUYER_PAY") throw new ControlError(409, `交易状态为 ${trade.status}，不能取消`);
      const closed = put({ ...trade, status: "TRADE_CLOSED", close_time: state.businessNow(), pending_pay_code: undefined, queries_left: undefined });
      notify(closed);
      return closed;
    },

    /** Closes expired and finishes old trades now (after a `clock` advance) and lists what changed. */
    settleDue(): SandboxTrade[] {
      const changed: SandboxTrade[] = [];
      for (const trade of state.trades()) {
        const after = refresh(trade);
        if (after.status !== trade.status) changed.push(after);
      }
      return changed;
    },
  };
}
