import routes from "vk-pay:routes";
import { dispatchCall, parseCall } from "./dispatch";
import { resolveOrderType } from "./order-types";
import { loadVkPay, type VkUniPay } from "./vk-pay";
import { refusals } from "./replies";
import type { RouterContext } from "./types";

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
  return dispatchCall(call, { routes });
}
