import { ConfigError } from "../../core/errors";
import type { ProviderCallMethod, ProviderCallRequest, ProviderCallResult, ProviderRuntime } from "../../kernel/contract";
import { readDouyinMerchant } from "./merchant";
import { auditTradeRefund } from "./trade/refund-audit";
import { createTradeSettle, queryTradeSettle } from "./trade/settle";

/**
 * Douyin's own library calls, which neither vk-uni-pay's manual nor vk-pay.md names (the manual reaches
 * settlement only through a raw `initUniPayInstance().request()`): settlement and the answer to a buyer's
 * refund request, each about one order, for 通用交易系统 only (担保支付's settle API is a different one).
 */
export const DOUYIN_CALLS: readonly ProviderCallMethod[] = Object.freeze([
  { name: "douyin.createSettle", mode: "mp-toutiao", order: true },
  { name: "douyin.querySettle", mode: "mp-toutiao", order: true },
  { name: "douyin.auditRefund", mode: "mp-toutiao", order: true },
]);

type Handler = (...args: Parameters<typeof auditTradeRefund>) => Promise<ProviderCallResult>;
const answerOnly =
  (handler: (...args: Parameters<typeof auditTradeRefund>) => Promise<Record<string, unknown>>): Handler =>
  async (...args) => ({ data: await handler(...args) });

const HANDLERS: Record<string, Handler> = {
  "douyin.createSettle": answerOnly(createTradeSettle),
  "douyin.querySettle": answerOnly(queryTradeSettle),
  // An agreed buyer's refund comes back with it, for the core's refund ledger.
  "douyin.auditRefund": auditTradeRefund,
};

export async function callDouyin(request: ProviderCallRequest, runtime: ProviderRuntime): Promise<ProviderCallResult> {
  const handler = Object.prototype.hasOwnProperty.call(HANDLERS, request.name) ? HANDLERS[request.name] : undefined;
  if (!handler) throw new ConfigError("provider-call-unavailable", `${request.name.slice(0, 64)} 暂不可用`);
  const merchant = readDouyinMerchant(request.config);
  if (merchant.system !== "trade") throw new ConfigError("douyin-call-trade-only", "结算与退款审核仅支持抖音通用交易系统（version: 2）");
  return handler(request.order, request.params, merchant, runtime);
}
