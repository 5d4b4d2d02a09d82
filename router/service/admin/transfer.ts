import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/** SPEC §5's admin/transfer; the library answers 4001 until transfers land. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().transfer(data);
}
