import { runPaidHook, runRefundedHook, runRefundReversedHook, type HookOutcome, type RefundHookOutcome } from "../core/hooks";
import { findOrder } from "../core/orders";

import { respond, type Result } from "../core/result";
import { ConfigError, failures } from "../core/errors";
import { checkOutTradeNo, productionDeps, type ApiDeps } from "./shared";
import { COLLECTIONS } from "../core/repository";
import { retryTransferHook, type TransferHookRetryData } from "./transfer-follow-up";

export interface RetryHooksData {
  out_trade_no: string;
  paid: HookOutcome;
  refunded: Record<string, RefundHookOutcome>;
  /** Refunds the provider took back, whose `refundReversed` hook had not completed. */
  refundReversed: Record<string, RefundHookOutcome>;
}

async function retry(params: { out_trade_no: string }, deps: ApiDeps): Promise<RetryHooksData> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  const hooks = deps.hooks;
  if (!hooks) throw new ConfigError("hooks-unavailable", "只能在 vk-pay 云函数中重新执行订单钩子");
  const order = await findOrder(outTradeNo, deps.db);
  if (!order) throw failures.orderNotFound();
  const paid = await runPaidHook(order._id, hooks, { now: deps.now(), log: deps.log, db: deps.db });
  const refunded: Record<string, RefundHookOutcome> = {};
  const { data } = await deps.db.collection(COLLECTIONS.refunds).where({ out_trade_no: outTradeNo, status: "SUCCESS" }).limit(1000).get();
  for (const refund of data) refunded[refund._id] = await runRefundedHook(refund._id, hooks, { now: deps.now(), log: deps.log, db: deps.db });
  const refundReversed: Record<string, RefundHookOutcome> = {};
  const reversed = await deps.db
    .collection(COLLECTIONS.refunds)
    .where({ out_trade_no: outTradeNo, reversed_date: deps.db.command.exists(true) })
    .limit(1000)
    .get();
  for (const refund of reversed.data)
    refundReversed[refund._id] = await runRefundReversedHook(refund._id, hooks, { now: deps.now(), log: deps.log, db: deps.db });
  return { out_trade_no: outTradeNo, paid, refunded, refundReversed };
}

/**
 * `admin/hookRetry`: runs the order's hooks that have not completed (each still at most once), or, given
 * `out_bill_no` instead, the transfer's.
 */
export function retryHooks(
  params: { out_trade_no?: string; out_bill_no?: string },
  deps: ApiDeps = productionDeps(),
): Promise<Result<RetryHooksData | TransferHookRetryData>> {
  if (params?.out_bill_no !== undefined && params.out_trade_no === undefined)
    return respond("retryHooks", () => retryTransferHook(params.out_bill_no, deps), deps.log);
  return respond("retryHooks", () => retry(params as { out_trade_no: string }, deps), deps.log);
}
