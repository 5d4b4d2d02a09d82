import { randomBytes } from "node:crypto";
import { createDeliveryQueue, deliveryControls, fetchTransport } from "../delivery";
import type { XpaySandboxKeys } from "./keys";
import { encryptPush, pushSignature } from "./sign";
import type { XpaySandboxPush, XpaySandboxState } from "./state";

export type PushTransport = (url: string, init: { headers: Record<string, string>; body: string }) => Promise<{ status: number; body: string }>;

/** The emulator's console-configured push URL on PORT, read when a push is sent (as the generated config reads it). */
export function defaultPushUrl(): string {
  return `http://127.0.0.1:${process.env.PORT || 8787}/http/vk-pay/vk-pay-notify/wxpay-virtual_mp-weixin`;
}

function xmlOf(fields: Record<string, unknown>): string {
  const inner = (value: Record<string, unknown>): string =>
    Object.entries(value)
      .map(([key, item]) =>
        item && typeof item === "object"
          ? `<${key}>${inner(item as Record<string, unknown>)}</${key}>`
          : typeof item === "number"
            ? `<${key}>${item}</${key}>`
            : `<${key}><![CDATA[${String(item)}]]></${key}>`,
      )
      .join("");
  return `<xml>${inner(fields)}</xml>`;
}

/**
 * xpay counts a push as received when the reply is empty, `success`, or ErrCode 0 (JSON or XML); anything
 * else is pushed again (up to 15 times in production).
 */
export function isAcknowledged(status: number, body: string): boolean {
  if (status !== 200) return false;
  const text = body.trim();
  if (text === "" || text === "success") return true;
  if (/^<xml>\s*<ErrCode>\s*0\s*<\/ErrCode>/i.test(text)) return true;
  try {
    return (JSON.parse(text) as { ErrCode?: unknown }).ErrCode === 0;
  } catch {
    return false;
  }
}

/** The URL query and body of one push, in the configured mode and format, signed now. */
export function signedPush(
  keys: XpaySandboxKeys,
  state: XpaySandboxState,
  message: Record<string, unknown>,
): { url: string; body: string; contentType: string } {
  const settings = state.pushSettings();
  const timestamp = String(Math.floor(state.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const plain = settings.format === "xml" ? xmlOf(message) : JSON.stringify(message);
  const query = new URLSearchParams({ signature: pushSignature(keys.token, timestamp, nonce), timestamp, nonce });
  let body = plain;
  if (settings.safe) {
    const encrypt = encryptPush(keys.encodingAESKey, keys.appId, plain);
    query.set("openid", String(message.FromUserName ?? ""));
    query.set("encrypt_type", "aes");
    query.set("msg_signature", pushSignature(keys.token, timestamp, nonce, encrypt));
    const envelope = { ToUserName: String(message.ToUserName ?? ""), Encrypt: encrypt };
    body = settings.format === "xml" ? xmlOf(envelope) : JSON.stringify(envelope);
  }
  const url = `${settings.url ?? defaultPushUrl()}?${query.toString()}`;
  return { url, body, contentType: settings.format === "xml" ? "text/xml" : "application/json" };
}

export function createPusher(options: {
  keys: XpaySandboxKeys;
  state: XpaySandboxState;
  transport?: PushTransport;
  retryDelaysMs: number[];
  log: (line: string) => void;
}) {
  const { keys, state } = options;
  const transport = options.transport ?? fetchTransport;
  const queue = createDeliveryQueue<XpaySandboxPush>({
    retryDelaysMs: options.retryDelaysMs,
    attempt: async (push) => {
      // Signed afresh for each attempt, as WeChat does, in the mode configured at that moment.
      const { url, body, contentType } = signedPush(keys, state, push.message);
      const reply = await transport(url, { headers: { "content-type": contentType }, body });
      const ok = isAcknowledged(reply.status, reply.body);
      if (!ok) options.log(`[wxpay-virtual sandbox] ${push.event} not acknowledged: HTTP ${reply.status} ${reply.body.slice(0, 120)}`);
      return ok;
    },
  });
  // Added onto the controls object itself, so its live `pendingDrops` getter stays live.
  return Object.assign(
    deliveryControls(queue, state.lastNotification, (stored: XpaySandboxPush) => stored),
    {
      /** Stores the push under `key` (for `redeliver`) and sends it. */
      send(key: string, event: string, fields: Record<string, unknown>): "queued" | "dropped" {
        const message = {
          ToUserName: "gh_xpaysandbox",
          FromUserName: fields.OpenId ?? "",
          CreateTime: Math.floor(state.now() / 1000),
          MsgType: "event",
          Event: event,
          ...fields,
        };
        const push = { event, message };
        state.putNotification(key, push);
        return queue.dispatch(push);
      },
    },
  );
}

export type XpayPusher = ReturnType<typeof createPusher>;
