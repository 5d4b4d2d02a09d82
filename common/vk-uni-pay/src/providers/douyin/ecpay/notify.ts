import { checkedTextSha256, SignatureError, withEvidence } from "../../../core/errors";
import { douyinSignedAt } from "../evidence";
import type { NormalizedEvent, RawNotification } from "../../../kernel/contract";
import { fenOf, recordOf, stringOf } from "../http";
import type { DouyinEcpayMerchant } from "../merchant";
import { payMethodOfChannel } from "../pay-method";
import { douyinRefundState } from "../states";
import { ecpayMsgSignedParts, verifyEcpayMsgSignature } from "./sign";

/**
 * A 担保支付 callback: `{timestamp, nonce, msg, msg_signature, type}`, verified by `msg_signature` (SHA1 of
 * the sorted token, timestamp, nonce and msg) before `msg` is parsed.
 *
 * - `payment` is sent only on success ("只有支付成功才有回调"): `cp_orderno`, `total_amount`, `way`
 *   (1 WeChat, 2 Alipay, 10 抖音支付, recorded as provider_pay_method), `seller_uid`, `paid_at` (seconds).
 * - `refund` on success and on failure (`status` SUCCESS / FAIL); it names the refund (`cp_refundno`) and
 *   our order number in `cp_extra`, which create_refund set.
 * - `settle` and anything else: acknowledged and ignored.
 *
 * The timestamp is signed, but Douyin documents no window for it and retries for more than a day, so none
 * is enforced; a replay changes nothing.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/refund-list/callback
 */

const refuse = (detail: string) => new SignatureError("douyin-notify-invalid", detail);

function verified(raw: RawNotification, merchant: DouyinEcpayMerchant): { type: unknown; msg: Record<string, unknown> | undefined } {
  if (!raw || !Buffer.isBuffer(raw.body) || raw.body.length === 0) throw refuse("callback has no body");
  let body: Record<string, unknown> | undefined;
  try {
    body = recordOf(JSON.parse(raw.body.toString("utf8")));
  } catch {
    // Reported below.
  }
  const fields = { timestamp: body?.timestamp, nonce: body?.nonce, msg: body?.msg, msg_signature: body?.msg_signature };
  const text = (value: unknown) => (typeof value === "number" ? String(value) : value);
  const signed = { timestamp: text(fields.timestamp), nonce: text(fields.nonce), msg: fields.msg, msg_signature: fields.msg_signature };
  if (!body || ![signed.timestamp, signed.nonce, signed.msg, signed.msg_signature].every((value) => typeof value === "string"))
    throw refuse("callback is not {timestamp, nonce, msg, msg_signature}");
  const fieldsSigned = signed as { timestamp: string; nonce: string; msg: string; msg_signature: string };
  if (!verifyEcpayMsgSignature(merchant.token, fieldsSigned)) {
    // ecpay names no key (one token per app): the log gets the callback's timestamp and the hash of what
    // was signed without the token.
    const signedAt = douyinSignedAt(fieldsSigned.timestamp);
    throw withEvidence(refuse("msg_signature does not verify with the token"), {
      ...(signedAt === undefined ? {} : { signedAt }),
      checkedTextSha256: checkedTextSha256(ecpayMsgSignedParts(fieldsSigned.timestamp, fieldsSigned.nonce, fieldsSigned.msg)),
      algorithm: "SHA1",
    });
  }
  let msg: Record<string, unknown> | undefined;
  try {
    msg = recordOf(JSON.parse(fieldsSigned.msg));
  } catch {
    throw refuse("verified msg is not JSON");
  }
  return { type: body.type, msg };
}

function paymentEvent(msg: Record<string, unknown>): NormalizedEvent {
  const outTradeNo = stringOf(msg.cp_orderno);
  const totalFee = fenOf(msg.total_amount);
  if (!outTradeNo || totalFee === undefined) throw refuse("payment callback lacks cp_orderno or total_amount");
  // Douyin calls back on success only; a status other than SUCCESS is not a payment.
  if (msg.status !== undefined && msg.status !== "SUCCESS") return { kind: "ignored", eventType: `payment:${String(msg.status).slice(0, 32)}`, outTradeNo };
  const orderId = stringOf(msg.order_id);
  const paidAt = fenOf(msg.paid_at);
  const payMethod = payMethodOfChannel(msg.way);
  return {
    kind: "payment",
    state: "SUCCESS",
    outTradeNo,
    totalFee,
    ...(orderId ? { transactionId: orderId } : {}),
    ...(paidAt ? { paidAt: paidAt * 1000 } : {}),
    ...(stringOf(msg.seller_uid) ? { mchId: stringOf(msg.seller_uid) } : {}),
    ...(stringOf(msg.appid) ? { appId: stringOf(msg.appid) } : {}),
    ...(payMethod ? { payMethod } : {}),
    raw: msg,
  };
}

function refundEvent(msg: Record<string, unknown>, merchant: DouyinEcpayMerchant): NormalizedEvent {
  if (stringOf(msg.appid) !== merchant.appId) throw refuse(`refund callback is for app ${String(msg.appid).slice(0, 64)}`);
  const outRefundNo = stringOf(msg.cp_refundno);
  const refundFee = fenOf(msg.refund_amount);
  const outTradeNo = stringOf(msg.cp_extra);
  if (!outRefundNo || refundFee === undefined || !outTradeNo) throw refuse("refund callback lacks cp_refundno, refund_amount or cp_extra");
  const refundId = stringOf(msg.refund_no);
  const refundedAt = fenOf(msg.refunded_at);
  return {
    kind: "refund",
    state: douyinRefundState(msg.status),
    outTradeNo,
    outRefundNo,
    refundFee,
    ...(refundId ? { refundId } : {}),
    ...(refundedAt ? { settledAt: refundedAt * 1000 } : {}),
    raw: msg,
  };
}

export function verifyEcpayNotification(raw: RawNotification, merchant: DouyinEcpayMerchant): NormalizedEvent {
  const { type, msg } = verified(raw, merchant);
  if (type !== "payment" && type !== "refund") return { kind: "ignored", eventType: String(type ?? "(none)").slice(0, 64) };
  if (!msg) throw refuse("verified msg is not an object");
  return type === "payment" ? paymentEvent(msg) : refundEvent(msg, merchant);
}
