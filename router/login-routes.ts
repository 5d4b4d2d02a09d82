import type { RouteTable } from "./types";
import type { VkUniPay } from "./vk-pay";

/**
 * The public login routes, one per login a registered provider offers (`pay/code2SessionWeixin`,
 * `pay/code2SessionAlipay`, …): a new provider's login needs no file here. Each forwards the client's
 * `code` (and the `appid` it names) and answers the library's envelope.
 */
export function loginRouteTable(vkPay: VkUniPay): RouteTable {
  const table: RouteTable = {};
  for (const login of vkPay.loginRoutes()) {
    table[login.route] = () => ({
      access: "public",
      main: async ({ data }) => vkPay.code2Session(login.name, { code: data.code as string, ...(typeof data.appid === "string" ? { appid: data.appid } : {}) }),
    });
  }
  return table;
}
