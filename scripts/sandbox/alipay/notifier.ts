/**
 * Asynchronous notifications as Alipay sends them: a form POST to `notify_url`, signed with Alipay's key
 * over the sorted parameters without `sign` and `sign_type`, repeated until the body is exactly `success`.
 * @see https://opendocs.alipay.com/open/203/105286 (异步通知说明)
 * @see https://opendocs.alipay.com/common/02mse7 (异步通知验签)
 */
import { createDeliveryQueue, deliveryControls, fetchTransport } from "../delivery";
import { signContent } from "./sign";
import type { AlipaySandboxState } from "./state";

/** Sends one form POST and resolves its status and body; a rejection counts as a failed delivery. */
export type NotifyTransport = (url: string, init: { headers: Record<string, string>; body: string }) => Promise<{ status: number; body: string }>;

export interface Notifier {
  /** Signs `params`, remembers them under each key (what `redeliver` names) and delivers. */
  send(keys: string[], url: string, params: Record<string, string>, sign: (content: string) => string): "queued" | "dropped";
  redeliver(key: string): "queued" | "dropped" | undefined;
  drop(count: number): void;
  readonly pendingDrops: number;
  idle(): Promise<void>;
  close(): void;
}

export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

/** The signed form body: the values signed are the decoded ones, the wire carries them URL-encoded. */
export function signNotification(params: Record<string, string>, sign: (content: string) => string): string {
  const signed: Record<string, string> = { ...params, sign_type: "RSA2" };
  signed.sign = sign(signContent(signed, ["sign", "sign_type"]));
  return new URLSearchParams(signed).toString();
}

export function createNotifier(options: {
  state: AlipaySandboxState;
  transport: NotifyTransport;
  retryDelaysMs: number[];
  log: (line: string) => void;
}): Notifier {
  const queue = createDeliveryQueue<{ url: string; body: string }>({
    retryDelaysMs: options.retryDelaysMs,
    async attempt({ url, body }, attempt) {
      try {
        const reply = await options.transport(url, { headers: { "content-type": FORM_CONTENT_TYPE, "user-agent": "Mozilla/4.0" }, body });
        // Alipay looks at the body only: exactly `success`, nothing around it, ends the retries.
        if (reply.status === 200 && reply.body === "success") return true;
        options.log(`[alipay sandbox] notification to ${url} answered ${reply.status} ${JSON.stringify(reply.body.slice(0, 60))} (attempt ${attempt})`);
      } catch (error) {
        options.log(`[alipay sandbox] notification to ${url} failed: ${(error as Error).message} (attempt ${attempt})`);
      }
      return false;
    },
  });
  const dispatch = (url: string, body: string) => queue.dispatch({ url, body });

  return Object.assign(
    deliveryControls(queue, options.state.lastNotification, (stored) => stored),
    {
      send(keys: string[], url: string, params: Record<string, string>, sign: (content: string) => string) {
        const body = signNotification(params, sign);
        for (const key of keys) options.state.putNotification(key, { url, body });
        return dispatch(url, body);
      },
    },
  );
}

export { fetchTransport };
