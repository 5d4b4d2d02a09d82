import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** Where the provider should pay a refund it holds as ABNORMAL: the payer's debit card, or the merchant's bank account. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().applyAbnormalRefund({
    out_refund_no: data.out_refund_no as string,
    type: data.type as "USER_BANK_CARD" | "MERCHANT_BANK_CARD",
    bank_type: data.bank_type as string | undefined,
    bank_account: data.bank_account as string | undefined,
    real_name: data.real_name as string | undefined,
  });
}
