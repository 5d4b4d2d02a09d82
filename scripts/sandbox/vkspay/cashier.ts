import type { ServerResponse } from "node:http";
import { cashierActionsScript, cashierPage, escapeHtml, type CashierTheme } from "../cashier-page";
import { sendHtml } from "../http";
import type { VkspaySandboxState } from "./state";

const THEME: CashierTheme = { background: "#f5f5f5", text: "#333", muted: "#666", accent: "#07c160", danger: "#ff4d4f", neutral: "#f0f0f0" };

/** The page `qrcode` / `payurl` points to locally: the aggregator's cashier, where a person can pay. */
export function serveVkspayCashier(state: VkspaySandboxState, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  const trade = outTradeNo ? state.trade(outTradeNo) : undefined;
  if (!trade) {
    sendHtml(res, 404, cashierPage("订单不存在", THEME, `<h2>订单不存在</h2><p>商户订单号：${escapeHtml(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const body = `<h2>VksPay（沙箱，${trade.type === "wxpay" ? "微信支付" : "支付宝"}）</h2>
<div class="amount">¥${escapeHtml(trade.money)}</div>
<div class="row"><span>商品</span><span>${escapeHtml(trade.name)}</span></div>
<div class="row"><span>商户订单号</span><span>${escapeHtml(trade.out_trade_no)}</span></div>
<div class="row"><span>状态</span><span>${trade.status === 1 ? "已支付" : "等待付款"}</span></div>
${trade.status === 0 ? `<button class="pay" data-action="pay">确认付款</button>` : ""}<div id="result"></div>
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
${cashierActionsScript({ out_trade_no: trade.out_trade_no }, { pay: "支付成功", fail: "", cancel: "" })}`;
  sendHtml(res, 200, cashierPage(`VksPay ¥${trade.money}`, THEME, body));
}
