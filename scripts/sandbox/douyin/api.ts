import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord, readRawBody, sendJson } from "../http";
import type { DouyinSandboxKeys } from "./keys";
import type { DouyinLedger } from "./ledger";
import { ecpaySign } from "./sign";
import { SETTLE_APIS, settledOrder } from "./settle-api";
import type { DouyinSandboxState } from "./state";
import { SandboxRefusal, type SandboxOrder, type SandboxRefund } from "./types";

/**
 * Douyin's server APIs as the sandbox serves them: the client_token, 通用交易系统's order and refund APIs
 * (refused without a valid `access-token`), 担保支付's salt-signed v1 APIs, and the balance query. Error
 * answers keep Douyin's envelope (`err_no` ≠ 0 with `err_msg` or `err_tips`); their numbers are the
 * sandbox's own where the pages list none.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/query-order
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/pay
 */

export interface ApiContext {
  state: DouyinSandboxState;
  keys: DouyinSandboxKeys;
  ledger: DouyinLedger;
  /** Where the sandbox is mounted, for ids only. */
  log: (line: string) => void;
}

const TOKEN_SECONDS = 7200;
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined);
const int = (value: unknown) =>
  typeof value === "number" && Number.isSafeInteger(value) ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;

function clientToken(ctx: ApiContext, body: Record<string, unknown>) {
  if (body.grant_type !== "client_credential") return { data: { error_code: 10003, description: "grant_type 错误" }, message: "error" };
  if (body.client_key !== ctx.keys.appId || body.client_secret !== ctx.keys.secret)
    return { data: { error_code: 10013, description: "client_key 或 client_secret 错误" }, message: "error" };
  const token = `clt.${randomBytes(16).toString("hex")}`;
  ctx.state.putToken(token, ctx.keys.appId, ctx.state.now() + TOKEN_SECONDS * 1000);
  return { data: { access_token: token, expires_in: TOKEN_SECONDS, description: "", error_code: 0 }, message: "success" };
}

function checkToken(ctx: ApiContext, req: IncomingMessage): void {
  const header = req.headers["access-token"];
  const token = ctx.state.token(typeof header === "string" ? header : "");
  if (!token || token.expires_at <= ctx.state.now()) throw new SandboxRefusal(28001003, "access_token无效");
}

function tradeOrderView(order: SandboxOrder) {
  return {
    order_id: order.order_id,
    out_order_no: order.out_order_no,
    app_id: order.app_id,
    pay_status: order.status,
    ...(order.status === "SUCCESS" ? { pay_time: order.pay_time, pay_channel: order.pay_channel, channel_pay_id: order.channel_pay_id } : {}),
    trade_time: order.created_at,
    total_amount: order.total_amount,
    discount_amount: 0,
    merchant_uid: order.merchant_uid,
    currency: "CNY",
    item_order_list: [{ item_order_id: order.item_order_id, sku_id: order.out_order_no, item_order_amount: order.total_amount }],
  };
}

function tradeRefundView(refund: SandboxRefund) {
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    order_id: refund.order_id,
    refund_status: refund.status,
    refund_total_amount: refund.amount,
    create_at: refund.created_at,
    ...(refund.refunded_at ? { refund_at: refund.refunded_at } : {}),
    message: refund.status === "FAIL" ? "退款失败" : "",
    item_order_detail: [{ item_order_id: `${refund.order_id}01`, refund_amount: refund.amount }],
    refund_source: refund.source === "buyer" ? 1 : 2,
    merchant_audit_detail: refund.audit
      ? {
          need_refund_audit: 1,
          audit_status: refund.audit,
          refund_audit_deadline: refund.created_at + 3 * 24 * 3600_000,
          deny_message: refund.deny_message ?? "",
        }
      : { need_refund_audit: 2, audit_status: "AGREE", refund_audit_deadline: 0, deny_message: "" },
  };
}

function tradeOrder(ctx: ApiContext, body: Record<string, unknown>): SandboxOrder {
  const orderId = str(body.order_id);
  const outOrderNo = str(body.out_order_no);
  ctx.ledger.settleDue();
  const order = orderId ? ctx.state.orderById(orderId) : outOrderNo ? ctx.state.order(ctx.keys.appId, outOrderNo) : undefined;
  if (!orderId && !outOrderNo) throw new SandboxRefusal(2, "order_id 与 out_order_no 不能同时为空");
  if (!order || order.system !== "trade") throw new SandboxRefusal(20000, "订单不存在");
  return order;
}

const TRADE: Record<string, (ctx: ApiContext, body: Record<string, unknown>) => Record<string, unknown>> = {
  order_query: (ctx, body) => ({ data: tradeOrderView(tradeOrder(ctx, body)) }),
  refund_create(ctx, body) {
    const order = tradeOrder(ctx, { order_id: body.order_id });
    const outRefundNo = str(body.out_refund_no);
    const amount = int(body.refund_total_amount);
    const items = Array.isArray(body.item_order_detail) ? body.item_order_detail.filter(isRecord) : [];
    if (!outRefundNo || amount === undefined) throw new SandboxRefusal(2, "out_refund_no 与 refund_total_amount 必填");
    if (settledOrder(ctx.state, order)) throw new SandboxRefusal(21007, "订单已结算，不能退款");
    if (!Array.isArray(body.refund_reason) || body.refund_reason.length === 0) throw new SandboxRefusal(2, "refund_reason 必填");
    if (!isRecord(body.order_entry_schema) || !str(body.order_entry_schema.path)) throw new SandboxRefusal(2, "order_entry_schema 必填");
    if (items.length !== 1 || items[0]!.item_order_id !== order.item_order_id || int(items[0]!.refund_amount) !== amount)
      throw new SandboxRefusal(2, "item_order_detail 与订单的商品单或退款金额不符");
    const refund = ctx.ledger.createRefund("trade", order, {
      out_refund_no: outRefundNo,
      amount,
      notify_url: str(body.notify_url),
      cp_extra: str(body.cp_extra),
    });
    return { data: { refund_id: refund.refund_id, refund_audit_deadline: refund.created_at + 3 * 24 * 3600_000 } };
  },
  ...Object.fromEntries(
    Object.entries(SETTLE_APIS).map(([name, serve]) => [
      name,
      (ctx: ApiContext, body: Record<string, unknown>) => serve({ state: ctx.state, appId: ctx.keys.appId, tradeOrder: (by) => tradeOrder(ctx, by) }, body),
    ]),
  ),
  refund_query(ctx, body) {
    const outRefundNo = str(body.out_refund_no);
    const refundId = str(body.refund_id);
    const orderId = str(body.order_id);
    if (!outRefundNo && !refundId && !orderId) throw new SandboxRefusal(2, "refund_id、out_refund_no、order_id 不能都为空");
    const list = ctx.state
      .refunds()
      .filter((refund) => refund.system === "trade" && refund.app_id === ctx.keys.appId)
      .filter(
        (refund) =>
          (!outRefundNo || refund.out_refund_no === outRefundNo) && (!refundId || refund.refund_id === refundId) && (!orderId || refund.order_id === orderId),
      );
    return { data: { refund_list: list.map(tradeRefundView) } };
  },
};

function balance(ctx: ApiContext, body: Record<string, unknown>) {
  if (body.app_id !== undefined && body.app_id !== ctx.keys.appId) throw new SandboxRefusal(2, "app_id 错误");
  if (body.merchant_uid !== ctx.keys.mchId) throw new SandboxRefusal(2, "merchant_uid 错误");
  if (!["hz", "wx", "alipay", "yeepay"].includes(String(body.channel_type))) throw new SandboxRefusal(2, "channel_type 错误");
  const paid = ctx.state
    .orders()
    .filter((order) => order.status === "SUCCESS")
    .reduce((sum, order) => sum + order.total_amount, 0);
  const refunded = ctx.state
    .refunds()
    .filter((refund) => refund.status !== "FAIL")
    .reduce((sum, refund) => sum + refund.amount, 0);
  return {
    account_info: { online_balance: 0, withdrawable_balacne: paid - refunded, freeze_balance: 0 },
    settle_info: { settle_type: 1, settle_account: "", bankcard_no: "", bank_name: "" },
  };
}

function ecpayOrderView(order: SandboxOrder) {
  const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace("T", " ").slice(0, 19);
  return {
    out_order_no: order.out_order_no,
    order_id: order.order_id,
    payment_info: {
      total_fee: order.total_amount,
      order_status: order.status === "PROCESS" ? "PROCESSING" : order.status,
      pay_time: order.pay_time ? beijing(order.pay_time) : "",
      way: order.pay_channel ? String(order.pay_channel) : "",
      channel_no: order.channel_pay_id ?? "",
      channel_gateway_no: "",
      seller_uid: order.merchant_uid,
      item_id: "",
      cp_extra: order.cp_extra ?? "",
    },
  };
}

const ECPAY: Record<string, (ctx: ApiContext, body: Record<string, unknown>) => Record<string, unknown>> = {
  create_order(ctx, body) {
    const outOrderNo = str(body.out_order_no);
    const amount = int(body.total_amount);
    const validTime = int(body.valid_time);
    if (!outOrderNo || amount === undefined || amount <= 0 || !str(body.subject) || !str(body.body) || validTime === undefined)
      throw new SandboxRefusal(2008, "参数不合法");
    const existing = ctx.state.order(ctx.keys.appId, outOrderNo);
    if (existing) {
      if (existing.system !== "ecpay" || existing.total_amount !== amount || existing.status !== "PROCESS") throw new SandboxRefusal(2009, "订单号重复");
      return { data: { order_id: existing.order_id, order_token: existing.order_token } };
    }
    const now = ctx.state.businessNow();
    const order: SandboxOrder = {
      system: "ecpay",
      app_id: ctx.keys.appId,
      out_order_no: outOrderNo,
      order_id: ctx.state.nextId("N7"),
      order_token: randomBytes(24).toString("base64url"),
      total_amount: amount,
      subject: String(body.subject),
      ...(str(body.notify_url) ? { notify_url: str(body.notify_url) } : {}),
      ...(str(body.cp_extra) ? { cp_extra: str(body.cp_extra) } : {}),
      merchant_uid: ctx.keys.mchId,
      status: "PROCESS",
      created_at: now,
      expire_at: now + validTime * 1000,
    };
    ctx.state.putOrder(order);
    return { data: { order_id: order.order_id, order_token: order.order_token } };
  },
  query_order(ctx, body) {
    const order = ctx.ledger.find(ctx.keys.appId, str(body.out_order_no) ?? "");
    if (order.system !== "ecpay") throw new SandboxRefusal(20000, "订单不存在");
    return ecpayOrderView(order);
  },
  create_refund(ctx, body) {
    const order = ctx.ledger.find(ctx.keys.appId, str(body.out_order_no) ?? "");
    const outRefundNo = str(body.out_refund_no);
    const amount = int(body.refund_amount);
    if (order.system !== "ecpay" || !outRefundNo || amount === undefined || !str(body.reason)) throw new SandboxRefusal(2008, "参数不合法");
    const refund = ctx.ledger.createRefund("ecpay", order, {
      out_refund_no: outRefundNo,
      amount,
      notify_url: str(body.notify_url),
      cp_extra: str(body.cp_extra),
    });
    return { refund_no: refund.refund_id };
  },
  query_refund(ctx, body) {
    const refund = ctx.state.refund(ctx.keys.appId, str(body.out_refund_no) ?? "");
    if (!refund || refund.system !== "ecpay") throw new SandboxRefusal(20000, "退款单不存在");
    return {
      refundInfo: {
        refund_no: refund.refund_id,
        refund_amount: refund.amount,
        refund_status: refund.status,
        refunded_at: refund.refunded_at ? Math.floor(refund.refunded_at / 1000) : 0,
        is_all_settled: false,
        cp_extra: refund.cp_extra ?? "",
      },
    };
  },
};

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const raw = await readRawBody(req);
  if (!raw) return undefined;
  try {
    const body = JSON.parse(raw.toString("utf8")) as unknown;
    return isRecord(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Serves an API path; false when `path` is none of them. */
export async function serveApi(ctx: ApiContext, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const trade = /^\/api\/trade_basic\/v1\/developer\/([a-z_]+)\/$/.exec(path);
  const ecpay = /^\/api\/apps\/ecpay\/v1\/([a-z_]+)$/.exec(path);
  const known =
    path === "/oauth/client_token/" || path === "/api/apps/ecpay/saas/query_merchant_balance/" || (trade && TRADE[trade[1]!]) || (ecpay && ECPAY[ecpay[1]!]);
  if (!known) return false;
  if (req.method !== "POST") {
    sendJson(res, 405, { err_no: 405, err_msg: "method not allowed" });
    return true;
  }
  const body = await readJsonBody(req);
  const errorKey = ecpay ? "err_tips" : "err_msg";
  try {
    if (!body) throw new SandboxRefusal(2, "请求体不是 JSON 对象");
    if (path === "/oauth/client_token/") {
      sendJson(res, 200, clientToken(ctx, body));
      return true;
    }
    if (ecpay) {
      if (body.app_id !== ctx.keys.appId) throw new SandboxRefusal(2001, "app_id 错误");
      if (typeof body.sign !== "string" || body.sign !== ecpaySign(body, ctx.keys.salt)) throw new SandboxRefusal(2002, "签名校验失败");
      sendJson(res, 200, { err_no: 0, err_tips: "", ...ECPAY[ecpay[1]!]!(ctx, body) });
      return true;
    }
    checkToken(ctx, req);
    const answer = trade ? TRADE[trade[1]!]!(ctx, body) : balance(ctx, body);
    sendJson(res, 200, trade ? { err_no: 0, err_msg: "", log_id: randomBytes(8).toString("hex"), ...answer } : { err_no: 0, err_tips: "", ...answer });
  } catch (error) {
    if (!(error instanceof SandboxRefusal)) throw error;
    sendJson(res, 200, { err_no: error.errNo, [errorKey]: error.message, log_id: randomBytes(8).toString("hex") });
  }
  return true;
}
