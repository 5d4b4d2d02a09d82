import routes from "vk-pay:routes";
import { dispatchCall, parseCall } from "./dispatch";
import { loginRouteTable } from "./login-routes";
import { clientProofRouteTable } from "./client-proof-routes";
import { managerRouteTable } from "./manager-routes";
import { resolveOrderType } from "./order-types";
import { loadVkPay, type VkUniPay } from "./vk-pay";
import { refusals } from "./replies";
import type { RouteTable, RouterContext } from "./types";

let allRoutes: RouteTable | undefined;

/** The route files, plus the login, client-proof and manager routes the registered providers offer (a file of the same name wins). */
function routeTable(): RouteTable {
  const table = allRoutes ?? { ...loginRouteTable(loadVkPay()), ...clientProofRouteTable(loadVkPay()), ...managerRouteTable(loadVkPay()), ...routes };
  allRoutes = table;
  return table;
}

const NOTIFY_PATHS = [
  { prefix: "/vk-pay-notify/", handle: (pay: VkUniPay) => pay.paymentNotify },
  { prefix: "/transfer-notify/", handle: (pay: VkUniPay) => pay.transferNotify },
];

/**
 * The `vk-pay` cloud function. Providers' notifications arrive as URL化 calls on their own paths and
 * go straight to vk-uni-pay, which verifies them (the event and the order come from the verified
 * payload, never from the path). Everything else is a `{ url, data }` call to a route.
 */
export async function main(event: unknown, context: RouterContext): Promise<unknown> {
  if (context.SOURCE === "http") {
    const path = (event as { path?: unknown })?.path;
    const notify = typeof path === "string" ? NOTIFY_PATHS.find((entry) => path.startsWith(entry.prefix)) : undefined;
    if (notify) return notify.handle(loadVkPay())({ event: event as object, context, hooks: resolveOrderType });
    if (typeof path === "string" && path !== "/" && path !== "") return refusals.notFound(path);
  }
  if (context.SOURCE === "timing") return loadVkPay().reconcile();
  const call = parseCall(event, context);
  if ("code" in call) return call;
  return dispatchCall(call, { routes: routeTable() });
}
