import type { IncomingMessage, ServerResponse } from "node:http";
import { ControlError, dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import type { HuaweiSandboxKeys } from "./keys";
import type { HuaweiNotifier } from "./notifier";
import type { HuaweiSandboxState } from "./state";
import { huaweiFinishTime } from "./time";

/**
 * SPEC §9's control actions for Huawei: the buyer pays (`pay`) or the payment fails (`fail`) in the
 * HarmonyOS cashier or the buyer leaves it (`cancel`), a refund finishes (`refund-result`, SUCCESS by default), the last callback about an
 * order or refund is sent again (`redeliver`), the next ones are lost (`drop`), the business clock moves.
 */
export interface ControlContext {
  state: HuaweiSandboxState;
  notifier: HuaweiNotifier;
  keys: HuaweiSandboxKeys;
}

function openTrade(ctx: ControlContext, body: Record<string, unknown>) {
  const trade = ctx.state.trade(text(body, "out_trade_no", true, 64));
  if (!trade) throw new ControlError(404, "no such order");
  if (trade.orderStatus === "TRX_SUCCESS" || trade.orderStatus === "TRX_FAILED") throw new ControlError(409, `the order is already ${trade.orderStatus}`);
  return trade;
}

const actions: Record<string, ControlAction<ControlContext>> = {
  pay(ctx, body) {
    const trade = openTrade(ctx, body);
    const now = ctx.state.businessNow();
    const paid = {
      ...trade,
      orderStatus: "TRX_SUCCESS" as const,
      sysTransOrderNo: `4${now}${String(ctx.state.nextSequence()).padStart(6, "0")}`,
      finishTime: huaweiFinishTime(now),
    };
    ctx.state.putTrade(paid);
    return { out_trade_no: paid.mercOrderNo, transaction_id: paid.sysTransOrderNo, delivery: ctx.notifier.payment(paid) };
  },
  fail(ctx, body) {
    const trade = openTrade(ctx, body);
    const failed = { ...trade, orderStatus: "TRX_FAILED" as const, finishTime: huaweiFinishTime(ctx.state.businessNow()) };
    ctx.state.putTrade(failed);
    return { out_trade_no: failed.mercOrderNo, delivery: ctx.notifier.payment(failed) };
  },
  "refund-result"(ctx, body) {
    const outRefundNo = text(body, "out_refund_no", true, 64);
    const refund = ctx.state.refundByMercNo(outRefundNo);
    if (!refund) throw new ControlError(404, "no such refund");
    if (refund.refundOrderStatus !== "REFUND_CHL_PROC") throw new ControlError(409, `the refund is already ${refund.refundOrderStatus}`);
    // SPEC §9 names CLOSED; Huawei's own word for a refund that did not go through is REFUND_FAILED. It has no ABNORMAL.
    const status = text(body, "status", false, 16) ?? "SUCCESS";
    if (status !== "SUCCESS" && status !== "FAILED" && status !== "CLOSED")
      throw new ControlError(400, "status must be SUCCESS, CLOSED or FAILED (Huawei has no ABNORMAL)");
    const refundOrderStatus = status === "SUCCESS" ? ("REFUND_SUCCESS" as const) : ("REFUND_FAILED" as const);
    const settled = { ...refund, refundOrderStatus, finishTime: huaweiFinishTime(ctx.state.businessNow()) };
    ctx.state.putRefund(settled);
    return { out_refund_no: outRefundNo, refund_id: settled.sysRefundOrderNo, delivery: ctx.notifier.refund(settled, ctx.keys.mchId) };
  },
  // The buyer closes the HarmonyOS cashier: Huawei sends no callback, and the preorder stays open until its prepayId expires.
  cancel(ctx, body) {
    const trade = openTrade(ctx, body);
    return { out_trade_no: trade.mercOrderNo, order_status: trade.orderStatus };
  },
  redeliver(ctx, body) {
    const key = text(body, "out_refund_no", false, 64) ?? text(body, "out_trade_no", true, 64);
    const delivery = ctx.notifier.redeliver(key);
    if (!delivery) throw new ControlError(404, "no callback was sent about it");
    return { delivery };
  },
  drop: (ctx, body) => dropAction(ctx.notifier, body),
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    return { clock_offset_seconds: ctx.state.clockOffsetSeconds };
  },
};

export function serveHuaweiControl(ctx: ControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(actions, ctx, action, req, res);
}
