import { jsonReply, type IntegrationResponse } from "../http-reply";
import { findProvider } from "../providers/registry";

/** The URL化 event of a provider's notification, as the router hands it over. */
export interface NotificationEvent {
  path?: unknown;
  httpMethod?: unknown;
  headers?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
}

export interface NotificationInput {
  event: NotificationEvent;
  context: unknown;
}

/** `/vk-pay-notify/<pay_type>[/...]` → `wxpay` for `wxpay_mp-weixin`; the path only picks the parser. */
export function providerFromPath(path: unknown, prefix: string): string | undefined {
  if (typeof path !== "string" || !path.startsWith(prefix)) return undefined;
  const payType = path.slice(prefix.length).split("/")[0] ?? "";
  const provider = payType.split("_")[0] ?? "";
  return /^[a-z][a-z0-9-]{0,31}$/.test(provider) ? provider : undefined;
}

function refuse(statusCode: number, errCode: string, message: string): IntegrationResponse {
  // A refusal is never dressed as success: the provider keeps the notification and retries it.
  return jsonReply(statusCode, { code: errCode, message });
}

async function dispatch(input: NotificationInput, prefix: string, kind: string): Promise<IntegrationResponse> {
  const provider = providerFromPath(input?.event?.path, prefix);
  if (!provider) return refuse(404, "vk-pay-notify-path-invalid", `${kind} notification path must be ${prefix}<pay_type>`);
  if (!findProvider(provider)) return refuse(404, "vk-pay-no-such-provider", `no such provider: ${provider}`);
  return refuse(501, "vk-pay-notify-unsupported", `${provider} does not handle ${kind} notifications yet`);
}

/** Entry point for payment and refund notifications (`/vk-pay-notify/...`). */
export function paymentNotify(input: NotificationInput): Promise<IntegrationResponse> {
  return dispatch(input, "/vk-pay-notify/", "payment");
}

/** Entry point for transfer notifications (`/transfer-notify/...`). */
export function transferNotify(input: NotificationInput): Promise<IntegrationResponse> {
  return dispatch(input, "/transfer-notify/", "transfer");
}
