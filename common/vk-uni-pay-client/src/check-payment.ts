import { callRoute, envelopeFailure } from "./cloud";
import type { ClientContext } from "./context";
import { isDocumentVisible } from "./env";
import { cancelled, VkPayClientError } from "./errors";
import type { CreatedPayment, PaymentState, PayResult } from "./types";

/** Final states that will never become paid (vk-uni-pay stops polling on these). */
const NEVER_PAID: Record<string, string> = { CLOSED: "订单已关闭", REVOKED: "订单已撤销", PAYERROR: "支付失败" };
/** Answers that another query cannot change: the order or the login is wrong, not the timing. */
const FINAL_CODES = new Set([-1, 403, 404, 2001, 2006, 30202, 30203]);

export interface CheckOptions {
  awaitNotify?: boolean;
  /** Milliseconds before the first query: a moment after a native payment (200), at once for a QR code. */
  firstDelay: number;
  pollingTime?: number;
  pollingTimes?: number;
}

export function paidResult(created: Pick<CreatedPayment, "out_trade_no" | "provider" | "pay_type" | "total_fee">, state: PaymentState): PayResult {
  return {
    out_trade_no: created.out_trade_no,
    provider: created.provider,
    pay_type: created.pay_type,
    total_fee: state.total_fee ?? created.total_fee,
    orderPaid: true,
    trade_state: state.trade_state,
    ...(state.user_order_success !== undefined ? { user_order_success: state.user_order_success } : {}),
    ...(state.transaction_id ? { transaction_id: state.transaction_id } : {}),
  };
}

/**
 * Asks the server until the order is paid: a native "ok" is never taken on the platform's word. Polls every
 * `pollingTime` ms, skipping (and not counting) the polls while the page is hidden, and gives up after
 * `pollingTimes` queries; a closed or failed order ends it at once.
 */
export async function checkPayment(
  context: ClientContext,
  created: Pick<CreatedPayment, "out_trade_no" | "provider" | "pay_type" | "total_fee">,
  how: CheckOptions,
): Promise<PayResult> {
  const { host, options } = context;
  const interval = how.pollingTime ?? options.pollingTime ?? 1500;
  const limit = how.pollingTimes ?? options.pollingTimes ?? 120;
  const generation = context.generation;
  let delay = how.firstDelay;
  let queries = 0;
  for (;;) {
    await host.sleep(delay);
    delay = interval;
    if (context.generation !== generation) throw cancelled(created.out_trade_no, undefined, "已停止查询支付结果");
    if (!context.pageVisible || !isDocumentVisible(host)) continue;
    if (queries >= limit) {
      throw new VkPayClientError({ failType: "result", code: "timeout", msg: "未查询到支付结果，请稍后在订单中查看", out_trade_no: created.out_trade_no });
    }
    queries += 1;
    const reply = await callRoute(host, options, "pay/queryPayment", { out_trade_no: created.out_trade_no, await_notify: how.awaitNotify === true });
    if (reply.code !== 0) {
      if (reply.errCode !== "vk-pay-client-network" && FINAL_CODES.has(reply.code)) throw envelopeFailure("result", reply, created.out_trade_no);
      continue;
    }
    const state = reply.data as PaymentState;
    if (state?.orderPaid === true) return paidResult(created, state);
    const ended = NEVER_PAID[state?.trade_state];
    if (ended) throw new VkPayClientError({ failType: "result", code: state.trade_state, msg: ended, out_trade_no: created.out_trade_no, raw: state });
  }
}
