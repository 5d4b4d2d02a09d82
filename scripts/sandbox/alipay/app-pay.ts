/**
 * App pay has no server call: the merchant signs an `alipay.trade.app.pay` order string and the App SDK
 * hands it to Alipay. The control action `app-pay` plays the SDK: it checks the string as Alipay does
 * and opens the trade so it can be paid.
 * @see https://opendocs.alipay.com/open/204/105465 (App 支付请求参数说明 / orderStr)
 */
import { findApp, verifyAppRequest, type AppRegistry } from "./apps";
import type { Ledger } from "./ledger";
import { ControlError, OpenApiError, type SandboxTrade } from "./types";
import { parseBizContent, parseTradeRequest } from "./validate";

/** `k=encodeURIComponent(v)&…` (alipay-sdk `sdkExecute`), each value decoded exactly once. */
export function parseOrderString(orderInfo: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of orderInfo.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new ControlError(400, `orderInfo has a malformed pair: ${pair.slice(0, 40)}`);
    try {
      // decodeURIComponent leaves `+` alone: the order string is not form encoding.
      params[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw new ControlError(400, `orderInfo has invalid percent-encoding in ${pair.slice(0, eq)}`);
    }
  }
  return params;
}

export function openAppPayTrade(ctx: { registry: AppRegistry; ledger: Ledger }, orderInfo: string): SandboxTrade {
  const params = parseOrderString(orderInfo);
  try {
    if (params.method !== "alipay.trade.app.pay")
      throw new ControlError(400, `orderInfo method must be alipay.trade.app.pay, got ${params.method ?? "(none)"}`);
    const app = findApp(ctx.registry, params);
    verifyAppRequest(ctx.registry, app, params);
    const biz = parseBizContent(params.biz_content);
    return ctx.ledger.open(app.appId, "app", parseTradeRequest(biz, params, "app", ctx.ledger.now()));
  } catch (error) {
    // What the Alipay app would show the buyer, with Alipay's sub code for tests to assert on.
    if (error instanceof OpenApiError) throw new ControlError(400, error.message, error.subCode);
    throw error;
  }
}
