import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** Closes any unpaid order at the provider and here. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().closeOrder({ out_trade_no: data.out_trade_no as string });
}
