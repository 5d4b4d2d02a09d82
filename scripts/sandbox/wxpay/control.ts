/**
 * The sandbox control API of SPEC §9 (JSON in and out): what the cashier page and the tests use to act
 * as the payer, as WeChat's back office, or on the sandbox itself.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import { dropResponseAction, type LostAnswers } from "../lost-answers";
import type { Ledger } from "./ledger";
import type { Notifier } from "./notifier";
import type { PlatformCertificates } from "./platform";
import type { SnsCodes } from "./sns";
import type { WxpaySandboxState } from "./state";
import type { SandboxTransfers } from "./transfers";
import { formatRfc3339 } from "./time";
import { ControlError, type RefundStatus, type SignMode } from "./types";

export interface ControlContext {
  state: WxpaySandboxState;
  ledger: Ledger;
  notifier: Notifier;
  codes: SnsCodes;
  platform: PlatformCertificates;
  defaultMchid: string;
  transfers: SandboxTransfers;
  lostAnswers: LostAnswers;
}

const confirmTransfer: ControlAction<ControlContext> = (ctx, body) => {
  const bill = ctx.transfers.settleByPayee(text(body, "mchid", false) ?? ctx.defaultMchid, text(body, "out_bill_no", true), true);
  return { state: bill.state };
};

const rejectTransfer: ControlAction<ControlContext> = (ctx, body) => {
  const bill = ctx.transfers.settleByPayee(text(body, "mchid", false) ?? ctx.defaultMchid, text(body, "out_bill_no", true), false);
  return { state: bill.state, fail_reason: bill.fail_reason };
};

const ACTIONS: Record<string, ControlAction<ControlContext>> = {
  pay(ctx, body) {
    const { order, notification } = ctx.ledger.pay(
      text(body, "mchid", false) ?? ctx.defaultMchid,
      text(body, "out_trade_no", true),
      text(body, "openid", false),
    );
    return { trade_state: order.trade_state, transaction_id: order.transaction_id, notification };
  },
  fail(ctx, body) {
    return { trade_state: ctx.ledger.fail(text(body, "mchid", false) ?? ctx.defaultMchid, text(body, "out_trade_no", true)).trade_state };
  },
  cancel(ctx, body) {
    return { trade_state: ctx.ledger.cancel(text(body, "mchid", false) ?? ctx.defaultMchid, text(body, "out_trade_no", true)).trade_state };
  },
  "refund-result"(ctx, body) {
    const status = body.status;
    if (status !== "SUCCESS" && status !== "ABNORMAL" && status !== "CLOSED") throw new ControlError(400, "status must be SUCCESS, ABNORMAL or CLOSED");
    const { refund, notification } = ctx.ledger.settleRefund(
      text(body, "mchid", false) ?? ctx.defaultMchid,
      text(body, "out_refund_no", true),
      status as Exclude<RefundStatus, "PROCESSING">,
    );
    return { status: refund.status, refund_id: refund.refund_id, notification };
  },
  /** How many refund requests each out_refund_no of an order received (a refund sent twice shows as 2). */
  "refund-requests"(ctx, body) {
    const mchid = text(body, "mchid", false) ?? ctx.defaultMchid;
    const refunds = ctx.state.refundsOf(mchid, text(body, "out_trade_no", true));
    return {
      refunds: refunds.map((refund) => ({
        out_refund_no: refund.out_refund_no,
        refund: refund.refund,
        status: refund.status,
        requests: refund.requests ?? 1,
        ...(refund.abnormal_apply ? { abnormal_apply: refund.abnormal_apply } : {}),
      })),
    };
  },
  redeliver(ctx, body) {
    const mchid = text(body, "mchid", false) ?? ctx.defaultMchid;
    const outTradeNo = text(body, "out_trade_no", false);
    const outRefundNo = text(body, "out_refund_no", false);
    const outBillNo = text(body, "out_bill_no", false);
    if ([outTradeNo, outRefundNo, outBillNo].filter(Boolean).length !== 1)
      throw new ControlError(400, "give exactly one of out_trade_no, out_refund_no and out_bill_no");
    const notification = ctx.notifier.redeliver(
      outTradeNo ? `trade:${mchid}:${outTradeNo}` : outRefundNo ? `refund:${mchid}:${outRefundNo}` : `transfer:${mchid}:${outBillNo}`,
    );
    if (!notification) throw new ControlError(404, "no notification has been sent for it yet");
    return { notification };
  },
  drop: (ctx, body) => dropAction(ctx.notifier, body),
  /** `{ count, path? }`: the next `count` v3 requests (to paths containing `path`) are carried out and their answers lost. */
  "drop-response": (ctx, body) => dropResponseAction(ctx.lostAnswers, body),
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    const expired = ctx.state.orders().filter((order) => ["NOTPAY", "USERPAYING", "PAYERROR"].includes(order.trade_state) && ctx.ledger.isExpired(order));
    // Transfer bills unconfirmed for 24 hours close as FAIL / OVERDUE_CLOSE, with their notification.
    const closedTransfers = ctx.transfers.expire();
    return {
      now: formatRfc3339(ctx.state.businessNow()),
      offset_seconds: ctx.state.clockOffsetSeconds,
      expired: expired.map((order) => order.out_trade_no),
      closed_transfers: closedTransfers,
    };
  },
  /** The payee confirms receipt on WeChat's confirmation page: the bill becomes SUCCESS (SPEC §9's `confirm`). */
  confirm: confirmTransfer,
  "transfer-confirm": confirmTransfer,
  /** The payee declines: the bill becomes FAIL and the money goes back (SPEC §9's `reject`). */
  reject: rejectTransfer,
  "transfer-reject": rejectTransfer,
  /** Moves a waiting bill to another non-final state (`state`: ACCEPTED, PROCESSING, WAIT_USER_CONFIRM or TRANSFERING). */
  "transfer-state"(ctx, body) {
    const state = text(body, "state", true) as Parameters<SandboxTransfers["setPendingState"]>[2];
    const bill = ctx.transfers.setPendingState(text(body, "mchid", false) ?? ctx.defaultMchid, text(body, "out_bill_no", true), state);
    return { state: bill.state };
  },
  /** The state new transfer bills start in (`state`: ACCEPTED, PROCESSING or WAIT_USER_CONFIRM, the default). */
  "transfer-initial-state"(ctx, body) {
    const state = text(body, "state", true) as Parameters<SandboxTransfers["setInitialState"]>[0];
    ctx.transfers.setInitialState(state);
    return { state };
  },
  /** How many transfer requests named `out_bill_no` (one bill sent twice shows 2), its state, and whom it is for. */
  "transfer-requests"(ctx, body) {
    const bill = ctx.transfers.find(text(body, "mchid", false) ?? ctx.defaultMchid, { outBillNo: text(body, "out_bill_no", true) });
    return {
      requests: bill.requests,
      state: bill.state,
      transfer_bill_no: bill.transfer_bill_no,
      appid: bill.appid,
      sub_mchid: bill.sub_mchid ?? null,
      user_name: bill.user_name ?? null,
      notify_url: bill.notify_url ?? null,
    };
  },
  "issue-code"(ctx, body) {
    return ctx.codes.issue({ openid: text(body, "openid", false), unionid: text(body, "unionid", false), appid: text(body, "appid", false) });
  },
  /** `answer`: "ORDERPAID" (default) or "NO_CONTENT", how a v3 close of a paid order is answered. */
  "close-paid-answer"(ctx, body) {
    const answer = body.answer;
    if (answer !== "ORDERPAID" && answer !== "NO_CONTENT") throw new ControlError(400, "answer must be ORDERPAID or NO_CONTENT");
    const mchid = text(body, "mchid", false) ?? ctx.defaultMchid;
    ctx.state.setClosePaidAnswer(mchid, answer);
    return { mchid, answer };
  },
  "sign-mode"(ctx, body) {
    const mode = body.sign_mode;
    if (mode !== "certificate" && mode !== "public_key") throw new ControlError(400, "sign_mode must be certificate or public_key");
    const mchid = text(body, "mchid", false) ?? ctx.defaultMchid;
    ctx.state.setSignMode(mchid, mode as SignMode);
    return { mchid, sign_mode: mode };
  },
  /** A new platform certificate signs from now on; the old one stays listed in /v3/certificates until retired. */
  async "rotate-platform-certificate"(ctx) {
    const previous = ctx.platform.current().serial;
    const current = await ctx.platform.rotate();
    return { serial_no: current.serial, previous_serial_no: previous, listed: ctx.platform.listed().map((cert) => cert.serial) };
  },
  /** Ends the switch period: `serial_no`, or every certificate but the current one, leaves /v3/certificates. */
  "retire-platform-certificate"(ctx, body) {
    const serial = text(body, "serial_no", false);
    if (serial === ctx.platform.current().serial) throw new ControlError(409, "the current platform certificate cannot be retired; rotate first");
    const retired = ctx.platform.retire(serial);
    if (serial !== undefined && retired.length === 0) throw new ControlError(404, `no listed platform certificate ${serial}`);
    return { retired, listed: ctx.platform.listed().map((cert) => cert.serial) };
  },
};

/** Serves `POST /__sandbox/wxpay/<action>`; returns false when `action` is not a control action. */
export function serveControl(ctx: ControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(ACTIONS, ctx, action, req, res);
}
