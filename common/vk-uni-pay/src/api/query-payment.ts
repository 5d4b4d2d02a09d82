import type { PaymentStateAnswer } from "../../../vk-uni-pay-client/src/wire";
import { isPaid } from "../core/repository";
import { sleepOf } from "../core/deps";
import { formatTimeEnd } from "../core/beijing-time";
import { failures } from "../core/errors";
import { findOrder, findOrderFor, markClosed, OPEN_STATUSES, type Order } from "../core/orders";
import { respond, type Result } from "../core/result";
import type { TradeState } from "../kernel/contract";
import { applyReportedPayment, checkOutTradeNo, orderMerchant, productionDeps, requireProvider, type ApiDeps } from "./shared";

export interface QueryPaymentParams {
  out_trade_no: string;
  provider?: string;
  await_notify?: boolean;
  /** Seconds, 5 to 40 (vk-uni-pay's range); default 20. */
  await_max_time?: number;
  pay_order_info?: boolean;
  /** Only this user's order: the vk-pay routes pass the caller's verified uid. */
  user_id?: string;
}

/** The answer's one definition, shared with the client SDK's declarations (review finding D8), narrowed to this side's types. */
export type QueryPaymentData = PaymentStateAnswer<TradeState, Order>;

const POLL_MS = 250;

/** Asks the provider about an open order; a payment it reports is applied through the exactly-once path. */
export async function reconcileWithProvider(order: Order, deps: ApiDeps): Promise<void> {
  const provider = requireProvider(deps, order.provider);
  if (!provider.capabilities.query) return;
  const merchant = await orderMerchant(order, deps);
  const status = await provider.queryPayment({ ...merchant, outTradeNo: order.out_trade_no }, deps.runtime);
  if (status.state === "SUCCESS") await applyReportedPayment(order, status, deps);
  else if (status.state === "CLOSED") await markClosed(order._id, deps.now(), deps.db);
}

/** With `await_notify`, waits (bounded) until the paid hook has run, so the client can show its effect. */
async function awaitHook(outTradeNo: string, seconds: number, deps: ApiDeps): Promise<Order | undefined> {
  const deadline = deps.now() + seconds * 1000;
  const sleep = sleepOf(deps);
  let order = await findOrder(outTradeNo, deps.db);
  while (order && isPaid(order.status) && order.user_order_success === undefined && deps.now() < deadline) {
    await sleep(POLL_MS);
    order = await findOrder(outTradeNo, deps.db);
  }
  return order;
}

async function query(params: QueryPaymentParams, deps: ApiDeps): Promise<QueryPaymentData> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  let order = await findOrderFor(outTradeNo, params.user_id, deps.db);
  if (!order) throw failures.orderNotFound();
  if (OPEN_STATUSES.includes(order.status)) {
    await reconcileWithProvider(order, deps);
    order = (await findOrder(outTradeNo, deps.db)) ?? order;
  }
  if (params.await_notify === true && isPaid(order.status)) {
    const seconds = Math.min(40, Math.max(5, Number.isFinite(params.await_max_time) ? Number(params.await_max_time) : 20));
    order = (await awaitHook(outTradeNo, seconds, deps)) ?? order;
  }
  const paid = isPaid(order.status);
  return {
    trade_state: order.status,
    total_fee: order.total_fee,
    ...(paid && order.pay_date ? { time_end: formatTimeEnd(order.pay_date) } : {}),
    out_trade_no: order.out_trade_no,
    ...(order.provider ? { provider: order.provider } : {}),
    ...(order.pay_type ? { pay_type: order.pay_type } : {}),
    ...(order.transaction_id ? { transaction_id: order.transaction_id } : {}),
    orderPaid: paid,
    ...(order.user_order_success !== undefined ? { user_order_success: order.user_order_success } : {}),
    ...(params.pay_order_info === true ? { payOrder: order } : {}),
  };
}

/**
 * `vkPay.queryPayment`: the order's state, asking the provider when it is still open. A payment the
 * provider reports but no notification delivered is applied here, through the same path.
 */
export function queryPayment(params: QueryPaymentParams, deps: ApiDeps = productionDeps()): Promise<Result<QueryPaymentData>> {
  return respond("queryPayment", () => query(params, deps), deps.log);
}
