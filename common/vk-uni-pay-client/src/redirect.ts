import { callRoute, envelopeFailure } from "./cloud";
import { checkPayment, paidResult } from "./check-payment";
import { callUni } from "./host";
import type { ClientContext } from "./context";
import { cancelled } from "./errors";
import type { CreatedPayment, PaymentState, PayParams, PayResult } from "./types";

/** The page with `confirmShow=true&out_trade_no=…` added, so that it knows, on return, to ask and query. */
export function defaultReturnUrl(href: string, outTradeNo: string): string {
  const cleaned = href
    .replace(/([?&])(confirmShow|out_trade_no)=[^&#]*/g, "$1")
    .replace(/[?&]+$/, "")
    .replace(/&&+/g, "&")
    .replace(/\?&/, "?");
  return `${cleaned}${cleaned.includes("?") ? "&" : "?"}confirmShow=true&out_trade_no=${encodeURIComponent(outTradeNo)}`;
}

/** WeChat MWEB's page: v3's `h5Url`, v2's `mwebUrl` / `mweb_url`, or a cashier page (vkspay's `mwebUrl`). */
export function redirectUrlOf(orderInfo: any): string | undefined {
  const url = orderInfo?.h5Url ?? orderInfo?.mwebUrl ?? orderInfo?.mweb_url;
  return typeof url === "string" && url ? url : undefined;
}

/**
 * Leaves for the cashier: WeChat returns the payer to `redirect_url` (URL-encoded), which may happen before
 * the payment has ended, so the return page asks the payer and then queries (confirmReturn). In an App the
 * cashier opens outside and the page polls.
 * @see https://pay.weixin.qq.com/wiki/doc/api/H5.php?chapter=15_4
 */
export async function payByRedirect(context: ClientContext, created: CreatedPayment, params: PayParams, inApp: boolean): Promise<PayResult> {
  const { host } = context;
  const cashier = redirectUrlOf(created.orderInfo)!;
  if (inApp && host.plus?.runtime) {
    host.plus.runtime.openURL(cashier);
    return checkPayment(context, created, {
      awaitNotify: params.awaitNotify,
      firstDelay: 0,
      pollingTime: params.pollingTime,
      pollingTimes: params.pollingTimes,
    });
  }
  const browser = host.window;
  const returnUrl = params.returnUrl ?? (browser ? defaultReturnUrl(browser.location.href, created.out_trade_no) : undefined);
  const target = returnUrl ? `${cashier}${cashier.includes("?") ? "&" : "?"}redirect_url=${encodeURIComponent(returnUrl)}` : cashier;
  if (browser) browser.location.href = target;
  return {
    out_trade_no: created.out_trade_no,
    provider: created.provider,
    pay_type: created.pay_type,
    total_fee: created.total_fee,
    orderPaid: false,
    redirected: true,
  };
}

/** The return page's own parameters: the page's onLoad options, or read from its address. */
export function returnParams(href: string | undefined, query?: Record<string, unknown>): { outTradeNo: string } | undefined {
  if (query) return query.confirmShow === "true" || query.confirmShow === true ? outTradeNoFrom(query.out_trade_no) : undefined;
  if (!href || !/[?&]confirmShow=true(&|#|$)/.test(href)) return undefined;
  const match = /[?&]out_trade_no=([^&#]*)/.exec(href);
  return match ? outTradeNoFrom(decodeURIComponent(match[1]!)) : undefined;
}

function outTradeNoFrom(value: unknown): { outTradeNo: string } | undefined {
  return typeof value === "string" && value ? { outTradeNo: value } : undefined;
}

export interface ConfirmReturnParams {
  /** The page's onLoad options; the address is read when absent. */
  query?: Record<string, unknown>;
  awaitNotify?: boolean;
  pollingTime?: number;
  pollingTimes?: number;
}

/**
 * On the page a web cashier returned to (WeChat's MWEB, vkspay's): nothing when it was not a return;
 * otherwise queries, and asks the payer whether they paid only when the server has no payment yet. A payer who says "paid" is believed only once the server agrees
 * (polling a while, as the notification may still be on its way); one who says "not paid" gets a cancel
 * unless the server already has the payment.
 */
export async function confirmReturn(context: ClientContext, params: ConfirmReturnParams = {}): Promise<PayResult | null> {
  const { host, options } = context;
  const found = returnParams(host.window?.location.href, params.query);
  if (!found) return null;
  const { outTradeNo } = found;
  const browser = host.window;
  if (browser?.history?.replaceState) browser.history.replaceState(null, "", browser.location.href.replace(/[?&]confirmShow=true/, ""));
  // The order says which provider's cashier this was (WeChat's MWEB, an aggregator's page): nothing here assumes one.
  const first = await callRoute(host, options, "pay/queryPayment", { out_trade_no: outTradeNo, await_notify: params.awaitNotify === true });
  if (first.code !== 0) throw envelopeFailure("result", first, outTradeNo);
  const state = first.data as PaymentState;
  const known = { out_trade_no: outTradeNo, provider: state.provider ?? "", pay_type: state.pay_type ?? "", total_fee: state.total_fee };
  if (state.orderPaid) return paidResult(known, state);
  const answer = await callUni(host.uni, "showModal", { title: "支付确认", content: "请确认支付是否已完成", confirmText: "已完成", cancelText: "未完成" });
  if (!(answer.ok && answer.res?.confirm === true)) throw cancelled(outTradeNo, state, "未完成支付");
  return checkPayment(context, known, { awaitNotify: params.awaitNotify, firstDelay: params.pollingTime ?? options.pollingTime ?? 1500, ...params });
}
