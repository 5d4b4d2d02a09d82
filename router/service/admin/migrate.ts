import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/**
 * Rewrites vk-uni-pay's orders (numeric statuses, refund_list) into this library's shape, for a cloud
 * space that has no `npm run migrate`. A dry run unless `dry_run: false`; running it again changes nothing.
 */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().migrateLegacyOrders({ dry_run: data.dry_run !== false });
}
