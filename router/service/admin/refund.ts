import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** An admin refund: amount checked against what is left, recorded with the admin's uid; `force` overrides the order type's objection. */
export async function main({ data, uid }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().refund({
    out_trade_no: data.out_trade_no as string,
    out_refund_no: data.out_refund_no as string | undefined,
    refund_fee: data.refund_fee as number | undefined,
    refund_desc: typeof data.refund_desc === "string" ? data.refund_desc : undefined,
    force: data.force === true,
    operator: uid,
  });
}
