import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/** The caller closes their own unpaid order (a paid one is never closed; another user's is "not found"). */
export async function main({ data, uid }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().closeOrder({ out_trade_no: data.out_trade_no as string, user_id: uid ?? "" });
}
