/**
 * Payment and refund notifications as WeChat sends them: an encrypted resource, signed headers, and
 * retries while the merchant answers anything but 2xx.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml (支付通知)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_11.shtml (退款结果通知)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7 (v2 支付结果通知: XML, acknowledged by return_code SUCCESS)
 */
import { randomUUID } from "node:crypto";
import { createDeliveryQueue, deliveryControls, fetchTransport } from "../delivery";
import type { ResponseSigner } from "./auth";
import { encryptResource } from "./sign";
import type { WxpaySandboxState } from "./state";
import { formatRfc3339 } from "./time";
import { parseV2Xml } from "./v2-xml";

/**
 * Sends one HTTP POST and resolves its status and reply body; a rejection counts as a failed delivery.
 * v2 deliveries count only when the body says `<return_code>SUCCESS</return_code>`, so a transport that
 * returns no body fails them.
 */
export type NotifyTransport = (url: string, init: { headers: Record<string, string>; body: string }) => Promise<{ status: number; body?: string }>;

export interface NotifierOptions {
  state: WxpaySandboxState;
  sign: ResponseSigner;
  apiV3Key: (mchid: string) => string;
  transport: NotifyTransport;
  /** Waits between attempts; WeChat's real schedule starts at 15 s, far too slow for local work. */
  retryDelaysMs: number[];
  log: (line: string) => void;
}

export interface NotificationEvent {
  /** `trade:<mchid>:<out_trade_no>`, `refund:<mchid>:<out_refund_no>` or `transfer:<mchid>:<out_bill_no>`: what `redeliver` names. */
  key: string;
  mchid: string;
  url: string;
  eventType: string;
  summary: string;
  /** Also the AAD of the encrypted resource; 商家转账 bills are `mch_payment`. */
  originalType: "transaction" | "refund" | "mch_payment";
  resource: unknown;
}

export interface V2NotificationEvent {
  key: string;
  /** The merchant whose key signed it (the service provider in partner mode). */
  mchid: string;
  url: string;
  /** The complete XML document, already signed (payment) or carrying req_info (refund). */
  body: string;
}

export interface Notifier {
  send(event: NotificationEvent): "queued" | "dropped";
  sendV2(event: V2NotificationEvent): "queued" | "dropped";
  redeliver(key: string): "queued" | "dropped" | undefined;
  drop(count: number): void;
  readonly pendingDrops: number;
  /** Resolves when every delivery in flight has finished (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

export function createNotifier(options: NotifierOptions): Notifier {
  /** A v2 receiver acknowledges in its body; an HTTP 200 with anything else is retried, as WeChat does. */
  function acknowledgedV2(reply: string | undefined): boolean {
    try {
      return reply !== undefined && parseV2Xml(reply).return_code === "SUCCESS";
    } catch {
      return false;
    }
  }

  const queue = createDeliveryQueue<{ url: string; body: string; mchid: string; format?: "v2" }>({
    retryDelaysMs: options.retryDelaysMs,
    async attempt({ url, body, mchid, format }, attempt) {
      // Each v3 attempt is signed afresh, so a late retry still passes the receiver's 5-minute window;
      // a v2 body carries its signature inside and goes out unchanged.
      const headers =
        format === "v2"
          ? { "content-type": "text/xml; charset=utf-8", "user-agent": "Mozilla/4.0" }
          : { "content-type": "application/json", "user-agent": "Mozilla/4.0", ...options.sign(mchid, body) };
      try {
        const reply = await options.transport(url, { headers, body });
        if (reply.status >= 200 && reply.status < 300 && (format !== "v2" || acknowledgedV2(reply.body))) return true;
        options.log(
          `[wxpay sandbox] notification to ${url} answered ${reply.status}${format === "v2" ? " without return_code SUCCESS" : ""} (attempt ${attempt})`,
        );
      } catch (error) {
        options.log(`[wxpay sandbox] notification to ${url} failed: ${(error as Error).message} (attempt ${attempt})`);
      }
      return false;
    },
  });
  const dispatch = (url: string, body: string, mchid: string, format?: "v2") => queue.dispatch({ url, body, mchid, format });

  return Object.assign(
    deliveryControls(queue, options.state.lastNotification, (stored) => stored),
    {
      send(event: NotificationEvent) {
        const now = options.state.businessNow();
        const body = JSON.stringify({
          id: randomUUID(),
          create_time: formatRfc3339(now),
          resource_type: "encrypt-resource",
          event_type: event.eventType,
          summary: event.summary,
          resource: {
            original_type: event.originalType,
            ...encryptResource(options.apiV3Key(event.mchid), JSON.stringify(event.resource), event.originalType),
          },
        });
        options.state.putNotification(event.key, { url: event.url, body, mchid: event.mchid });
        return dispatch(event.url, body, event.mchid);
      },
      sendV2(event: V2NotificationEvent) {
        options.state.putNotification(event.key, { url: event.url, body: event.body, mchid: event.mchid, format: "v2" });
        return dispatch(event.url, event.body, event.mchid, "v2");
      },
    },
  );
}

export { fetchTransport };
