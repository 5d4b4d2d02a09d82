import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** Runs an order's (`out_trade_no`) or a transfer's (`out_bill_no`) unfinished hooks now (each still at most once to completion). */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().retryHooks({
    ...(data.out_trade_no !== undefined ? { out_trade_no: data.out_trade_no as string } : {}),
    ...(data.out_bill_no !== undefined ? { out_bill_no: data.out_bill_no as string } : {}),
  });
}
