import { resolveOrderType } from "./order-types";

export type VkUniPay = typeof import("vk-uni-pay");

let registered = false;

/** vk-uni-pay is resolved at run time (its own common module); this function tells it where its hooks are. */
export function loadVkPay(): VkUniPay {
  const vkPay = require("vk-uni-pay") as VkUniPay;
  if (!registered) {
    vkPay.setHookResolver(resolveOrderType);
    registered = true;
  }
  return vkPay;
}
