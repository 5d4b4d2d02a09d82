import type { PayConfig } from "../core/config";
import { resolveMerchant } from "../core/merchants";
import { configKeyFor } from "../core/trade-type";
import type { Database } from "../core/database";
import { VkPayError } from "../core/errors";
import { runRefundedHook, type HookResolver } from "../core/hooks";
import { findOrder, markClosed, type Order } from "../core/orders";
import { settlePayment, type SettledPayment } from "../core/settle-payment";
import { findRefund, reserveRefund, settleRefund } from "../core/refunds";
import { jsonReply, type IntegrationResponse } from "../http-reply";
import type { NormalizedEvent, PaymentProvider, ProviderRuntime, RawNotification } from "../providers/contract";
import { logNotification, type NotifyLogEntry } from "./log";
import { parseNotifyPath, receiveNotification, type NotificationEvent } from "./raw";

export interface PipelineDeps {
  db: Database;
  now(): number;
  log(line: string): void;
  findProvider(name: string): PaymentProvider | undefined;
  config(): PayConfig;
  runtime: ProviderRuntime;
  /** Absent outside the vk-pay function: the hook then runs on the next query, timer run or hookRetry. */
  hooks?: HookResolver;
}

type Verdict = { accepted: boolean; entry: Omit<NotifyLogEntry, "provider" | "pay_type">; /** Already written with the state change. */ logged?: boolean };
type LogLabel = Pick<NotifyLogEntry, "provider" | "pay_type">;

/** The verified event must describe the stored order: same provider, amount, merchant and app. */
function bindingProblem(order: Order, event: NormalizedEvent, provider: string, pid: string | undefined): string | undefined {
  if (order.provider !== provider) return `provider ${provider} does not match the order's ${order.provider}`;
  // Verified with one merchant's keys, it may only speak for that merchant's orders.
  if ((order.pid || undefined) !== pid) return `merchant config ${pid ?? "(file)"} does not match the order's ${order.pid || "(file)"}`;
  if (event.kind === "payment") {
    if (event.totalFee !== order.total_fee) return `amount ${String(event.totalFee)} does not match the order's ${order.total_fee}`;
    if (event.mchId && order.mch_id && event.mchId !== order.mch_id) return `merchant ${event.mchId} does not match the order's ${order.mch_id}`;
    if (event.appId && order.provider_appid && event.appId !== order.provider_appid) return `app id ${event.appId} does not match the order's ${order.provider_appid}`;
    // A service provider's keys verify every sub-merchant's notifications: the sub-merchant must be the order's.
    if (order.sub_mchid && event.subMchId !== order.sub_mchid) return `sub-merchant ${event.subMchId ?? "(none)"} does not match the order's ${order.sub_mchid ?? "(none)"}`;
  }
  return undefined;
}

async function applyPayment(order: Order, event: Extract<NormalizedEvent, { kind: "payment" }>, raw: RawNotification, deps: PipelineDeps, label: LogLabel): Promise<Verdict> {
  const base = { kind: "payment" as const, out_trade_no: order.out_trade_no };
  if (event.state === "CLOSED") {
    const closed = await markClosed(order._id, deps.now(), deps.db);
    return { accepted: true, entry: { ...base, outcome: closed ? "applied" : "ignored", reason: "closed by the provider" } };
  }
  if (event.state !== "SUCCESS") return { accepted: true, entry: { ...base, outcome: "ignored", reason: `state ${event.state}` } };
  const original = { path: raw.path, method: raw.method, headers: raw.headers, body: raw.body.toString("utf8") };
  const now = deps.now();
  const verdictOf = ({ applied, hook }: SettledPayment): Verdict =>
    // A failed hook is answered as a failure so the provider delivers again: that redelivery is a retry.
    ({ accepted: hook !== "failed", entry: { ...base, outcome: applied ? "applied" : "duplicate", hook, ...(applied && order.status === "CLOSED" ? { reason: "paid after it was closed here" } : {}) } });
  // The log entry is written with the payment (one transaction when the hook is typed).
  const settled = await settlePayment(order, { transactionId: event.transactionId, paidAt: event.paidAt ?? now, notifyMode: 1, original, info: event.raw }, {
    db: deps.db,
    now,
    log: deps.log,
    hooks: deps.hooks,
    record: (db, outcome) => logNotification(db, raw, { ...label, ...verdictOf(outcome).entry }, now).catch((error: unknown) => deps.log(`vk-uni-pay: cannot write the notification log: ${(error as Error)?.message ?? String(error)}`)),
  });
  return { ...verdictOf(settled), logged: true };
}

async function applyRefund(order: Order, event: Extract<NormalizedEvent, { kind: "refund" }>, deps: PipelineDeps): Promise<Verdict> {
  const base = { kind: "refund" as const, out_trade_no: order.out_trade_no, out_refund_no: event.outRefundNo };
  let record = await findRefund(event.outRefundNo, deps.db);
  if (!record && event.state === "SUCCESS") {
    // A refund made at the provider without us (the merchant platform, say): the money has gone back,
    // so the order must say so. It is adopted into the ledger under the same ceiling as our own.
    try {
      record = (await reserveRefund(order._id, { outRefundNo: event.outRefundNo, refundFee: event.refundFee, desc: "退款（支付平台发起）", operator: "provider", force: true }, deps.now(), deps.db)).record;
    } catch (error) {
      if (!(error instanceof VkPayError)) throw error;
      return { accepted: false, entry: { ...base, outcome: "refused", reason: `refund made at the provider cannot be adopted: ${error.message}` } };
    }
  }
  if (!record) return { accepted: true, entry: { ...base, outcome: "ignored", reason: `unknown refund in state ${event.state}` } };
  if (record.order_id !== order._id) return { accepted: false, entry: { ...base, outcome: "refused", reason: "refund belongs to another order" } };
  if (record.refund_fee !== event.refundFee) return { accepted: false, entry: { ...base, outcome: "refused", reason: `refund amount ${event.refundFee} does not match ${record.refund_fee}` } };
  if (event.state === "PROCESSING") return { accepted: true, entry: { ...base, outcome: "ignored", reason: "still processing" } };
  const settled = await settleRefund(event.outRefundNo, { state: event.state, refundId: event.refundId, settledAt: event.settledAt ?? deps.now() }, deps.db);
  let hook: string = "deferred";
  if (event.state === "SUCCESS" && deps.hooks) hook = await runRefundedHook(event.outRefundNo, deps.hooks, { now: deps.now(), log: deps.log, db: deps.db });
  return { accepted: hook !== "failed", entry: { ...base, outcome: settled === "settled" ? "applied" : "duplicate", hook } };
}

async function judge(provider: PaymentProvider, payType: string, pid: string | undefined, raw: RawNotification, deps: PipelineDeps): Promise<Verdict> {
  let event: NormalizedEvent;
  try {
    const merchant = await resolveMerchant(deps, { provider: provider.name, configKey: configKeyFor(provider.name, payType.slice(provider.name.length + 1)) }, pid);
    // Verification comes first: nothing of an unverified message is read into state.
    event = await provider.verifyNotify(raw, merchant, deps.runtime);
  } catch (error) {
    const reason = error instanceof VkPayError ? `${error.errCode}: ${error.message}` : "verification failed";
    if (!(error instanceof VkPayError)) deps.log(`vk-uni-pay: ${payType} notification could not be verified: ${(error as Error)?.message ?? String(error)}`);
    return { accepted: false, entry: { outcome: "refused", reason } };
  }
  if (event.kind === "ignored") {
    // Verified, but nothing the core acts on: acknowledged so the provider stops delivering it, and logged.
    deps.log(`vk-uni-pay: ${payType} notification of unhandled event ${event.eventType} acknowledged`);
    return { accepted: true, entry: { kind: event.kind, ...(event.outTradeNo ? { out_trade_no: event.outTradeNo } : {}), outcome: "ignored", reason: `unhandled event ${event.eventType}` } };
  }
  const order = await findOrder(event.outTradeNo, deps.db);
  if (!order) return { accepted: false, entry: { kind: event.kind, out_trade_no: event.outTradeNo, outcome: "refused", reason: "unknown out_trade_no" } };
  const problem = bindingProblem(order, event, provider.name, pid);
  if (problem) return { accepted: false, entry: { kind: event.kind, out_trade_no: order.out_trade_no, outcome: "refused", reason: problem } };
  return event.kind === "payment" ? applyPayment(order, event, raw, deps, { provider: provider.name, pay_type: payType }) : applyRefund(order, event, deps);
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
  let verdict: Verdict;
  try {
    // A body that is not exactly what was sent is refused before any provider reads it.
    verdict = problem ? { accepted: false, entry: { outcome: "refused", reason: problem } } : await judge(provider, path.payType, path.pid, raw, deps);
  } catch (error) {
    deps.log(`vk-uni-pay: ${path.payType} notification failed: ${(error as Error)?.stack ?? String(error)}`);
    verdict = { accepted: false, entry: { outcome: "error", reason: (error as Error)?.message?.slice(0, 200) ?? "error" } };
  }
  if (!verdict.logged) {
    await logNotification(deps.db, raw, { provider: provider.name, pay_type: path.payType, ...verdict.entry }, deps.now()).catch((error: unknown) =>
      deps.log(`vk-uni-pay: cannot write the notification log: ${(error as Error)?.message ?? String(error)}`),
    );
  }
  return provider.acknowledge(verdict.accepted, raw);
}
