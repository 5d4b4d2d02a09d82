import { VkPayClientError, type FailType } from "./errors";
import type { ClientHost } from "./host";
import type { ActionTarget, VkPayClientOptions } from "./types";

/** The server's envelope: `{ code: 0, msg, data }` or `{ code, msg, errCode }` (README, "Calling vk-pay"). */
export interface Envelope<T = any> {
  code: number;
  msg?: string;
  errCode?: string;
  data?: T;
}

/** The function and event keys of one call: the route's own target over the client's defaults. */
export function targetOf(route: string | ActionTarget, options: VkPayClientOptions): Required<ActionTarget> {
  const target = typeof route === "string" ? { action: route } : route;
  return {
    name: target.name ?? options.name ?? "vk-pay",
    action: target.action,
    actionKey: target.actionKey ?? options.actionKey ?? "url",
    dataKey: target.dataKey ?? options.dataKey ?? "data",
  };
}

/**
 * Calls a route through `uniCloud.callFunction` (which sends the uni-id token and the client's platform by
 * itself) and answers the envelope; a call that never reached the function answers a code of its own.
 * @see https://doc.dcloud.net.cn/uniCloud/cf-callfunction.html
 */
export async function callRoute(host: ClientHost, options: VkPayClientOptions, route: string | ActionTarget, data: Record<string, unknown>): Promise<Envelope> {
  const target = targetOf(route, options);
  try {
    const res = await host.uniCloud.callFunction({ name: target.name, data: { [target.actionKey]: target.action, [target.dataKey]: data } });
    const result = res?.result as Envelope | undefined;
    if (!result || typeof result !== "object" || typeof result.code !== "number") {
      return { code: -1, msg: "服务器返回数据格式错误", errCode: "vk-pay-client-bad-reply" };
    }
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: -1, msg: "网络异常，请稍后再试", errCode: "vk-pay-client-network", data: { detail: message } };
  }
}

/** An envelope that is not a success, as the client's error. */
export function envelopeFailure(failType: FailType, reply: Envelope, outTradeNo?: string): VkPayClientError {
  return new VkPayClientError({
    failType,
    code: reply.code,
    msg: reply.msg || "请求失败",
    ...(reply.errCode ? { errCode: reply.errCode } : {}),
    ...(outTradeNo ? { out_trade_no: outTradeNo } : {}),
    raw: reply,
  });
}
