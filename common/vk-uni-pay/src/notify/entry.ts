import { productionDeps } from "../core/deps";
import type { HookResolver } from "../core/hooks";
import type { IntegrationResponse } from "../http-reply";
import { processNotification } from "./pipeline";
import type { NotificationEvent } from "./raw";
import { processTransferNotification } from "./transfer-pipeline";

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

/** Entry point for transfer notifications (`/transfer-notify/<provider>/...`). */
export function transferNotify(input: NotificationInput): Promise<IntegrationResponse> {
  return processTransferNotification(input?.event ?? {}, productionDeps({ hooks: input?.hooks }));
}
