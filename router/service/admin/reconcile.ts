import type { RouteReply } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** Runs the timer's reconciliation now and answers its report. */
export async function main(): Promise<RouteReply> {
  return loadVkPay().reconcile();
}
