import { checkedTextSha256, SignatureError, withEvidence } from "../../../core/errors";
import { douyinSignedAt } from "../evidence";
import type { NormalizedEvent, RawNotification } from "../../../kernel/contract";
import { fenOf, recordOf, stringOf } from "../http";
import type { DouyinTradeMerchant } from "../merchant";
import { payMethodOfChannel } from "../pay-method";
import { douyinRefundState } from "../states";
import { callbackSigningString, verifyDouyinCallback } from "./sign";

/**
 * A 通用交易系统 callback, from raw request to normalized event. The signature is verified with the
 * platform public key over `<Byte-Timestamp>\n<Byte-Nonce-Str>\n<raw body>\n` (the whole raw body, as the
 * official page says; verifying `msg` alone is a known mistake) before a byte of the body is parsed.
 *
 * - `payment`: `status` SUCCESS (paid) or CANCEL (`message` USER_CANCEL or TIME_OUT). A cancelled order can
 *   no longer be paid at Douyin, so it becomes CLOSED here (only an open order closes; a paid one never does).
 * - `refund`: `status` SUCCESS or FAIL. The callback names Douyin's order only; our order number travels in
 *   `cp_extra` (set by refund_create), and a refund made elsewhere (by Douyin's customer service) is traced
 *   through order_query.
 * - `pre_create_refund` (a buyer's refund request): logged under its order and acknowledged, nothing changes.
 * - anything else (`settle`…): acknowledged and ignored.
 *
 * Byte-Timestamp is signed, but Douyin documents no window for it and delivers a callback again for more
 * than a day, so no window is enforced: a replay changes nothing (the core applies each event once).
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/refund/refund_notify
 */

export type OrderNumberLookup = (orderId: string) => Promise<string | undefined>;

const refuse = (detail: string) => new SignatureError("douyin-notify-invalid", detail);

function verified(raw: RawNotification, merchant: DouyinTradeMerchant): Record<string, unknown> {
  if (!raw || !Buffer.isBuffer(raw.body) || raw.body.length === 0) throw refuse("callback has no body");
  const timestamp = raw.headers["byte-timestamp"];
  const nonce = raw.headers["byte-nonce-str"];
  const signature = raw.headers["byte-signature"];
  if (!timestamp || !nonce || !signature) throw refuse("callback lacks Byte-Timestamp, Byte-Nonce-Str or Byte-Signature");
  if (!verifyDouyinCallback(timestamp, nonce, raw.body, signature, merchant.platformPublicKey)) {
    // A callback names no key: key_version belongs to the app key of byteAuthorization, and the platform
    // key has one version at a time. The log gets Byte-Timestamp and the hash of the three signed lines.
    const signedAt = douyinSignedAt(timestamp);
    throw withEvidence(refuse("Byte-Signature does not verify with the platform public key"), {
      ...(signedAt === undefined ? {} : { signedAt }),
      checkedTextSha256: checkedTextSha256(callbackSigningString(timestamp, nonce, raw.body)),
      algorithm: "SHA256-RSA2048",
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.body.toString("utf8"));
  } catch {
    throw refuse("verified callback body is not JSON");
  }
  const envelope = recordOf(body);
  if (!envelope) throw refuse("verified callback body is not an object");
  return envelope;
}

function messageOf(envelope: Record<string, unknown>): Record<string, unknown> {
  let msg: unknown;
  try {
    msg = typeof envelope.msg === "string" ? JSON.parse(envelope.msg) : undefined;
  } catch {
    throw refuse("callback msg is not JSON");
  }
  const fields = recordOf(msg);
  if (!fields) throw refuse("callback lacks msg");
  return fields;
}

function paymentEvent(msg: Record<string, unknown>): NormalizedEvent {
  const outTradeNo = stringOf(msg.out_order_no);
  const totalFee = fenOf(msg.total_amount);
  if (!outTradeNo || totalFee === undefined) throw refuse("payment callback lacks out_order_no or total_amount");
  const status = msg.status;
  if (status !== "SUCCESS" && status !== "CANCEL") return { kind: "ignored", eventType: `payment:${String(status).slice(0, 32)}`, outTradeNo };
  const orderId = stringOf(msg.order_id);
  const eventTime = fenOf(msg.event_time);
  const payMethod = payMethodOfChannel(msg.pay_channel);
  return {
    kind: "payment",
    // A CANCEL never pays: the order closes if it is still open.
    state: status === "SUCCESS" ? "SUCCESS" : "CLOSED",
    outTradeNo,
    totalFee,
    ...(orderId ? { transactionId: orderId } : {}),
    ...(status === "SUCCESS" && eventTime ? { paidAt: eventTime } : {}),
    ...(stringOf(msg.merchant_uid) ? { mchId: stringOf(msg.merchant_uid) } : {}),
    ...(stringOf(msg.app_id) ? { appId: stringOf(msg.app_id) } : {}),
    ...(status === "SUCCESS" && payMethod ? { payMethod } : {}),
    raw: msg,
  };
}

async function refundEvent(msg: Record<string, unknown>, merchant: DouyinTradeMerchant, lookup: OrderNumberLookup): Promise<NormalizedEvent> {
  // The refund event reaches the ledger by refund number; another app's refund is not ours to settle.
  if (stringOf(msg.app_id) !== merchant.appId) throw refuse(`refund callback is for app ${String(msg.app_id).slice(0, 64)}`);
  const outRefundNo = stringOf(msg.out_refund_no);
  const refundFee = fenOf(msg.refund_total_amount);
  const orderId = stringOf(msg.order_id);
  if (!outRefundNo || refundFee === undefined) throw refuse("refund callback lacks out_refund_no or refund_total_amount");
  const outTradeNo = stringOf(msg.cp_extra) ?? (orderId ? await lookup(orderId) : undefined);
  if (!outTradeNo) throw refuse("refund callback names no order");
  const refundId = stringOf(msg.refund_id);
  const settledAt = fenOf(msg.event_time);
  return {
    kind: "refund",
    state: douyinRefundState(msg.status),
    outTradeNo,
    outRefundNo,
    refundFee,
    ...(refundId ? { refundId } : {}),
    ...(settledAt ? { settledAt } : {}),
    raw: msg,
  };
}

/**
 * A buyer's refund request (退款申请, the `pre_create_refund` extension point), verified like every callback.
 * It changes nothing here: the merchant answers it with `douyin.auditRefund` (refund_audit_callback), and
 * an agreed refund ends with its own `refund` callback. It is logged under its order, so the merchant sees it.
 * Its reply is UNSETTLED (verified-douyin-huawei-transfers.md §3): the usual success reply is given.
 */
function refundApplicationEvent(msg: Record<string, unknown>): NormalizedEvent {
  const outTradeNo = stringOf(msg.out_order_no);
  const refundId = stringOf(msg.refund_id);
  return { kind: "ignored", eventType: `pre_create_refund:${(refundId ?? "").slice(0, 64)}`, ...(outTradeNo ? { outTradeNo } : {}) };
}

export async function verifyTradeNotification(raw: RawNotification, merchant: DouyinTradeMerchant, lookup: OrderNumberLookup): Promise<NormalizedEvent> {
  const envelope = verified(raw, merchant);
  const type = envelope.type;
  if (type === "payment") return paymentEvent(messageOf(envelope));
  if (type === "refund") return refundEvent(messageOf(envelope), merchant, lookup);
  if (type === "pre_create_refund") return refundApplicationEvent(messageOf(envelope));
  return { kind: "ignored", eventType: String(type ?? "(none)").slice(0, 64) };
}
