import { SignatureError, VkPayError } from "../../../core/errors";
import { jsonReply, type IntegrationResponse } from "../../../http-reply";
import type { NormalizedEvent, ProviderRuntime, RawNotification } from "../../../kernel/contract";
import type { WxpayMerchant } from "../merchant";
import { toPaymentStatus, toRefundStatus } from "./normalize";
import type { PlatformCertStore } from "./platform-certs";
import { decryptResourceJson } from "./protocol";
import { toTransferStatus } from "./transfer";

/**
 * A WeChat Pay v3 notification, from raw request to normalized event: verify the signature over the raw
 * body (five-minute window, key by `Wechatpay-Serial`), then decrypt `resource` with the APIv3 key, then
 * read it. Nothing is parsed before the signature holds, and any doubt is a SignatureError, never a
 * partial event.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml (payment notification)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_11.shtml (refund notification)
 */

const REFUND_EVENTS = new Set(["REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"]);

function unreadable(message: string): SignatureError {
  return new SignatureError("wxpay-notify-invalid", message);
}

function readEnvelope(body: Buffer): { event_type: string; resource_type: string; resource: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw unreadable("notification body is not JSON");
  }
  const envelope = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof envelope.event_type !== "string" || typeof envelope.resource !== "object" || envelope.resource === null) {
    throw unreadable("notification lacks event_type or resource");
  }
  if (envelope.resource_type !== "encrypt-resource") throw unreadable("notification resource is not encrypted");
  return envelope as ReturnType<typeof readEnvelope>;
}

/**
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml (verification)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml (resource decryption)
 */
export async function verifyWxpayNotify(
  raw: RawNotification,
  merchant: WxpayMerchant,
  runtime: ProviderRuntime,
  certs: PlatformCertStore,
): Promise<NormalizedEvent> {
  if (!raw || !Buffer.isBuffer(raw.body)) throw unreadable("notification has no body");
  await certs.verifyMessage(raw.headers ?? {}, raw.body, merchant, runtime);
  const envelope = readEnvelope(raw.body);
  // 商家转账单据终态通知: a bill in SUCCESS, FAIL or CANCELLED (https://pay.weixin.qq.com/doc/v3/merchant/4012712115).
  if (envelope.event_type === "MCHTRANSFER.BILL.FINISHED") return verifiedTransfer(envelope.resource, merchant);
  const isPayment = envelope.event_type === "TRANSACTION.SUCCESS";
  // A verified event we do not act on is acknowledged, not refused: a refusal is redelivered for a day.
  if (!isPayment && !REFUND_EVENTS.has(envelope.event_type)) return { kind: "ignored", eventType: envelope.event_type.slice(0, 64) };
  // The resource type is signed; a payment event must carry a transaction and a refund event a refund.
  const expected = isPayment ? "transaction" : "refund";
  if (envelope.resource.original_type !== undefined && envelope.resource.original_type !== expected) {
    throw unreadable(`${envelope.event_type} carries a ${String(envelope.resource.original_type).slice(0, 32)} resource`);
  }
  const plain = decryptResourceJson<Record<string, unknown>>(envelope.resource, merchant.v3Key);
  try {
    if (typeof plain !== "object" || plain === null) throw unreadable("decrypted resource is not an object");
    // Only this merchant's APIv3 key opens the resource, but a mchid that is not ours is still not ours.
    if (plain.mchid !== undefined && plain.mchid !== merchant.mchId) throw unreadable("notification is for another merchant");
    return isPayment ? { kind: "payment", ...toPaymentStatus(plain) } : { kind: "refund", ...toRefundStatus(plain) };
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    throw unreadable(`decrypted ${expected} is incomplete${error instanceof VkPayError ? ` (${error.errCode})` : ""}`);
  }
}

function verifiedTransfer(resource: Record<string, unknown>, merchant: WxpayMerchant): NormalizedEvent {
  if (resource.original_type !== undefined && resource.original_type !== "mch_payment") throw unreadable("MCHTRANSFER.BILL.FINISHED carries another resource");
  const plain = decryptResourceJson<Record<string, unknown>>(resource, merchant.v3Key);
  if (typeof plain !== "object" || plain === null) throw unreadable("decrypted transfer bill is not an object");
  if (plain.mch_id !== undefined && plain.mch_id !== merchant.mchId) throw unreadable("notification is for another merchant");
  try {
    return { kind: "transfer", ...toTransferStatus(plain, merchant) };
  } catch {
    throw unreadable("decrypted transfer bill is incomplete");
  }
}

/**
 * v3 is answered with JSON, whose status decides: 2xx is received, 4xx/5xx is "deliver again" (a 200 with
 * `code: FAIL` would count as received). A refusal of the message (bad signature, malformed body) is 400;
 * 500 is kept for our own failure.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml
 */
export function acknowledgeWxpayV3Notify(accepted: boolean, ourFault = false): IntegrationResponse {
  if (accepted) return jsonReply(200, { code: "SUCCESS", message: "成功" });
  return jsonReply(ourFault ? 500 : 400, { code: "FAIL", message: ourFault ? "处理失败，请稍后重试" : "通知无效" });
}
