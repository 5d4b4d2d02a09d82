import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/** The caller's own order state (applying a payment the provider reports); `await_notify` waits for the hook. */
export async function main({ data, uid }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().queryPayment({
    out_trade_no: data.out_trade_no as string,
    user_id: uid ?? "",
    await_notify: data.await_notify === true,
    await_max_time: typeof data.await_max_time === "number" ? data.await_max_time : undefined,
  });
}
