import { createHash, createSign, randomBytes } from "node:crypto";
import { createDeliveryQueue, deliveryControls, fetchTransport } from "../delivery";
import type { DouyinSandboxKeys } from "./keys";
import type { DouyinSandboxState } from "./state";
import type { SandboxOrder, SandboxRefund, StoredNotification } from "./types";

/**
 * The sandbox's callbacks, in each system's shape:
 *
 * - 通用交易系统: `{"version":"3.0","type":"payment"|"refund","msg":"<json>"}` with `Byte-Timestamp`
 *   (seconds), `Byte-Nonce-Str` and `Byte-Signature` = SHA256withRSA with the platform key over
 *   `<timestamp>\n<nonce>\n<body>\n`;
 * - 担保支付: `{timestamp, nonce, msg, msg_signature, type}` with `msg_signature` = SHA1 of the sorted
 *   token, timestamp, nonce and msg.
 *
 * Each is delivered until the receiver answers 200 with `err_no` 0 (Douyin's schedule, 15 s … 6 h, is
 * shortened to the sandbox's retry delays).
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 */

export type NotifyTransport = typeof fetchTransport;

export interface DeliveryResult {
  status: "queued" | "dropped" | "no-url";
}

function acknowledged(reply: { status: number; body: string }): boolean {
  if (reply.status !== 200) return false;
  try {
    return (JSON.parse(reply.body) as { err_no?: unknown }).err_no === 0;
  } catch {
    return false;
  }
}

export function tradeCallback(keys: Pick<DouyinSandboxKeys, "platformPrivateKeyPem">, type: string, msg: Record<string, unknown>, nowMs: number) {
  const body = JSON.stringify({ version: "3.0", type, msg: JSON.stringify(msg) });
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = randomBytes(8).toString("hex");
  const signature = createSign("RSA-SHA256").update(`${timestamp}\n${nonce}\n${body}\n`).sign(keys.platformPrivateKeyPem, "base64");
  return {
    headers: {
      "content-type": "application/json",
      "byte-timestamp": timestamp,
      "byte-nonce-str": nonce,
      "byte-signature": signature,
      "byte-identifyname": "/common",
      "byte-logid": randomBytes(8).toString("hex"),
    },
    body,
  };
}

export function ecpayCallback(keys: Pick<DouyinSandboxKeys, "token">, type: string, msg: Record<string, unknown>, nowMs: number) {
  const text = JSON.stringify(msg);
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = String(1000 + (randomBytes(2).readUInt16BE() % 9000));
  const msgSignature = createHash("sha1").update([keys.token, timestamp, nonce, text].sort().join("")).digest("hex");
  return { headers: { "content-type": "application/json" }, body: JSON.stringify({ timestamp, nonce, msg: text, msg_signature: msgSignature, type }) };
}

export function paymentMessage(order: SandboxOrder, cancelReason?: string): Record<string, unknown> {
  if (order.system === "ecpay") {
    return {
      appid: order.app_id,
      cp_orderno: order.out_order_no,
      cp_extra: order.cp_extra ?? "",
      way: String(order.pay_channel ?? 1),
      channel_no: order.channel_pay_id ?? "",
      channel_gateway_no: "",
      payment_order_no: order.channel_pay_id ?? "",
      out_channel_order_no: "",
      total_amount: order.total_amount,
      status: "SUCCESS",
      seller_uid: order.merchant_uid,
      extra: "",
      item_id: "",
      paid_at: Math.floor((order.pay_time ?? 0) / 1000),
      message: "",
      order_id: order.order_id,
    };
  }
  const paid = cancelReason === undefined;
  return {
    app_id: order.app_id,
    out_order_no: order.out_order_no,
    order_id: order.order_id,
    status: paid ? "SUCCESS" : "CANCEL",
    total_amount: order.total_amount,
    discount_amount: 0,
    ...(paid
      ? {
          pay_channel: order.pay_channel ?? 1,
          channel_pay_id: order.channel_pay_id ?? "",
          user_bill_pay_id: `bill${order.order_id}`,
          merchant_uid: order.merchant_uid,
        }
      : { message: cancelReason }),
    event_time: paid ? order.pay_time : Date.now(),
  };
}

export function refundMessage(refund: SandboxRefund): Record<string, unknown> {
  if (refund.system === "ecpay") {
    return {
      appid: refund.app_id,
      cp_refundno: refund.out_refund_no,
      cp_extra: refund.cp_extra ?? "",
      status: refund.status === "SUCCESS" ? "SUCCESS" : "FAIL",
      refund_amount: refund.amount,
      is_all_settled: false,
      refunded_at: Math.floor((refund.refunded_at ?? 0) / 1000),
      message: refund.status === "SUCCESS" ? "" : "退款失败",
      order_id: refund.order_id,
      refund_no: refund.refund_id,
    };
  }
  return {
    app_id: refund.app_id,
    status: refund.status === "SUCCESS" ? "SUCCESS" : "FAIL",
    order_id: refund.order_id,
    cp_extra: refund.cp_extra ?? "",
    message: refund.status === "SUCCESS" ? "" : "退款失败",
    event_time: refund.refunded_at,
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    refund_total_amount: refund.amount,
    is_all_settled: false,
  };
}

export function createNotifier(options: {
  state: DouyinSandboxState;
  keys: DouyinSandboxKeys;
  transport: NotifyTransport;
  retryDelaysMs: number[];
  log: (line: string) => void;
}) {
  const queue = createDeliveryQueue<StoredNotification>({
    retryDelaysMs: options.retryDelaysMs,
    attempt: async (job, attempt) => {
      const reply = await options.transport(job.url, { headers: job.headers, body: job.body });
      const ok = acknowledged(reply);
      if (!ok) options.log(`douyin sandbox: callback to ${job.url} attempt ${attempt} answered ${reply.status}`);
      return ok;
    },
  });
  let last: DeliveryResult = { status: "no-url" };
  const send = (key: string, system: "trade" | "ecpay", url: string | undefined, type: string, msg: Record<string, unknown>): DeliveryResult => {
    if (!url) return (last = { status: "no-url" });
    const message =
      system === "trade" ? tradeCallback(options.keys, type, msg, options.state.now()) : ecpayCallback(options.keys, type, msg, options.state.now());
    const stored: StoredNotification = { url, ...message };
    options.state.putNotification(key, stored);
    return (last = { status: queue.dispatch(stored) });
  };
  return {
    ...deliveryControls(
      queue,
      (key) => options.state.lastNotification(key),
      (stored: StoredNotification) => stored,
    ),
    payment: (order: SandboxOrder, cancelReason?: string) =>
      send(`order:${order.out_order_no}`, order.system, order.notify_url, "payment", paymentMessage(order, cancelReason)),
    refund: (refund: SandboxRefund) => send(`refund:${refund.out_refund_no}`, refund.system, refund.notify_url, "refund", refundMessage(refund)),
    /**
     * A buyer's refund waiting for the developer's review, sent as the refund-application extension point
     * (`pre_create_refund`); its exact message and reply are UNSETTLED (verified-douyin-huawei-transfers.md §3),
     * so the sandbox sends the refund's own fields and takes the usual reply.
     */
    refundApplication: (refund: SandboxRefund, url: string | undefined) =>
      send(`refund:${refund.out_refund_no}`, "trade", url, "pre_create_refund", {
        app_id: refund.app_id,
        order_id: refund.order_id,
        out_order_no: refund.out_order_no,
        refund_id: refund.refund_id,
        refund_total_amount: refund.amount,
        need_refund_audit: 1,
        refund_source: 1,
        create_at: refund.created_at,
      }),
    lastResult: () => last,
  };
}

export type DouyinNotifier = ReturnType<typeof createNotifier>;
