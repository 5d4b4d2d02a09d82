import { checkedTextSha256, SignatureError, withEvidence, type SignatureEvidence } from "../../core/errors";
import { jsonReply, type IntegrationResponse } from "../../http-reply";
import type { NormalizedEvent, RawNotification } from "../../kernel/contract";
import type { HuaweiMerchant } from "./merchant";
import { fenOf, refundStateOf, timeOf, tradeStateOf } from "./normalize";
import { HUAWEI_NOTIFY_ACK, huaweiSignString, verifySm2Fields } from "./protocol";

/**
 * Huawei Pay's payment and refund callbacks (POST JSON to `callbackUrl`), verified with the SM2 platform
 * key over every field but `sign` before any field is read. A payment callback is told by `orderStatus`
 * (TRX_SUCCESS / TRX_FAILED), a refund callback by `refundOrderStatus`. Binding a payment to its order
 * (`mercOrderNo`, `totalAmount`, `mercNo`, `appId`) is the core's.
 *
 * Retries keep their `callbackId`; a retry finds its order already moved, so the core answers it as a
 * duplicate and the business hook does not run again.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-pay-notify
 * @see https://developer.huawei.com/consumer/cn/doc/HMSCore-References/api-notify-refund-result-0000001538696104
 * @see https://developer.huawei.com/consumer/cn/doc/HMSCore-References/api-notification-description-0000001538374180
 */

function refused(detail: string): SignatureError {
  return new SignatureError("huawei-notify-invalid", detail);
}

/**
 * Refund callbacks name the refund (`mercRefundNo`) but not the order: the order is the one whose notify
 * URL this is (the refund's `callbackUrl` is that order's), and the core refuses a refund of another order.
 */
function outTradeNoOfPath(path: string): string | undefined {
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  const at = segments.findIndex((segment) => segment.startsWith("huawei_"));
  const value = at >= 0 ? segments[at + 1] : undefined;
  return value && value !== "pid" ? decodeURIComponent(value) : undefined;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * What a refused callback names: `certNo` (Huawei's key), `callbackTime` (when it was sent, unlike
 * finishTime, which is the payment's), `signType`, and the hash of the string the SM2 check ran over.
 */
function refusalEvidence(data: Record<string, unknown>): SignatureEvidence {
  const signedAt = timeOf(data.callbackTime);
  return {
    ...(text(data.certNo) ? { keyId: text(data.certNo) } : {}),
    ...(signedAt === undefined ? {} : { signedAt }),
    checkedTextSha256: checkedTextSha256(huaweiSignString(data)),
    algorithm: text(data.signType) ?? "SM2",
  };
}

export function verifyHuaweiNotification(raw: RawNotification, merchant: HuaweiMerchant): NormalizedEvent {
  if (!raw || !Buffer.isBuffer(raw.body) || raw.body.length === 0) throw refused("callback has no body");
  let fields: unknown;
  try {
    fields = JSON.parse(raw.body.toString("utf8"));
  } catch {
    throw refused("callback body is not JSON");
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw refused("callback body is not a JSON object");
  const data = fields as Record<string, unknown>;
  if (!verifySm2Fields(data, merchant.platformPublicKey))
    throw withEvidence(refused("callback signature does not verify with platformPublicKey (SM2)"), refusalEvidence(data));
  // Verified from here on. An encrypted callback would need a key the merchant config does not have.
  if (data.dataType !== undefined && data.dataType !== "plain") throw refused(`callback dataType ${String(data.dataType)} is not plain`);
  // Huawei's key verifies every merchant's callbacks: one for another merchant or app is still not ours.
  // A service provider's callbacks name it as spMercNo / spAppId and the sub-merchant as subMercNo (partner.ts).
  const mercNo = data.spMercNo ?? data.mercNo;
  const appId = data.spAppId ?? data.appId;
  if (mercNo !== undefined && mercNo !== merchant.mchId) throw refused("callback is for another merchant (mercNo)");
  if (appId !== undefined && appId !== merchant.appId) throw refused("callback is for another app (appId)");
  if (merchant.subMchId && data.subMercNo !== undefined && data.subMercNo !== merchant.subMchId)
    throw refused("callback is for another sub-merchant (subMercNo)");

  if (data.refundOrderStatus !== undefined) {
    const outRefundNo = text(data.mercRefundNo);
    const refundFee = fenOf(data.refundAmount);
    const outTradeNo = text(data.mercOrderNo) ?? outTradeNoOfPath(raw.path);
    if (!outRefundNo || refundFee === undefined || !outTradeNo) throw refused("refund callback lacks mercRefundNo, refundAmount or its order");
    const state = refundStateOf(data.refundOrderStatus);
    return {
      kind: "refund",
      state,
      outTradeNo,
      outRefundNo,
      ...(text(data.sysRefundNo) ? { refundId: text(data.sysRefundNo) } : {}),
      refundFee,
      ...(state !== "PROCESSING" && timeOf(data.finishTime) !== undefined ? { settledAt: timeOf(data.finishTime) } : {}),
      raw: data,
    };
  }
  if (data.orderStatus !== undefined) {
    const outTradeNo = text(data.mercOrderNo);
    const totalFee = fenOf(data.totalAmount);
    if (!outTradeNo || totalFee === undefined) throw refused("payment callback lacks mercOrderNo or totalAmount");
    if (data.currency !== undefined && data.currency !== "CNY") throw refused(`payment callback currency ${String(data.currency)} is not CNY`);
    return {
      kind: "payment",
      state: tradeStateOf(data.orderStatus),
      outTradeNo,
      ...(text(data.sysTransOrderNo) ? { transactionId: text(data.sysTransOrderNo) } : {}),
      totalFee,
      ...(timeOf(data.finishTime) !== undefined ? { paidAt: timeOf(data.finishTime) } : {}),
      ...(text(mercNo) ? { mchId: text(mercNo) } : {}),
      ...(text(appId) ? { appId: text(appId) } : {}),
      ...(text(data.subMercNo) ? { subMchId: text(data.subMercNo) } : {}),
      raw: data,
    };
  }
  return {
    kind: "ignored",
    eventType: "callback without orderStatus or refundOrderStatus",
    ...(text(data.mercOrderNo) ? { outTradeNo: text(data.mercOrderNo)! } : {}),
  };
}

/**
 * The reply Huawei Pay expects within 3 seconds, exactly `{"resultCode":"000000","resultDesc":"Success."}`;
 * anything else makes it deliver again. A refusal is a non-2xx JSON answer, a failure of ours a 5xx.
 */
export function acknowledgeHuaweiNotify(accepted: boolean, ourFault = false): IntegrationResponse {
  return accepted ? jsonReply(200, HUAWEI_NOTIFY_ACK) : jsonReply(ourFault ? 500 : 400, { resultCode: "FAIL", resultDesc: "rejected" });
}
