import routes from "vk-pay:routes";
import { dispatchCall, parseCall } from "./dispatch";
import { refusals } from "./replies";
import type { RouterContext } from "./types";

interface VkUniPay {
  paymentNotify(input: { event: unknown; context: unknown }): Promise<unknown>;
  transferNotify(input: { event: unknown; context: unknown }): Promise<unknown>;
}

function loadVkPay(): VkUniPay {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("vk-uni-pay") as VkUniPay;
}

const NOTIFY_PATHS = [
  { prefix: "/vk-pay-notify/", handle: (pay: VkUniPay) => pay.paymentNotify.bind(pay) },
  { prefix: "/transfer-notify/", handle: (pay: VkUniPay) => pay.transferNotify.bind(pay) },
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
    if (notify) return notify.handle(loadVkPay())({ event, context });
    if (typeof path === "string" && path !== "/" && path !== "") return refusals.notFound(path);
  }
  if (context.SOURCE === "timing") {
    // Reconciliation (hook retries, stale orders) is added with the payment core; nothing is scheduled yet.
    return { code: 0, msg: "success", data: { tasks: [] } };
  }
  const call = parseCall(event, context);
  if ("code" in call) return call;
  return dispatchCall(call, { routes });
}
