import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/**
 * Orders for the back office: a page of the list (`where`, `orderBy`, `pageIndex`, `pageSize`), or,
 * with `out_trade_no`, one order with its refunds (the ABNORMAL ones also apart) and every notification received for it.
 */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  const vkPay = loadVkPay();
  if (data.out_trade_no !== undefined) return vkPay.orderDetail({ out_trade_no: data.out_trade_no as string });
  return vkPay.listOrders(data);
}
