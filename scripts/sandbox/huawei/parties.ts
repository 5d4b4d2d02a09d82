import type { HuaweiTrade } from "./state";

/**
 * How Huawei names the parties of a trade in answers and callbacks: a direct trade by `mercNo` and `appId`,
 * a partner trade by the provider (`spMercNo`, `spAppId`) and its sub-merchant (`subMercNo`), as the partner
 * order query's answer lists them. The partner callback's field list is not published: the sandbox uses
 * the query's names.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-agent-merc-query-order
 */
export function partiesView(trade: HuaweiTrade): Record<string, unknown> {
  return trade.subMercNo ? { spMercNo: trade.mercNo, spAppId: trade.appId, subMercNo: trade.subMercNo } : { mercNo: trade.mercNo, appId: trade.appId };
}
