import type { Deps } from "../core/deps";
import { resolveMerchant } from "../core/merchants";
import { configPathOf } from "../core/trade-type";
import { VkPayError } from "../core/errors";
import { runRefundedHook, runRefundReversedHook } from "../core/hooks";
import { findOrder, markClosed, orderFieldsProblem, type Order } from "../core/orders";
import { settlePayment, type SettledPayment } from "../core/settle-payment";
import { findRefund, reserveRefund, reverseRefund, settleRefund } from "../core/refunds";
import { jsonReply, type IntegrationResponse } from "../http-reply";
import type { MerchantConfig, NormalizedEvent, PaymentProvider, RawNotification } from "../kernel/contract";
import { logNotification, newNotifyLogId, refusalDiagnosis, type NotifyLogEntry } from "./log";
import { judgeTransferEvent } from "./transfer-pipeline";
import { parseNotifyPath, receiveNotification, type NotificationEvent, type ParsedPath } from "./raw";

export type PipelineDeps = Deps;

type Verdict = {
  accepted: boolean;
  entry: Omit<NotifyLogEntry, "provider" | "pay_type">;
  /** Already written with the state change. */
  logged?: boolean;
  /** Refused for our own failure, not the message's: the reply asks the provider to deliver again (v3: 5xx). */
  ourFault?: boolean;
};
type LogLabel = Pick<NotifyLogEntry, "provider" | "pay_type">;

/** The verified event must describe the stored order: same provider, amount, merchant and app. */
function bindingProblem(order: Order, event: NormalizedEvent, provider: string, pid: string | undefined): string | undefined {
  if (order.provider !== provider) return `provider ${provider} does not match the order's ${order.provider}`;
  // Verified with one merchant's keys, it may only speak for that merchant's orders.
  if ((order.pid || undefined) !== pid) return `merchant config ${pid ?? "(file)"} does not match the order's ${order.pid || "(file)"}`;
  if (event.kind === "payment") {
    if (event.totalFee !== order.total_fee) return `amount ${String(event.totalFee)} does not match the order's ${order.total_fee}`;
    if (event.mchId && order.mch_id && event.mchId !== order.mch_id) return `merchant ${event.mchId} does not match the order's ${order.mch_id}`;
    if (event.appId && order.provider_appid && event.appId !== order.provider_appid)
      return `app id ${event.appId} does not match the order's ${order.provider_appid}`;
    // A service provider's keys verify every sub-merchant's notifications: the sub-merchant must be the order's.
    if (order.sub_mchid && event.subMchId !== order.sub_mchid)
      return `sub-merchant ${event.subMchId ?? "(none)"} does not match the order's ${order.sub_mchid ?? "(none)"}`;
    const fieldsProblem = orderFieldsProblem(order, event.orderFields);
    if (fieldsProblem) return fieldsProblem;
  }
  return undefined;
}

async function applyPayment(
  order: Order,
  event: Extract<NormalizedEvent, { kind: "payment" }>,
  raw: RawNotification,
  deps: PipelineDeps,
  label: LogLabel,
): Promise<Verdict> {
  const base = { kind: "payment" as const, out_trade_no: order.out_trade_no };
  if (event.state === "CLOSED") {
    const closed = await markClosed(order._id, deps.now(), deps.db);
    return { accepted: true, entry: { ...base, outcome: closed ? "applied" : "ignored", reason: "closed by the provider" } };
  }
  if (event.state !== "SUCCESS") return { accepted: true, entry: { ...base, outcome: "ignored", reason: `state ${event.state}` } };
  // The raw headers and body live in the notification log only (written with the payment below): the
  // order names that row, which keeps the order small and its settle update light.
  const logId = newNotifyLogId();
  const original = { path: raw.path, method: raw.method, notify_log_id: logId };
  const now = deps.now();
  const verdictOf = ({ applied, hook }: SettledPayment): Verdict =>
    // A failed hook is answered as a failure so the provider delivers again: that redelivery is a retry.
    ({
      accepted: hook !== "failed",
      entry: {
        ...base,
        outcome: applied ? "applied" : "duplicate",
        hook,
        ...(applied && order.status === "CLOSED" ? { reason: "paid after it was closed here" } : {}),
      },
    });
  // The log entry is written with the payment (one transaction when the hook is typed).
  const settled = await settlePayment(
    order,
    {
      transactionId: event.transactionId,
      paidAt: event.paidAt ?? now,
      notifyMode: 1,
      original,
      info: event.raw,
      ...(event.payMethod ? { payMethod: event.payMethod } : {}),
    },
    {
      db: deps.db,
      now,
      log: deps.log,
      hooks: deps.hooks,
      record: (db, outcome) =>
        logNotification(db, raw, { ...label, ...verdictOf(outcome).entry }, now, logId).catch((error: unknown) =>
          deps.log(`vk-uni-pay: cannot write the notification log: ${(error as Error)?.message ?? String(error)}`),
        ),
    },
  );
  return { ...verdictOf(settled), logged: true };
}

/** A refund the provider reported, settled on its bound order (also used for refunds a client proof brought along). */
export async function applyRefund(order: Order, event: Extract<NormalizedEvent, { kind: "refund" }>, deps: PipelineDeps): Promise<Verdict> {
  const base = { kind: "refund" as const, out_trade_no: order.out_trade_no, out_refund_no: event.outRefundNo };
  let record = await findRefund(event.outRefundNo, deps.db);
  if (!record && event.state === "SUCCESS") {
    // A refund made at the provider without us (the merchant platform, say): the money has gone back,
    // so the order must say so. It is adopted into the ledger under the same ceiling as our own.
    try {
      record = (
        await reserveRefund(
          order._id,
          { outRefundNo: event.outRefundNo, refundFee: event.refundFee, desc: "退款（支付平台发起）", operator: "provider", force: true },
          deps.now(),
          deps.db,
        )
      ).record;
    } catch (error) {
      if (!(error instanceof VkPayError)) throw error;
      return { accepted: false, entry: { ...base, outcome: "refused", reason: `refund made at the provider cannot be adopted: ${error.message}` } };
    }
  }
  if (!record) return { accepted: true, entry: { ...base, outcome: "ignored", reason: `unknown refund in state ${event.state}` } };
  if (record.order_id !== order._id) return { accepted: false, entry: { ...base, outcome: "refused", reason: "refund belongs to another order" } };
  if (record.refund_fee !== event.refundFee)
    return { accepted: false, entry: { ...base, outcome: "refused", reason: `refund amount ${event.refundFee} does not match ${record.refund_fee}` } };
  if (event.state === "PROCESSING") return { accepted: true, entry: { ...base, outcome: "ignored", reason: "still processing" } };
  const settled = await settleRefund(event.outRefundNo, { state: event.state, refundId: event.refundId, settledAt: event.settledAt ?? deps.now() }, deps.db);
  let hook: string = "deferred";
  if (event.state === "SUCCESS" && deps.hooks) hook = await runRefundedHook(event.outRefundNo, deps.hooks, { now: deps.now(), log: deps.log, db: deps.db });
  return { accepted: hook !== "failed", entry: { ...base, outcome: settled === "settled" ? "applied" : "duplicate", hook } };
}

/** A settled refund the provider took back: undone once (reverseRefund), then its `refundReversed` hook, once. */
async function applyRefundReversal(order: Order, event: Extract<NormalizedEvent, { kind: "refundReversed" }>, deps: PipelineDeps): Promise<Verdict> {
  const base = { kind: "refundReversed" as const, out_trade_no: order.out_trade_no, out_refund_no: event.outRefundNo };
  const record = await findRefund(event.outRefundNo, deps.db);
  if (!record) return { accepted: true, entry: { ...base, outcome: "ignored", reason: "reversal of an unknown refund" } };
  if (record.order_id !== order._id) return { accepted: false, entry: { ...base, outcome: "refused", reason: "refund belongs to another order" } };
  const reversed = await reverseRefund(event.outRefundNo, event.reversedAt ?? deps.now(), deps.db);
  if (reversed === "not-settled") return { accepted: true, entry: { ...base, outcome: "ignored", reason: `reversal of a refund in state ${record.status}` } };
  // A duplicate still runs a hook that failed before: the redelivery is its retry.
  const hook = deps.hooks ? await runRefundReversedHook(event.outRefundNo, deps.hooks, { now: deps.now(), log: deps.log, db: deps.db }) : "deferred";
  return { accepted: hook !== "failed", entry: { ...base, outcome: reversed === "reversed" ? "applied" : "duplicate", hook } };
}

/** The merchant config the path's pay_type (and pid) names, or why it cannot be read. */
type MerchantLookup = { config: MerchantConfig; error?: undefined } | { config?: undefined; error: unknown };

async function lookUpMerchant(provider: PaymentProvider, path: ParsedPath, deps: PipelineDeps): Promise<MerchantLookup> {
  try {
    return { config: await resolveMerchant(deps, configPathOf(provider, path.payType.slice(provider.name.length + 1)), path.pid) };
  } catch (error) {
    return { error };
  }
}

/** A failure that is ours to fix (the network, the database, a bug), not a fault of the message. */
function isOurFault(error: unknown): boolean {
  return !(error instanceof VkPayError) || error.kind === "network";
}

function refusedUnverified(error: unknown, payType: string, deps: PipelineDeps): Verdict {
  const reason = error instanceof VkPayError ? `${error.errCode}: ${error.detail ?? error.message}` : "verification failed";
  if (!(error instanceof VkPayError)) deps.log(`vk-uni-pay: ${payType} notification could not be verified: ${(error as Error)?.message ?? String(error)}`);
  return { accepted: false, ourFault: isOurFault(error), entry: { outcome: "refused", reason, ...refusalDiagnosis(error, deps.now()) } };
}

async function judge(provider: PaymentProvider, path: ParsedPath, merchant: MerchantLookup, raw: RawNotification, deps: PipelineDeps): Promise<Verdict> {
  const { payType, pid } = path;
  if (merchant.error !== undefined) return refusedUnverified(merchant.error, payType, deps);
  let event: NormalizedEvent;
  try {
    // Verification comes first: nothing of an unverified message is read into state.
    event = await provider.verifyNotify(raw, merchant.config!, deps.runtime);
  } catch (error) {
    return refusedUnverified(error, payType, deps);
  }
  if (event.kind === "ignored") {
    // Verified, but nothing the core acts on: acknowledged so the provider stops delivering it, and logged.
    deps.log(`vk-uni-pay: ${payType} notification of unhandled event ${event.eventType} acknowledged`);
    return {
      accepted: true,
      entry: {
        kind: event.kind,
        ...(event.outTradeNo ? { out_trade_no: event.outTradeNo } : {}),
        outcome: "ignored",
        reason: `unhandled event ${event.eventType}`,
      },
    };
  }
  // A provider that reports transfers where it reports payments (Alipay's application gateway).
  if (event.kind === "transfer") return judgeTransferEvent(event, provider.name, { pid }, deps);
  const order = await findOrder(event.outTradeNo, deps.db);
  if (!order) return { accepted: false, entry: { kind: event.kind, out_trade_no: event.outTradeNo, outcome: "refused", reason: "unknown out_trade_no" } };
  const problem = bindingProblem(order, event, provider.name, pid);
  if (problem) return { accepted: false, entry: { kind: event.kind, out_trade_no: order.out_trade_no, outcome: "refused", reason: problem } };
  const verdict =
    event.kind === "payment"
      ? await applyPayment(order, event, raw, deps, { provider: provider.name, pay_type: payType })
      : event.kind === "refund"
        ? await applyRefund(order, event, deps)
        : await applyRefundReversal(order, event, deps);
  // Refused after it was verified and bound: only a failed hook is left, and that is ours.
  return verdict.accepted || verdict.entry.hook !== "failed" ? verdict : { ...verdict, ourFault: true };
}

/**
 * The notification pipeline (STYLE.md item 3): raw bytes → verify → bind to the stored order →
 * conditional state change → hooks → the provider's exact reply. Every notification is logged.
 */
export async function processNotification(event: NotificationEvent, prefix: string, deps: PipelineDeps): Promise<IntegrationResponse> {
  const path = parseNotifyPath(event?.path, prefix);
  if (!path) return jsonReply(404, { code: "vk-pay-notify-path-invalid", message: `notification path must be ${prefix}<pay_type>` });
  const provider = deps.findProvider(path.provider);
  if (!provider) return jsonReply(404, { code: "vk-pay-no-such-provider", message: `no such provider: ${path.provider}` });
  const { raw, problem } = receiveNotification(event);
  // Read even for a body that cannot be verified: the reply must speak the merchant's API version.
  const merchant = await lookUpMerchant(provider, path, deps);
  let verdict: Verdict;
  try {
    // A body that is not exactly what was sent is refused before any provider reads it.
    verdict = problem ? { accepted: false, entry: { outcome: "refused", reason: problem } } : await judge(provider, path, merchant, raw, deps);
  } catch (error) {
    deps.log(`vk-uni-pay: ${path.payType} notification failed: ${(error as Error)?.stack ?? String(error)}`);
    verdict = { accepted: false, ourFault: true, entry: { outcome: "error", reason: (error as Error)?.message?.slice(0, 200) ?? "error" } };
  }
  if (!verdict.logged) {
    await logNotification(deps.db, raw, { provider: provider.name, pay_type: path.payType, ...verdict.entry }, deps.now()).catch((error: unknown) =>
      deps.log(`vk-uni-pay: cannot write the notification log: ${(error as Error)?.message ?? String(error)}`),
    );
  }
  return provider.acknowledge(verdict.accepted, { notification: raw, config: merchant.config, ourFault: verdict.ourFault === true });
}
