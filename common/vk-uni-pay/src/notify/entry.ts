import { productionDeps } from "../core/deps";
import type { HookResolver } from "../core/hooks";
import { jsonReply, type IntegrationResponse } from "../http-reply";
import { processNotification } from "./pipeline";
import { parseNotifyPath, type NotificationEvent } from "./raw";

export interface NotificationInput {
  event: NotificationEvent;
  context: unknown;
  /** The order-type hooks; the vk-pay function passes its own. */
  hooks?: HookResolver;
}

/** Entry point for payment and refund notifications (`/vk-pay-notify/...`). */
export function paymentNotify(input: NotificationInput): Promise<IntegrationResponse> {
  return processNotification(input?.event ?? {}, "/vk-pay-notify/", productionDeps({ hooks: input?.hooks }));
}

/**
 * Entry point for transfer notifications (`/transfer-notify/...`). No provider handles transfers yet,
 * so every one is refused, visibly: the provider keeps it and delivers it again later.
 */
export async function transferNotify(input: NotificationInput): Promise<IntegrationResponse> {
  const path = parseNotifyPath(input?.event?.path, "/transfer-notify/");
  if (!path) return jsonReply(404, { code: "vk-pay-notify-path-invalid", message: "notification path must be /transfer-notify/<provider>" });
  return jsonReply(404, { code: "vk-pay-no-such-provider", message: `no transfer provider: ${path.provider}` });
}
