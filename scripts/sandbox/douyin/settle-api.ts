import { isRecord } from "../http";
import type { DouyinSandboxState } from "./state";
import { SandboxRefusal, type SandboxOrder, type SandboxRefund, type SandboxSettle } from "./types";

/**
 * 通用交易系统's settlement and refund-review APIs as the sandbox serves them (behind the same `access-token`
 * check as the order APIs):
 *
 * - `settle_create`: a paid order is settled once; `out_settle_no` is idempotent for the same order; the
 *   shares (`settle_params`, a JSON string of `{merchant_uid, amount}`) may not exceed what is left after
 *   refunds. The sandbox settles at once (Douyin does it asynchronously), and a settled order takes no
 *   further refund, its money having left the platform.
 * - `settle_query`: by `out_order_no`, `order_id`, `out_settle_no` or `settle_id`.
 * - `refund_audit_callback`: the developer's answer to a buyer's refund waiting for review
 *   (`refund_audit_status` 1 agree, 2 refuse with `deny_message`); answered once.
 *
 * Error numbers are the sandbox's own: the pages list none.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/trade-system/general/trade_settle/settle_create
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/trade-system/general/refund/refund_audit_callback
 */

type Body = Record<string, unknown>;
export interface SettleContext {
  state: DouyinSandboxState;
  appId: string;
  tradeOrder(body: Body): SandboxOrder;
}

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

function sharesOf(value: unknown): SandboxSettle["shares"] {
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = typeof value === "string" ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw new SandboxRefusal(2, "settle_params 必须是 JSON 数组字符串");
  return parsed.map((share) => {
    if (!isRecord(share) || !str(share.merchant_uid) || typeof share.amount !== "number" || !Number.isSafeInteger(share.amount) || share.amount <= 0)
      throw new SandboxRefusal(2, "settle_params 的每一项需要 merchant_uid 和正整数 amount");
    return { merchant_uid: share.merchant_uid as string, amount: share.amount };
  });
}

function refundedOf(ctx: SettleContext, order: SandboxOrder): number {
  return ctx.state
    .refunds()
    .filter((refund) => refund.app_id === order.app_id && refund.out_order_no === order.out_order_no && refund.status !== "FAIL")
    .reduce((sum, refund) => sum + refund.amount, 0);
}

export function settledOrder(state: DouyinSandboxState, order: SandboxOrder): SandboxSettle | undefined {
  return state.settles().find((settle) => settle.app_id === order.app_id && settle.out_order_no === order.out_order_no);
}

function settleView(settle: SandboxSettle) {
  return {
    settle_id: settle.settle_id,
    out_settle_no: settle.out_settle_no,
    order_id: settle.order_id,
    out_order_no: settle.out_order_no,
    settle_status: settle.status,
    settle_amount: settle.seller_amount + settle.shares.reduce((sum, share) => sum + share.amount, 0),
    settle_desc: settle.settle_desc,
    settle_detail: JSON.stringify(settle.shares),
    settle_at: settle.created_at,
    ...(settle.ext ? { ext: settle.ext } : {}),
  };
}

function settleCreate(ctx: SettleContext, body: Body) {
  const order = ctx.tradeOrder({ out_order_no: body.out_order_no });
  const outSettleNo = str(body.out_settle_no);
  const description = str(body.settle_desc);
  if (!outSettleNo || !description) throw new SandboxRefusal(2, "out_settle_no 与 settle_desc 必填");
  const shares = sharesOf(body.settle_params);
  const existing = ctx.state.settle(ctx.appId, outSettleNo);
  if (existing) {
    if (existing.out_order_no !== order.out_order_no) throw new SandboxRefusal(22001, "结算单号已被其他订单使用");
    return { data: { settle_id: existing.settle_id } };
  }
  if (order.status !== "SUCCESS") throw new SandboxRefusal(22002, "订单未支付，不能结算");
  if (settledOrder(ctx.state, order)) throw new SandboxRefusal(22003, "订单已结算");
  if (ctx.state.refunds().some((refund) => refund.out_order_no === order.out_order_no && refund.app_id === order.app_id && refund.status === "PROCESSING"))
    throw new SandboxRefusal(22004, "订单有退款处理中，不能结算");
  const left = order.total_amount - refundedOf(ctx, order);
  const shared = shares.reduce((sum, share) => sum + share.amount, 0);
  if (shared > left) throw new SandboxRefusal(22005, "分账金额超过可结算金额");
  const settle: SandboxSettle = {
    app_id: ctx.appId,
    out_order_no: order.out_order_no,
    order_id: order.order_id,
    out_settle_no: outSettleNo,
    settle_id: ctx.state.nextId("ots"),
    settle_desc: description,
    shares,
    seller_amount: left - shared,
    status: "SUCCESS",
    created_at: ctx.state.businessNow(),
    ...(str(body.ext) ? { ext: str(body.ext) } : {}),
  };
  ctx.state.putSettle(settle);
  return { data: { settle_id: settle.settle_id } };
}

function settleQuery(ctx: SettleContext, body: Body) {
  const by = { out_order_no: str(body.out_order_no), order_id: str(body.order_id), out_settle_no: str(body.out_settle_no), settle_id: str(body.settle_id) };
  if (!by.out_order_no && !by.order_id && !by.out_settle_no && !by.settle_id)
    throw new SandboxRefusal(2, "out_order_no、order_id、out_settle_no、settle_id 不能都为空");
  const list = ctx.state
    .settles()
    .filter((settle) => settle.app_id === ctx.appId)
    .filter((settle) => (Object.keys(by) as Array<keyof typeof by>).every((key) => !by[key] || settle[key] === by[key]));
  return { data: { settle_list: list.map(settleView) } };
}

function refundAudit(ctx: SettleContext, body: Body) {
  const refundId = str(body.refund_id);
  const refund = ctx.state.refunds().find((entry: SandboxRefund) => entry.system === "trade" && entry.app_id === ctx.appId && entry.refund_id === refundId);
  if (!refund) throw new SandboxRefusal(21005, "退款单不存在");
  if (refund.audit !== "PENDING") throw new SandboxRefusal(21006, "该退款无需审核或已审核");
  const status = body.refund_audit_status;
  if (status === 1) {
    ctx.state.putRefund({ ...refund, audit: "AGREE" });
  } else if (status === 2) {
    const denyMessage = str(body.deny_message);
    if (!denyMessage) throw new SandboxRefusal(2, "拒绝退款需要 deny_message");
    ctx.state.putRefund({ ...refund, audit: "DENY", deny_message: denyMessage, status: "FAIL", refunded_at: ctx.state.businessNow() });
  } else {
    throw new SandboxRefusal(2, "refund_audit_status 只能是 1（同意）或 2（拒绝）");
  }
  return { data: {} };
}

export const SETTLE_APIS: Record<string, (ctx: SettleContext, body: Body) => Record<string, unknown>> = {
  settle_create: settleCreate,
  settle_query: settleQuery,
  refund_audit_callback: refundAudit,
};
