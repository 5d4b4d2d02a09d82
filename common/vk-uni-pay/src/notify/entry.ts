import { loadPayConfig } from "../core/config";
import { cloudDatabase } from "../core/database";
import type { HookResolver } from "../core/hooks";
import { cloudRuntime } from "../core/runtime";
import { jsonReply, type IntegrationResponse } from "../http-reply";
import { findProvider } from "../providers/registry";
import { processNotification, type PipelineDeps } from "./pipeline";
import { parseNotifyPath, type NotificationEvent } from "./raw";

export interface NotificationInput {
  event: NotificationEvent;
  context: unknown;
  /** The order-type hooks; the vk-pay function passes its own. */
  hooks?: HookResolver;
}

function productionDeps(hooks: HookResolver | undefined): PipelineDeps {
  return {
    db: cloudDatabase(),
    now: () => Date.now(),
    log: (line) => console.log(line),
    findProvider,
    config: () => loadPayConfig(),
    runtime: cloudRuntime(),
    hooks,
  };
}

/** Entry point for payment and refund notifications (`/vk-pay-notify/...`). */
export function paymentNotify(input: NotificationInput): Promise<IntegrationResponse> {
  return processNotification(input?.event ?? {}, "/vk-pay-notify/", productionDeps(input?.hooks));
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
