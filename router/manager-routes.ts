import type { RouteTable } from "./types";
import type { VkUniPay } from "./vk-pay";

/**
 * The admin routes of the providers' account managers (`admin/wxpayVirtual/currencyPay`, …), one per
 * manager method a registered provider gives a route. Admin-only: these move a user's coins or read another
 * user's wallet, which the manual leaves to "your own functions with permission checks" (vk-pay.md §6.3).
 * The caller's IP stands in for `userIp` when the admin names none, as vk-uni-pay's demo routes take
 * `context.CLIENTIP`; the admin's uid is recorded as the operator.
 */
export function managerRouteTable(vkPay: VkUniPay): RouteTable {
  const table: RouteTable = {};
  for (const entry of vkPay.managerRoutes()) {
    table[entry.route] = () => ({
      access: "admin",
      main: async ({ data, uid, context }) =>
        vkPay.callManager(entry.manager, entry.method, {
          ...data,
          ...(typeof data.userIp === "string" ? {} : { userIp: context.CLIENTIP ?? "" }),
          operator: uid ?? "",
        }),
    });
  }
  return table;
}
