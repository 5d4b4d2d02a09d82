import { success } from "../../replies";
import type { RouteReply } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/** The VIP plans of uni-pay/config.js (`orderTypes.vip.plans`): type, price (fen), days. */
export async function main(): Promise<RouteReply> {
  const plans = (loadVkPay().orderTypeConfig("vip").plans ?? {}) as Record<string, { total_fee?: unknown; days?: unknown }>;
  return success({ rows: Object.entries(plans).map(([vip_type, plan]) => ({ vip_type, total_fee: plan.total_fee, days: plan.days })) });
}
