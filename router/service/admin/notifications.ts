import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** The notification log: every notification received, accepted or refused, with the reason. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().listNotifications(data);
}
