import { COLLECTIONS, PAID_STATUSES } from "../core/repository";
import { ProviderRejectedError } from "../core/errors";
import { runPaidHook, runRefundedHook, runRefundReversedHook } from "../core/hooks";
import { markClosed, OPEN_STATUSES, type Order } from "../core/orders";
import { OPEN_REFUND_STATUSES, type RefundRecord } from "../core/refunds";
import { followUpRefund } from "./refund-follow-up";
import { respond, type Result } from "../core/result";
import { reconcileWithProvider } from "./query-payment";
import { orderMerchant, productionDeps, requireProvider, type ApiDeps } from "./shared";
import { reconcileTransfers, type TransferReconcileReport } from "./transfer-reconcile";

export const TASK_LOG = COLLECTIONS.taskLog;

/** Orders younger than this are left to their notification; older open ones are asked about. */
const QUIET_MS = 60_000;
/** An unpaid order without its own expiry is closed after a day (WeChat's and Alipay's orders expire sooner). */
const DEFAULT_EXPIRY_MS = 24 * 3600_000;
const BATCH = 50;

export interface ReconcileReport {
  hooks: number;
  queried: number;
  closed: number;
  deleted: number;
  refunds: number;
  /** Refunds the provider had no record of, sent again under the same number. */
  refundsResent: number;
  refundHooks: number;
  /** Reversed refunds (Apple's REFUND_REVERSED) whose `refundReversed` hook completed in this run after failing before. */
  reversalHooks: number;
  transfers: TransferReconcileReport;
  errors: string[];
}

async function each<T>(items: T[], report: ReconcileReport, label: (item: T) => string, work: (item: T) => Promise<void>): Promise<void> {
  for (const item of items) {
    try {
      await work(item);
    } catch (error) {
      // One stubborn order must not stop the run: it is reported and tried again next time.
      report.errors.push(`${label(item)}: ${(error as Error)?.message ?? String(error)}`.slice(0, 300));
    }
  }
}

async function run(deps: ApiDeps): Promise<ReconcileReport> {
  const now = deps.now();
  const db = deps.db;
  const _ = db.command;
  const report: ReconcileReport = {
    hooks: 0,
    queried: 0,
    closed: 0,
    deleted: 0,
    refunds: 0,
    refundsResent: 0,
    refundHooks: 0,
    reversalHooks: 0,
    transfers: { queried: 0, moved: 0, sendsReopened: 0, hooks: 0 },
    errors: [],
  };
  const hooks = deps.hooks;
  const orders = db.collection(COLLECTIONS.orders);

  if (hooks) {
    const { data } = await orders
      .where({ status: _.in([...PAID_STATUSES]), user_order_success: _.in([false, null]) })
      .limit(BATCH)
      .get();
    const due = (data as Order[]).filter((order) => !((order as { hook_next_retry?: number }).hook_next_retry! > now));
    await each(
      due,
      report,
      (order) => order.out_trade_no,
      async (order) => {
        if ((await runPaidHook(order._id, hooks, { now, log: deps.log, db })) === "done") report.hooks += 1;
      },
    );
  }

  const open = (
    await orders
      .where({ status: _.in([...OPEN_STATUSES]), create_date: _.lt(now - QUIET_MS) })
      .orderBy("create_date", "asc")
      .limit(BATCH)
      .get()
  ).data as Order[];
  await each(
    open,
    report,
    (order) => order.out_trade_no,
    async (order) => {
      report.queried += 1;
      await reconcileWithProvider(order, deps);
      const expiry = order.time_expire ?? order.create_date + DEFAULT_EXPIRY_MS;
      const current = (await orders.doc(order._id).get()).data as Order[];
      if (expiry < now && current[0] && OPEN_STATUSES.includes(current[0].status)) {
        const provider = requireProvider(deps, order.provider);
        if (provider.capabilities.close) {
          const merchant = await orderMerchant(order, deps);
          try {
            await provider.closePayment({ ...merchant, outTradeNo: order.out_trade_no }, deps.runtime);
          } catch (error) {
            // The provider will not close it (say, an Alipay QR nobody scanned: no trade exists there yet). It is
            // closed here all the same; should the buyer still pay, that payment is applied (PAYABLE_STATUSES).
            if (!(error instanceof ProviderRejectedError)) throw error;
            deps.log(`vk-uni-pay: ${order.out_trade_no} expired; the provider refused to close it (${error.message}), closed here only`);
          }
        }
        if (await markClosed(order._id, now, db)) report.closed += 1;
      }
    },
  );

  const keepDays = deps.config().autoDeleteExpiredOrders ?? 0;
  if (keepDays > 0) {
    const { deleted } = await orders.where({ status: _.in(["NOTPAY", "CLOSED"]), create_date: _.lt(now - keepDays * 86_400_000) }).remove();
    report.deleted = deleted;
  }

  const refunds = db.collection(COLLECTIONS.refunds);
  // Open refunds are asked about; one the provider never received is sent again under its number.
  const pending = (
    await refunds
      .where({ status: _.in([...OPEN_REFUND_STATUSES]), create_date: _.lt(now - QUIET_MS) })
      .limit(BATCH)
      .get()
  ).data as unknown as RefundRecord[];
  await each(
    pending,
    report,
    (refund) => refund.out_refund_no,
    async (refund) => {
      const order = ((await orders.doc(refund.order_id).get()).data as Order[])[0];
      if (!order) return;
      const outcome = await followUpRefund(order, refund, deps, { resend: true });
      if (outcome === "settled") report.refunds += 1;
      if (outcome === "resent") report.refundsResent += 1;
    },
  );

  if (hooks) {
    const hookDeps = { now, log: deps.log, db };
    /** Refunds whose hook has not completed, re-run once each; returns how many completed now. */
    const rerun = async (where: Record<string, unknown>, hook: typeof runRefundedHook): Promise<number> => {
      const { data } = await refunds.where(where).limit(BATCH).get();
      let done = 0;
      await each(
        data as unknown as RefundRecord[],
        report,
        (refund) => refund.out_refund_no,
        async (refund) => {
          if ((await hook(refund.out_refund_no, hooks, hookDeps)) === "done") done += 1;
        },
      );
      return done;
    };
    report.refundHooks += await rerun({ status: "SUCCESS", hook_done: _.in([false, null]) }, runRefundedHook);
    // A reversal arrives once (the provider does not repeat a notification it got a 200 for), so a failed
    // `refundReversed` hook has nobody else to run it again: the timer does, as for `refunded`.
    report.reversalHooks += await rerun({ reversed_date: _.exists(true), reversal_hook_done: _.in([false, null]) }, runRefundReversedHook);
  }

  report.transfers = await reconcileTransfers(deps, now, (items, label, work) => each(items, report, label, work));

  await db.collection(TASK_LOG).add({ task: "reconcile", ...report, create_date: now, duration_ms: deps.now() - now });
  return report;
}

/**
 * What the timer (and `admin/reconcile`) does: re-drives failed hooks whose retry time has come, asks
 * providers about open orders that had no notification, closes expired ones, deletes old unpaid ones
 * (`autoDeleteExpiredOrders`), settles refunds still processing, moves stuck transfers forward and re-runs
 * their failed hooks, and records the run.
 */
export function reconcile(_params: Record<string, never> = {}, deps: ApiDeps = productionDeps()): Promise<Result<ReconcileReport>> {
  return respond("reconcile", () => run(deps), deps.log);
}
