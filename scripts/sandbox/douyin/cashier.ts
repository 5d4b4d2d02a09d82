/**
 * A stand-in for Douyin's cashier: the order as the sandbox holds it, with buttons to pay (by WeChat Pay
 * inside the cashier) or cancel, so a person can watch the merchant react.
 */
import type { ServerResponse } from "node:http";
import { cashierActionsScript, cashierPage, escapeHtml, type CashierTheme } from "../cashier-page";
import { sendHtml } from "../http";
import type { DouyinSandboxState } from "./state";

const THEME: CashierTheme = { background: "#f8f8f8", text: "#161823", muted: "#6b6d75", accent: "#fe2c55", danger: "#d4380d", neutral: "#f0f0f0" };

export function serveCashier(state: DouyinSandboxState, appId: string, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  const order = outTradeNo ? state.order(appId, outTradeNo) : undefined;
  if (!order) {
    sendHtml(res, 404, cashierPage("订单不存在", THEME, `<h2>订单不存在</h2><p>商户订单号：${escapeHtml(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const yuan = `¥${(order.total_amount / 100).toFixed(2)}`;
  const buttons =
    order.status === "PROCESS" ? `<button class="pay" data-action="pay">确认付款</button><button class="cancel" data-action="cancel">取消支付</button>` : "";
  const body = `<h2>抖音收银台（沙箱）</h2>
<div class="amount">${yuan}</div>
<div class="row"><span>商品</span><span>${escapeHtml(order.subject)}</span></div>
<div class="row"><span>商户订单号</span><span>${escapeHtml(order.out_order_no)}</span></div>
<div class="row"><span>系统</span><span>${order.system === "trade" ? "通用交易系统" : "担保支付"}</span></div>
<div class="row"><span>状态</span><span>${escapeHtml(order.status)}</span></div>
${buttons}<div id="result"></div>
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
${cashierActionsScript({ out_trade_no: order.out_order_no }, { pay: "支付成功", fail: "支付失败", cancel: "已取消支付" })}`;
  sendHtml(res, 200, cashierPage(`抖音支付 ${yuan}`, THEME, body));
}
