import { checkedTextSha256, SignatureError, VkPayError, withEvidence } from "../../../core/errors";
import { textReply, type IntegrationResponse } from "../../../http-reply";
import type { NormalizedEvent, RawNotification } from "../../../kernel/contract";
import { buildV2SignString, buildV2Xml, decryptReqInfoFields, parseV2Xml, signTypeOf, verifyV2Signature, type V2Fields } from "./protocol";
import type { WxpayV2Merchant } from "./merchant";
import { toV2PaymentStatus, toV2RefundNotified } from "./normalize";

/**
 * A WeChat Pay v2 notification, from raw XML to normalized event. Payment notifications are verified by
 * their `sign` (MD5 or HMAC-SHA256 with the API key); refund notifications carry no `sign`, and are
 * proven by decrypting `req_info` with the key. Any doubt is a SignatureError, never a partial event.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8 (支付结果通知)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10 (退款结果通知)
 */

function refuse(message: string): SignatureError {
  return new SignatureError("wxpay-v2-notify-invalid", message);
}

/** Only this merchant's key verifies, but a merchant id that is not ours is still not ours. */
function checkMerchant(fields: V2Fields, merchant: WxpayV2Merchant): void {
  if (fields.mch_id !== merchant.mchId) throw refuse("notification is for another merchant");
  if (merchant.subMchId && fields.sub_mch_id !== undefined && fields.sub_mch_id !== merchant.subMchId) throw refuse("notification is for another sub-merchant");
}

/** Fields that verified but do not make a complete event are still refused as a whole. */
function complete<T>(build: () => T, what: string): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    throw refuse(`${what} is incomplete${error instanceof VkPayError ? ` (${error.errCode})` : ""}`);
  }
}

/**
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function verifyWxpayV2Notify(raw: RawNotification, merchant: WxpayV2Merchant): NormalizedEvent {
  if (!raw || !Buffer.isBuffer(raw.body)) throw refuse("notification has no body");
  if (raw.body.subarray(0, 64).toString("utf8").trimStart().startsWith("{")) {
    throw new SignatureError("wxpay-notify-version-mismatch", "an API v3 (JSON) notification for a merchant configured for API v2");
  }
  const fields = parseV2Xml(raw.body);
  // return_code=FAIL messages are unsigned and report nothing we could act on.
  if (fields.return_code !== "SUCCESS") throw refuse("notification reports return_code FAIL");

  if (fields.req_info !== undefined) {
    checkMerchant(fields, merchant);
    let inner: V2Fields;
    try {
      inner = decryptReqInfoFields(fields.req_info, merchant.key);
    } catch (error) {
      // The ciphertext is what the key was tried on (no signature, no key material in it).
      throw error instanceof SignatureError ? withEvidence(error, { checkedTextSha256: checkedTextSha256(fields.req_info) }) : error;
    }
    return complete(() => ({ kind: "refund" as const, ...toV2RefundNotified(inner) }), "refund notification");
  }

  if (!verifyV2Signature(fields, merchant.key)) {
    // v2 names no key (one API key per merchant) and signs no message time (time_end is when the buyer
    // paid, hours before a redelivery): the log gets the algorithm and the hash of stringA, the signed
    // fields without `&key=`, which a developer compares with what their own signer built.
    const algorithm = signTypeOf(fields) ?? fields.sign_type;
    throw withEvidence(refuse("notification signature does not verify"), {
      checkedTextSha256: checkedTextSha256(buildV2SignString(fields)),
      ...(algorithm ? { algorithm } : {}),
    });
  }
  checkMerchant(fields, merchant);
  // A payment notification's outcome is its result_code; a failed payment is reported, never applied.
  return complete(
    () => ({ kind: "payment" as const, ...toV2PaymentStatus(fields, fields.result_code === "SUCCESS" ? "SUCCESS" : "PAYERROR") }),
    "payment notification",
  );
}

// Built on first use, not at load: the XML library stays unloaded for merchants on v3 only.
let replies: { accepted: string; refused: string } | undefined;

/**
 * v2's reply: HTTP 200 with `return_code` SUCCESS, or FAIL so WeChat delivers again (15 s … 1 h apart).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8 (返回商户)
 */
export function acknowledgeWxpayV2Notify(accepted: boolean): IntegrationResponse {
  replies ??= { accepted: buildV2Xml({ return_code: "SUCCESS", return_msg: "OK" }), refused: buildV2Xml({ return_code: "FAIL", return_msg: "FAIL" }) };
  return textReply(200, accepted ? replies.accepted : replies.refused, "text/xml; charset=utf-8");
}
