/**
 * The page `code_url` and `h5_url` point to locally: it stands in for the WeChat app's payment sheet, so a
 * person can pay, fail or cancel an order and watch the merchant react.
 */
import type { ServerResponse } from "node:http";
import { sendHtml } from "./http";
import type { Ledger } from "./ledger";
import type { WxpaySandboxState } from "./state";

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#ededed;margin:0;padding:24px;color:#191919}
.card{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
.amount{font-size:36px;font-weight:600;text-align:center;margin:16px 0}
.row{display:flex;justify-content:space-between;padding:6px 0;color:#555}
button{display:block;width:100%;margin-top:12px;padding:12px;font-size:17px;border:0;border-radius:6px;cursor:pointer}
.pay{background:#07c160;color:#fff}.fail{background:#fa5151;color:#fff}.cancel{background:#f2f2f2;color:#191919}
.note{margin-top:16px;font-size:13px;color:#888;text-align:center}#result{margin-top:16px;text-align:center;font-weight:600}
</style></head><body><div class="card">${body}</div></body></html>`;
}

export function serveCashier(ctx: { state: WxpaySandboxState; ledger: Ledger; defaultMchid: string }, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  const mchid = query.get("mchid") ?? ctx.defaultMchid;
  const order = outTradeNo ? ctx.state.order(mchid, outTradeNo) : undefined;
  if (!order) {
    sendHtml(res, 404, page("订单不存在", `<h2>订单不存在</h2><p>商户订单号：${escape(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const payable = ctx.ledger.isPayable(order);
  const status = order.trade_state === "NOTPAY" && ctx.ledger.isExpired(order) ? "已超过支付结束时间" : order.trade_state_desc;
  const redirect = query.get("redirect_url");
  const back = redirect && /^https?:\/\//.test(redirect) ? `<p class="note"><a href="${escape(redirect)}">返回商户页面</a></p>` : "";
  const buttons = payable
    ? `<button class="pay" data-action="pay">支付</button><button class="fail" data-action="fail">支付失败</button><button class="cancel" data-action="cancel">取消</button>`
    : "";
  const body = `<h2>微信支付（沙箱）</h2>
<div class="amount">${yuan(order.total)}</div>
<div class="row"><span>商户</span><span>vk-pay 沙箱商户（${escape(order.mchid)}）</span></div>
<div class="row"><span>商品</span><span>${escape(order.description)}</span></div>
<div class="row"><span>商户订单号</span><span>${escape(order.out_trade_no)}</span></div>
<div class="row"><span>状态</span><span id="status">${escape(status)}</span></div>
${buttons}<div id="result"></div>${back}
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
<script>
const order = ${JSON.stringify({ out_trade_no: order.out_trade_no, mchid: order.mchid }).replace(/</g, "\\u003c")};
const labels = { pay: "支付成功", fail: "已标记为支付失败", cancel: "订单已取消" };
for (const button of document.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", async () => {
    const action = button.dataset.action;
    document.querySelectorAll("button").forEach((b) => (b.disabled = true));
    const result = document.getElementById("result");
    try {
      const reply = await fetch(action, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(order) });
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
  sendHtml(res, 200, page(`微信支付 ${yuan(order.total)}`, body));
}
