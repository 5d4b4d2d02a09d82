/**
 * The page `qr_code` points to locally: it stands in for the Alipay app after a scan (opening it is the
 * scan that creates a precreate trade), so a person can pay, fail or cancel and watch the merchant react.
 */
import type { ServerResponse } from "node:http";
import { sendHtml } from "../http";
import type { Ledger } from "./ledger";
import { formatYuan } from "./money";
import { ControlError, type TradeStatus } from "./types";

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STATUS_TEXT: Record<TradeStatus, string> = {
  WAIT_BUYER_PAY: "等待付款",
  TRADE_SUCCESS: "支付成功",
  TRADE_FINISHED: "交易完结",
  TRADE_CLOSED: "交易关闭",
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;margin:0;padding:24px;color:#333}
.card{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h2{color:#1677ff}.amount{font-size:36px;font-weight:600;text-align:center;margin:16px 0}
.row{display:flex;justify-content:space-between;padding:6px 0;color:#666}
button{display:block;width:100%;margin-top:12px;padding:12px;font-size:17px;border:0;border-radius:6px;cursor:pointer}
.pay{background:#1677ff;color:#fff}.fail{background:#ff4d4f;color:#fff}.cancel{background:#f0f0f0;color:#333}
.note{margin-top:16px;font-size:13px;color:#999;text-align:center}#result{margin-top:16px;text-align:center;font-weight:600}
</style></head><body><div class="card">${body}</div></body></html>`;
}

export function serveCashier(ledger: Ledger, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  let trade;
  try {
    trade = outTradeNo ? ledger.scan(ledger.controlTrade(outTradeNo, query.get("app_id") ?? undefined)) : undefined;
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
  }
  if (!trade) {
    sendHtml(res, 404, page("订单不存在", `<h2>订单不存在</h2><p>商户订单号：${escape(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const yuan = `¥${formatYuan(trade.total_fen)}`;
  const buttons =
    trade.status === "WAIT_BUYER_PAY"
      ? `<button class="pay" data-action="pay">确认付款</button><button class="fail" data-action="fail">付款失败（余额不足）</button><button class="cancel" data-action="cancel">取消（关闭交易）</button>`
      : "";
  const body = `<h2>支付宝（沙箱）</h2>
<div class="amount">${yuan}</div>
<div class="row"><span>商品</span><span>${escape(trade.subject)}</span></div>
<div class="row"><span>商户订单号</span><span>${escape(trade.out_trade_no)}</span></div>
<div class="row"><span>应用</span><span>${escape(trade.app_id)}</span></div>
<div class="row"><span>状态</span><span>${escape(STATUS_TEXT[trade.status])}${trade.last_error ? `（上次失败：${escape(trade.last_error)}）` : ""}</span></div>
${buttons}<div id="result"></div>
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
<script>
const trade = ${JSON.stringify({ out_trade_no: trade.out_trade_no, app_id: trade.app_id }).replace(/</g, "\\u003c")};
const labels = { pay: "支付成功", fail: "已标记为付款失败", cancel: "交易已关闭" };
for (const button of document.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", async () => {
    const action = button.dataset.action;
    document.querySelectorAll("button").forEach((b) => (b.disabled = true));
    const result = document.getElementById("result");
    try {
      const reply = await fetch(action, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(trade) });
      const data = await reply.json();
      result.textContent = data.ok ? labels[action] : "操作失败：" + data.error;
      if (data.ok) setTimeout(() => location.reload(), 1200);
      else document.querySelectorAll("button").forEach((b) => (b.disabled = false));
    } catch (error) {
      result.textContent = "网络错误：" + error.message;
      document.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  });
}
</script>`;
  sendHtml(res, 200, page(`支付宝 ${yuan}`, body));
}
