/**
 * The sandbox control API of SPEC §9 (JSON in and out): what the cashier page and the tests use to act
 * as the buyer, as the Alipay app, or on the sandbox itself.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import { dropResponseAction, type LostAnswers } from "../lost-answers";
import { openAppPayTrade } from "./app-pay";
import type { AppRegistry } from "./apps";
import type { AlipayCertRotation } from "./cert-rotation";
import type { Ledger } from "./ledger";
import type { Notifier } from "./notifier";
import type { OauthCodes } from "./oauth";
import type { AlipaySandboxState } from "./state";
import { formatBeijing } from "./time";
import { findSandboxTransfer } from "./transfers";
import { ControlError, type SandboxTrade } from "./types";

export interface ControlContext {
  state: AlipaySandboxState;
  ledger: Ledger;
  notifier: Notifier;
  codes: OauthCodes;
  registry: AppRegistry;
  rotation: AlipayCertRotation;
  lostAnswers: LostAnswers;
  defaultAppId: string;
  /** The certificate-mode app, the only one Alipay lets transfer. */
  transferAppId: string;
}

type Body = Record<string, unknown>;

function tradeOf(ctx: ControlContext, body: Body): SandboxTrade {
  // Acting on a precreate trade implies the buyer scanned its QR code first.
  return ctx.ledger.scan(ctx.ledger.controlTrade(text(body, "out_trade_no", true), text(body, "app_id", false)));
}

const summary = (trade: SandboxTrade) => ({ app_id: trade.app_id, out_trade_no: trade.out_trade_no, trade_no: trade.trade_no, trade_status: trade.status });

const ACTIONS: Record<string, ControlAction<ControlContext>> = {
  pay(ctx, body) {
    const trade = ctx.ledger.pay(tradeOf(ctx, body), { buyer_id: text(body, "buyer_id", false), buyer_open_id: text(body, "buyer_open_id", false) });
    return { ...summary(trade), notification: ctx.ledger.lastNotifyResult() };
  },
  fail(ctx, body) {
    return summary(ctx.ledger.fail(tradeOf(ctx, body), text(body, "reason", false) ?? "余额不足"));
  },
  cancel(ctx, body) {
    const trade = ctx.ledger.cancel(tradeOf(ctx, body));
    return { ...summary(trade), notification: ctx.ledger.lastNotifyResult() };
  },
  scan(ctx, body) {
    return summary(tradeOf(ctx, body));
  },
  "app-pay"(ctx, body) {
    return summary(openAppPayTrade(ctx, text(body, "orderInfo", true, 64 * 1024)));
  },
  /** How many refund requests each out_request_no of a trade received (a refund sent twice shows as 2). */
  "refund-requests"(ctx, body) {
    const trade = tradeOf(ctx, body);
    const refunds = ctx.state.refunds().filter((r) => r.app_id === trade.app_id && r.out_trade_no === trade.out_trade_no);
    return { refunds: refunds.map((refund) => ({ out_refund_no: refund.out_request_no, refund: refund.refund_fen, requests: refund.requests ?? 1 })) };
  },
  redeliver(ctx, body) {
    const outRequestNo = text(body, "out_request_no", false) ?? text(body, "out_refund_no", false);
    let key: string;
    if (outRequestNo) {
      const outTradeNo = text(body, "out_trade_no", false);
      const appId = text(body, "app_id", false);
      const refunds = ctx.state
        .refunds()
        .filter((r) => r.out_request_no === outRequestNo && (!outTradeNo || r.out_trade_no === outTradeNo) && (!appId || r.app_id === appId));
      if (refunds.length !== 1)
        throw new ControlError(
          refunds.length ? 400 : 404,
          refunds.length ? "several refunds match: give out_trade_no and app_id" : `退款不存在: ${outRequestNo}`,
        );
      key = `refund:${refunds[0].app_id}:${refunds[0].out_trade_no}:${outRequestNo}`;
    } else {
      const trade = ctx.ledger.controlTrade(text(body, "out_trade_no", true), text(body, "app_id", false));
      key = `trade:${trade.app_id}:${trade.out_trade_no}`;
    }
    const notification = ctx.notifier.redeliver(key);
    if (!notification) throw new ControlError(404, "no notification has been sent for it yet");
    return { notification };
  },
  drop: (ctx, body) => dropAction(ctx.notifier, body),
  /** `{ count, method? }`: the next `count` gateway calls (of `method`, e.g. alipay.fund.trans.uni.transfer) take effect and their answers are lost. */
  "drop-response": (ctx, body) => dropResponseAction(ctx.lostAnswers, { count: body.count, ...(body.method !== undefined ? { path: body.method } : {}) }),
  /** How many alipay.fund.trans.uni.transfer calls named `out_biz_no` (one transfer sent twice shows 2); Alipay paid it once. */
  "transfer-requests"(ctx, body) {
    const transfer = findSandboxTransfer(text(body, "app_id", false) ?? ctx.transferAppId, text(body, "out_biz_no", true));
    if (!transfer) throw new ControlError(404, "no such transfer");
    return { requests: transfer.requests, order_id: transfer.order_id, trans_fen: transfer.trans_fen, status: "SUCCESS" };
  },
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    const changed = ctx.ledger.settleDue().map(summary);
    return { now: formatBeijing(ctx.state.businessNow()), offset_seconds: ctx.state.clockOffsetSeconds, changed };
  },
  /** Certificate mode: Alipay signs with a new public-key certificate from now on; the old SN stays downloadable. */
  async "rotate-cert"(ctx) {
    const { sn, previous } = await ctx.rotation.rotate();
    return { alipay_cert_sn: sn, previous_alipay_cert_sn: previous };
  },
  /** How often a certificate was fetched with alipay.open.app.alipaycert.download. */
  "cert-downloads"(ctx, body) {
    const sn = text(body, "alipay_cert_sn", true, 64);
    return { alipay_cert_sn: sn, downloads: ctx.rotation.downloads(sn) };
  },
  "issue-code"(ctx, body) {
    const appId = text(body, "app_id", false) ?? ctx.defaultAppId;
    if (!ctx.registry.apps.has(appId)) throw new ControlError(404, `unknown app_id ${appId}`);
    return ctx.codes.issue({ appId, label: text(body, "label", false), user_id: text(body, "user_id", false), open_id: text(body, "open_id", false) });
  },
};

/** Serves `POST /__sandbox/alipay/<action>`; returns false when `action` is not a control action. */
export function serveControl(ctx: ControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(ACTIONS, ctx, action, req, res);
}
