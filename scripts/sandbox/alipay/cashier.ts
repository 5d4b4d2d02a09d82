/**
 * The page `qr_code` points to locally: it stands in for the Alipay app after a scan (opening it is the
 * scan that creates a precreate trade), so a person can pay, fail or cancel and watch the merchant react.
 */
import type { ServerResponse } from "node:http";
import { cashierActionsScript, cashierPage, escapeHtml, type CashierTheme } from "../cashier-page";
import { sendHtml } from "../http";
import type { Ledger } from "./ledger";
import { formatYuan } from "./money";
import { ControlError, type TradeStatus } from "./types";

const THEME: CashierTheme = { background: "#f5f5f5", text: "#333", muted: "#666", accent: "#1677ff", danger: "#ff4d4f", neutral: "#f0f0f0" };

const STATUS_TEXT: Record<TradeStatus, string> = {
  WAIT_BUYER_PAY: "等待付款",
  TRADE_SUCCESS: "支付成功",
  TRADE_FINISHED: "交易完结",
  TRADE_CLOSED: "交易关闭",
};

const page = (title: string, body: string) => cashierPage(title, THEME, body);

export function serveCashier(ledger: Ledger, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  let trade;
  try {
    trade = outTradeNo ? ledger.scan(ledger.controlTrade(outTradeNo, query.get("app_id") ?? undefined)) : undefined;
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
  }
  if (!trade) {
    sendHtml(res, 404, page("订单不存在", `<h2>订单不存在</h2><p>商户订单号：${escapeHtml(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const yuan = `¥${formatYuan(trade.total_fen)}`;
  const buttons =
    trade.status === "WAIT_BUYER_PAY"
      ? `<button class="pay" data-action="pay">确认付款</button><button class="fail" data-action="fail">付款失败（余额不足）</button><button class="cancel" data-action="cancel">取消（关闭交易）</button>`
      : "";
  const body = `<h2>支付宝（沙箱）</h2>
<div class="amount">${yuan}</div>
<div class="row"><span>商品</span><span>${escapeHtml(trade.subject)}</span></div>
<div class="row"><span>商户订单号</span><span>${escapeHtml(trade.out_trade_no)}</span></div>
<div class="row"><span>应用</span><span>${escapeHtml(trade.app_id)}</span></div>
<div class="row"><span>状态</span><span>${escapeHtml(STATUS_TEXT[trade.status])}${trade.last_error ? `（上次失败：${escapeHtml(trade.last_error)}）` : ""}</span></div>
${buttons}<div id="result"></div>
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
${cashierActionsScript({ out_trade_no: trade.out_trade_no, app_id: trade.app_id }, { pay: "支付成功", fail: "已标记为付款失败", cancel: "交易已关闭" })}`;
  sendHtml(res, 200, page(`支付宝 ${yuan}`, body));
}
