import { randomBytes } from "node:crypto";
import { createDeliveryQueue, deliveryControls, fetchTransport } from "../delivery";
import type { HuaweiSandboxKeys } from "./keys";
import { partiesView } from "./parties";
import { platformSigned } from "./sign";
import type { HuaweiRefund, HuaweiSandboxState, HuaweiTrade, StoredCallback } from "./state";
import { callbackTime } from "./time";

export type NotifyTransport = typeof fetchTransport;

/**
 * Huawei Pay's callbacks: POST JSON, SM2-signed over every other field, delivered until the merchant
 * answers exactly `{"resultCode":"000000","resultDesc":"Success."}` (the page asks for it within 3 s; the
 * retry schedule is not published, so the sandbox's is its own). A retry is the same body, same callbackId.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/HMSCore-References/api-notification-description-0000001538374180
 */
export function isHuaweiAck(reply: { status: number; body: string }): boolean {
  if (reply.status !== 200) return false;
  try {
    const parsed = JSON.parse(reply.body) as Record<string, unknown>;
    return parsed.resultCode === "000000";
  } catch {
    return false;
  }
}

export function createHuaweiNotifier(options: {
  state: HuaweiSandboxState;
  keys: HuaweiSandboxKeys;
  transport: NotifyTransport;
  retryDelaysMs: number[];
  log: (line: string) => void;
}) {
  const queue = createDeliveryQueue<StoredCallback>({
    retryDelaysMs: options.retryDelaysMs,
    attempt: async (job, attempt) => {
      const reply = await options.transport(job.url, { headers: { "content-type": "application/json;charset=UTF-8" }, body: job.body });
      const ok = isHuaweiAck(reply);
      if (!ok) options.log(`huawei sandbox: callback to ${job.url} attempt ${attempt} not acknowledged (HTTP ${reply.status})`);
      return ok;
    },
  });
  const common = () => ({
    callbackId: randomBytes(16).toString("hex"),
    callbackTime: callbackTime(options.state.businessNow()),
    dataType: "plain",
    signType: "SM2",
    certNo: "sandbox-sm2-1",
  });
  const send = (key: string, url: string, fields: Record<string, unknown>) => {
    const stored = { url, body: JSON.stringify(platformSigned(fields, options.keys.platformPrivateKeyHex)) };
    options.state.putNotification(key, stored);
    return queue.dispatch(stored);
  };
  return {
    ...deliveryControls(queue, options.state.lastNotification, (stored) => stored),
    payment(trade: HuaweiTrade) {
      return send(trade.mercOrderNo, trade.callbackUrl, {
        ...common(),
        ...partiesView(trade),
        sysTransOrderNo: trade.sysTransOrderNo,
        mercOrderNo: trade.mercOrderNo,
        orderStatus: trade.orderStatus,
        ...(trade.payload !== undefined ? { payload: trade.payload } : {}),
        currency: "CNY",
        totalAmount: trade.totalAmount,
        payerAmount: trade.totalAmount,
        promotionAmount: 0,
        finishTime: trade.finishTime,
      });
    },
    refund(refund: HuaweiRefund, mercNo: string) {
      return send(refund.mercRefundOrderNo, refund.callbackUrl, {
        ...common(),
        mercRefundNo: refund.mercRefundOrderNo,
        sysRefundNo: refund.sysRefundOrderNo,
        refundAmount: refund.refundAmount,
        payerRefundAmount: refund.refundAmount,
        promotionRefundAmount: 0,
        currency: "CNY",
        mercNo,
        finishTime: refund.finishTime,
        refundOrderStatus: refund.refundOrderStatus,
      });
    },
  };
}

export type HuaweiNotifier = ReturnType<typeof createHuaweiNotifier>;
