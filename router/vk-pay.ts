import { resolveOrderType } from "./order-types";

type Library = typeof import("vk-uni-pay");
export type VkUniPay = Library & ReturnType<Library["withHooks"]>;

let bound: VkUniPay | undefined;

/** vk-uni-pay is resolved at run time (its own common module), bound once to this function's order-type hooks. */
export function loadVkPay(): VkUniPay {
  if (!bound) {
    const library = require("vk-uni-pay") as Library;
    bound = { ...library, ...library.withHooks(resolveOrderType) };
  }
  return bound;
}
