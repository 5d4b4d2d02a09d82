import { findOwnOrder } from "../../orders-access";
import { failure } from "../../replies";
import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/** The caller's order state (applying a payment the provider reports); `await_notify` waits for the hook. */
export async function main({ data, uid }: RouteRequest): Promise<RouteReply> {
  const order = await findOwnOrder(data.out_trade_no, uid);
  if (!order) return failure(2001, "order-not-found", "订单不存在");
  return loadVkPay().queryPayment({
    out_trade_no: order.out_trade_no,
    await_notify: data.await_notify === true,
    await_max_time: typeof data.await_max_time === "number" ? data.await_max_time : undefined,
  });
}
