/**
 * The page `code_url` and `h5_url` point to locally: it stands in for the WeChat app's payment sheet, so a
 * person can pay, fail or cancel an order and watch the merchant react.
 */
import type { ServerResponse } from "node:http";
import { cashierActionsScript, cashierPage, escapeHtml, type CashierTheme } from "../cashier-page";
import { sendHtml } from "./http";
import type { Ledger } from "./ledger";
import type { WxpaySandboxState } from "./state";

const THEME: CashierTheme = { background: "#ededed", text: "#191919", muted: "#555", accent: "#07c160", danger: "#fa5151", neutral: "#f2f2f2" };

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

const page = (title: string, body: string) => cashierPage(title, THEME, body);

export function serveCashier(ctx: { state: WxpaySandboxState; ledger: Ledger; defaultMchid: string }, query: URLSearchParams, res: ServerResponse): void {
  const outTradeNo = query.get("out_trade_no") ?? "";
  const mchid = query.get("mchid") ?? ctx.defaultMchid;
  const order = outTradeNo ? ctx.state.order(mchid, outTradeNo) : undefined;
  if (!order) {
    sendHtml(res, 404, page("订单不存在", `<h2>订单不存在</h2><p>商户订单号：${escapeHtml(outTradeNo || "（未提供）")}</p>`));
    return;
  }
  const payable = ctx.ledger.isPayable(order);
  const status = order.trade_state === "NOTPAY" && ctx.ledger.isExpired(order) ? "已超过支付结束时间" : order.trade_state_desc;
  const redirect = query.get("redirect_url");
  const back = redirect && /^https?:\/\//.test(redirect) ? `<p class="note"><a href="${escapeHtml(redirect)}">返回商户页面</a></p>` : "";
  const buttons = payable
    ? `<button class="pay" data-action="pay">支付</button><button class="fail" data-action="fail">支付失败</button><button class="cancel" data-action="cancel">取消</button>`
    : "";
  const body = `<h2>微信支付（沙箱）</h2>
<div class="amount">${yuan(order.total)}</div>
<div class="row"><span>商户</span><span>vk-pay 沙箱商户（${escapeHtml(order.mchid)}）</span></div>
<div class="row"><span>商品</span><span>${escapeHtml(order.description)}</span></div>
<div class="row"><span>商户订单号</span><span>${escapeHtml(order.out_trade_no)}</span></div>
<div class="row"><span>状态</span><span id="status">${escapeHtml(status)}</span></div>
${buttons}<div id="result"></div>${back}
<p class="note">本页面是本地沙箱，不会产生真实扣款。</p>
${cashierActionsScript({ out_trade_no: order.out_trade_no, mchid: order.mchid }, { pay: "支付成功", fail: "已标记为支付失败", cancel: "订单已取消" })}`;
  sendHtml(res, 200, page(`微信支付 ${yuan(order.total)}`, body));
}
