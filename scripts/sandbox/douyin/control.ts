/**
 * The control API of SPEC §9 for the Douyin sandbox, plus `request-order`: what the mini program's
 * `tt.requestOrder({ data, byteAuthorization })` does at Douyin (the signature checked with the app
 * public key, the order created). `pay` and `cancel` then act as the buyer in Douyin's cashier.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ControlError, dropAction, MAX_CLOCK_ADVANCE_SECONDS, serveControlAction, text, wholeNumber, type ControlAction } from "../control-api";
import { isRecord } from "../http";
import type { DouyinSandboxKeys } from "./keys";
import type { DouyinLedger } from "./ledger";
import type { DouyinNotifier } from "./notifier";
import { readByteAuthorization, timestampIsFresh, verifyRequestOrderSignature } from "./sign";
import type { DouyinSandboxState } from "./state";
import { SandboxRefusal, type SandboxOrder } from "./types";

export interface ControlContext {
  state: DouyinSandboxState;
  keys: DouyinSandboxKeys;
  ledger: DouyinLedger;
  notifier: DouyinNotifier;
}

type Body = Record<string, unknown>;

const summary = (order: SandboxOrder) => ({ out_trade_no: order.out_order_no, order_id: order.order_id, system: order.system, status: order.status });

function refused<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SandboxRefusal) throw new ControlError(409, error.message, String(error.errNo));
    throw error;
  }
}

/** `tt.requestOrder`: verifies `byteAuthorization` over the data exactly as given, then creates (or finds) the order. */
function requestOrder(ctx: ControlContext, body: Body): SandboxOrder {
  const data = text(body, "data", true, 64 * 1024);
  const auth = readByteAuthorization(body.byteAuthorization);
  if (!auth) throw new ControlError(400, "byteAuthorization is not SHA256-RSA2048 appid=…,nonce_str=…,timestamp=…,key_version=…,signature=…");
  if (auth.appid !== ctx.keys.appId) throw new ControlError(403, `unknown appid ${auth.appid}`, "appid");
  if (auth.key_version !== ctx.keys.keyVersion) throw new ControlError(403, `key_version ${auth.key_version} is not the uploaded key`, "key_version");
  if (!timestampIsFresh(auth.timestamp, ctx.state.now())) throw new ControlError(403, "timestamp is stale", "timestamp");
  if (!verifyRequestOrderSignature(data, auth, ctx.keys.appPublicKeyPem))
    throw new ControlError(403, "signature does not verify with the app public key", "signature");
  let order: unknown;
  try {
    order = JSON.parse(data);
  } catch {
    throw new ControlError(400, "data is not JSON");
  }
  if (!isRecord(order)) throw new ControlError(400, "data is not a JSON object");
  const outOrderNo = order.outOrderNo;
  const total = order.totalAmount;
  const skus = Array.isArray(order.skuList) ? order.skuList.filter(isRecord) : [];
  if (typeof outOrderNo !== "string" || !outOrderNo || typeof total !== "number" || !Number.isSafeInteger(total) || total <= 0)
    throw new ControlError(400, "data needs outOrderNo and a positive integer totalAmount");
  const skuTotal = skus.reduce((sum, sku) => sum + Number(sku.price) * Number(sku.quantity), 0);
  if (skus.length === 0 || skuTotal !== total) throw new ControlError(400, "skuList prices do not add up to totalAmount");
  if (!isRecord(order.orderEntrySchema) || typeof order.orderEntrySchema.path !== "string") throw new ControlError(400, "orderEntrySchema.path is required");
  const existing = ctx.state.order(ctx.keys.appId, outOrderNo);
  if (existing) {
    if (existing.system !== "trade" || existing.total_amount !== total) throw new ControlError(409, "outOrderNo is already used", "order-exists");
    return existing;
  }
  const now = ctx.state.businessNow();
  const expireSeconds = typeof order.payExpireSeconds === "number" && order.payExpireSeconds > 0 ? order.payExpireSeconds : 300;
  const orderId = ctx.state.nextId("ot7");
  const created: SandboxOrder = {
    system: "trade",
    app_id: ctx.keys.appId,
    out_order_no: outOrderNo,
    order_id: orderId,
    item_order_id: `${orderId}01`,
    total_amount: total,
    subject: String(skus[0]!.title ?? ""),
    ...(typeof order.payNotifyUrl === "string" && order.payNotifyUrl ? { notify_url: order.payNotifyUrl } : {}),
    merchant_uid: typeof order.merchantUid === "string" && order.merchantUid ? order.merchantUid : ctx.keys.mchId,
    status: "PROCESS",
    created_at: now,
    expire_at: now + expireSeconds * 1000,
  };
  ctx.state.putOrder(created);
  return created;
}

const orderOf = (ctx: ControlContext, body: Body) => refused(() => ctx.ledger.find(ctx.keys.appId, text(body, "out_trade_no", true)));

const ACTIONS: Record<string, ControlAction<ControlContext>> = {
  "request-order": (ctx, body) => summary(requestOrder(ctx, body)),
  pay(ctx, body) {
    const channel = body.pay_channel === undefined ? 1 : wholeNumber(body, "pay_channel", 10);
    if (![1, 2, 10].includes(channel)) throw new ControlError(400, "pay_channel must be 1 (WeChat), 2 (Alipay) or 10 (抖音支付)");
    const order = refused(() => ctx.ledger.pay(orderOf(ctx, body), channel));
    return { ...summary(order), notification: ctx.notifier.lastResult() };
  },
  cancel(ctx, body) {
    const reason = text(body, "reason", false) ?? "USER_CANCEL";
    if (reason !== "USER_CANCEL" && reason !== "TIME_OUT") throw new ControlError(400, "reason must be USER_CANCEL or TIME_OUT");
    const order = refused(() => ctx.ledger.cancel(orderOf(ctx, body), reason));
    return { ...summary(order), notification: ctx.notifier.lastResult() };
  },
  fail(ctx, body) {
    const order = orderOf(ctx, body);
    if (order.status !== "PROCESS") throw new ControlError(409, "order is not open");
    const failed = { ...order, status: "FAIL" as const };
    ctx.state.putOrder(failed);
    return summary(failed);
  },
  "refund-result"(ctx, body) {
    const outRefundNo = text(body, "out_refund_no", true);
    const status = text(body, "status", false) ?? "SUCCESS";
    if (!["SUCCESS", "FAIL", "CLOSED", "ABNORMAL"].includes(status)) throw new ControlError(400, "status must be SUCCESS or FAIL");
    const refund = ctx.state.refund(ctx.keys.appId, outRefundNo);
    if (!refund) throw new ControlError(404, `退款不存在: ${outRefundNo}`);
    // A buyer's refund held for review moves only once the developer answered it (refund_audit_callback).
    if (refund.audit === "PENDING") throw new ControlError(409, "退款待开发者审核");
    const settled = refused(() => ctx.ledger.settleRefund(refund, status === "SUCCESS" ? "SUCCESS" : "FAIL"));
    return { out_refund_no: settled.out_refund_no, refund_status: settled.status, notification: ctx.notifier.lastResult() };
  },
  /**
   * The buyer asks for a refund in Douyin's order page and the app requires review: the refund waits
   * (`audit` PENDING) for `refund_audit_callback`, and the developer hears of it by `pre_create_refund`.
   */
  "buyer-refund"(ctx, body) {
    const order = orderOf(ctx, body);
    if (order.system !== "trade") throw new ControlError(409, "only the trade system reviews buyers' refunds");
    const amount = body.amount === undefined ? order.total_amount : wholeNumber(body, "amount", order.total_amount);
    // Douyin sends a buyer's refund result to the refund callback URL set in its developer console; the
    // sandbox stands that in with the order's own notify URL, the one route vk-pay answers callbacks on.
    const created = refused(() =>
      ctx.ledger.createRefund("trade", order, {
        out_refund_no: ctx.state.nextId("buyer"),
        amount,
        ...(order.notify_url ? { notify_url: order.notify_url } : {}),
      }),
    );
    const waiting = { ...created, source: "buyer" as const, audit: "PENDING" as const };
    ctx.state.putRefund(waiting);
    return { refund_id: waiting.refund_id, refund_total_amount: amount, notification: ctx.notifier.refundApplication(waiting, order.notify_url) };
  },
  /** How many times each refund number was requested (a refund sent twice shows 2). */
  "refund-requests"(ctx, body) {
    const outTradeNo = text(body, "out_trade_no", true);
    const refunds = ctx.state.refunds().filter((refund) => refund.out_order_no === outTradeNo);
    return {
      refunds: refunds.map((refund) => ({ out_refund_no: refund.out_refund_no, refund: refund.amount, requests: refund.requests, status: refund.status })),
    };
  },
  redeliver(ctx, body) {
    const outRefundNo = text(body, "out_refund_no", false);
    const key = outRefundNo ? `refund:${outRefundNo}` : `order:${text(body, "out_trade_no", true)}`;
    const notification = ctx.notifier.redeliver(key);
    if (!notification) throw new ControlError(404, "no notification has been sent for it yet");
    return { notification };
  },
  drop: (ctx, body) => dropAction(ctx.notifier, body),
  clock(ctx, body) {
    ctx.state.advanceClock(wholeNumber(body, "advance_seconds", MAX_CLOCK_ADVANCE_SECONDS));
    return { offset_seconds: ctx.state.clockOffsetSeconds, changed: ctx.ledger.settleDue().map(summary) };
  },
};

export function serveControl(ctx: ControlContext, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return serveControlAction(ACTIONS, ctx, action, req, res);
}
