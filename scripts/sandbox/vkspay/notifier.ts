import { createDeliveryQueue, deliveryControls } from "../delivery";
import type { VkspaySandboxKeys } from "./keys";
import { md5Sign } from "./sign";
import type { StoredNotify, VkspaySandboxState, VkspayTrade } from "./state";

/** Sends a GET and returns the reply: the transport tests may replace. */
export type GetTransport = (url: string) => Promise<{ status: number; body: string }>;

export const fetchGet: GetTransport = async (url) => {
  const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
};

/**
 * 易支付's notification: a GET to `notify_url` with the trade's fields and an MD5 `sign`, repeated until
 * the merchant answers the plain text `success` (one document lists retries at 0/15/15/30/180/1800 s).
 */
export function createVkspayNotifier(options: {
  state: VkspaySandboxState;
  keys: VkspaySandboxKeys;
  transport: GetTransport;
  retryDelaysMs: number[];
  log: (line: string) => void;
}) {
  const queue = createDeliveryQueue<StoredNotify>({
    retryDelaysMs: options.retryDelaysMs,
    attempt: async (job, attempt) => {
      const reply = await options.transport(job.url);
      const ok = reply.status === 200 && reply.body.trim() === "success";
      if (!ok) options.log(`vkspay sandbox: notify attempt ${attempt} not acknowledged (HTTP ${reply.status})`);
      return ok;
    },
  });
  return {
    ...deliveryControls(queue, options.state.lastNotification, (stored) => stored),
    paid(trade: VkspayTrade) {
      const params: Record<string, string> = {
        pid: trade.pid,
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        type: trade.type,
        name: trade.name,
        money: trade.money,
        trade_status: "TRADE_SUCCESS",
        ...(trade.param ? { param: trade.param } : {}),
      };
      const query = new URLSearchParams({ ...params, sign: md5Sign(params, options.keys.key), sign_type: "MD5" });
      const url = `${trade.notify_url}${trade.notify_url.includes("?") ? "&" : "?"}${query}`;
      const stored = { url };
      options.state.putNotification(trade.out_trade_no, stored);
      return queue.dispatch(stored);
    },
  };
}

export type VkspayNotifier = ReturnType<typeof createVkspayNotifier>;
