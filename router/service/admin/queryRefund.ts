import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** An order's refunds, settling those the provider has finished. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().queryRefund({ out_trade_no: data.out_trade_no as string, out_refund_no: data.out_refund_no as string | undefined });
}
