import { findOwnOrder } from "../../orders-access";
import { failure } from "../../replies";
import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/** The caller closes their own unpaid order (a paid one is never closed). */
export async function main({ data, uid }: RouteRequest): Promise<RouteReply> {
  const order = await findOwnOrder(data.out_trade_no, uid);
  if (!order) return failure(2001, "order-not-found", "订单不存在");
  return loadVkPay().closeOrder({ out_trade_no: order.out_trade_no });
}
