import type { IncomingMessage, ServerResponse } from "node:http";
import { ControlError, dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import type { VkspayNotifier } from "./notifier";
import type { VkspaySandboxState } from "./state";

/** SPEC §9's control actions for the 易支付 stand-in: pay, fail, cancel, redeliver, drop and the business clock. */
export interface ControlContext {
  state: VkspaySandboxState;
  notifier: VkspayNotifier;
}

function unpaid(ctx: ControlContext, body: Record<string, unknown>) {
  const trade = ctx.state.trade(text(body, "out_trade_no", true, 64));
  if (!trade) throw new ControlError(404, "no such order");
  if (trade.status === 1) throw new ControlError(409, "the order is already paid");
  return trade;
}

const actions: Record<string, ControlAction<ControlContext>> = {
  pay(ctx, body) {
    const trade = ctx.state.trade(text(body, "out_trade_no", true, 64));
    if (!trade) throw new ControlError(404, "no such order");
    if (trade.status === 1) throw new ControlError(409, "the order is already paid");
    const paid = { ...trade, status: 1 as const, endtime: ctx.state.businessNow() };
    ctx.state.putTrade(paid);
    return { out_trade_no: paid.out_trade_no, trade_no: paid.trade_no, delivery: ctx.notifier.paid(paid) };
  },
  // 易支付 notifies only TRADE_SUCCESS: a failed or abandoned payment leaves the trade unpaid and sends nothing.
  fail: (ctx, body) => ({ out_trade_no: unpaid(ctx, body).out_trade_no, status: 0 }),
  cancel: (ctx, body) => ({ out_trade_no: unpaid(ctx, body).out_trade_no, status: 0 }),
  "refund-result"() {
    throw new ControlError(409, "易支付 refunds settle in the api.php answer; there is no asynchronous refund to settle");
  },
  redeliver(ctx, body) {
    const delivery = ctx.notifier.redeliver(text(body, "out_trade_no", true, 64));
    if (!delivery) throw new ControlError(404, "no notification was sent about it");
    return { delivery };
  },
  drop: (ctx, body) => dropAction(ctx.notifier, body),
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    return { clock_offset_seconds: ctx.state.clockOffsetSeconds };
  },
};

export function serveVkspayControl(ctx: ControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(actions, ctx, action, req, res);
}
