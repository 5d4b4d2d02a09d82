import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** Runs an order's unfinished hooks now (each still at most once to completion). */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().retryHooks({ out_trade_no: data.out_trade_no as string });
}
