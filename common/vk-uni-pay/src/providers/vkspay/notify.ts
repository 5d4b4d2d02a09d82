import { checkedTextSha256, SignatureError, withEvidence } from "../../core/errors";
import { yuanToFen } from "../../core/money";
import { textReply, type IntegrationResponse } from "../../http-reply";
import type { NormalizedEvent, RawNotification } from "../../kernel/contract";
import type { VkspayMerchant } from "./merchant";
import { epaySignContent, epayVerify } from "./sign";

/**
 * A 易支付 notification: sent by GET to `notify_url` with `pid`, `trade_no`, `out_trade_no`, `type`, `name`,
 * `money`, `trade_status`, `param`, `sign` and `sign_type` (a form POST is read the same way, as some
 * aggregators send one). The MD5 signature is checked first; then the merchant (`pid`) must be ours; only
 * `TRADE_SUCCESS` pays. Binding to the order (`out_trade_no`, `money`) is the core's.
 *
 * @see https://z-pay.cn/ (a copy of the 易支付 interface document: 支付结果通知)
 */
function refused(detail: string): SignatureError {
  return new SignatureError("vkspay-notify-invalid", detail);
}

function fieldsOf(raw: RawNotification): Record<string, string> {
  if (raw.query && Object.keys(raw.query).length > 0) return { ...raw.query };
  const body = raw.body?.toString("utf8") ?? "";
  if (!body) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key in fields) throw refused(`notification repeats ${key}`);
    fields[key] = value;
  }
  return fields;
}

export function verifyVkspayNotification(raw: RawNotification, merchant: VkspayMerchant): NormalizedEvent {
  const fields = fieldsOf(raw);
  if (Object.keys(fields).length === 0) throw refused("notification has no fields");
  if (!epayVerify(fields, merchant.key)) {
    // 易支付 names no key (one per merchant) and carries no time of its own: the log gets the hash of the
    // sorted fields as signed, without the key appended, and the sign_type the message named.
    throw withEvidence(refused("notification MD5 signature does not verify with the merchant key"), {
      checkedTextSha256: checkedTextSha256(epaySignContent(fields)),
      algorithm: fields.sign_type || "MD5",
    });
  }
  if (fields.sign_type !== undefined && fields.sign_type.toUpperCase() !== "MD5") throw refused(`sign_type ${fields.sign_type} is not MD5`);
  if (fields.pid !== merchant.mchId) throw refused("notification is for another merchant (pid)");
  if (!fields.out_trade_no) throw refused("notification lacks out_trade_no");
  if (fields.trade_status !== "TRADE_SUCCESS") {
    return { kind: "ignored", eventType: `trade_status ${String(fields.trade_status ?? "(none)").slice(0, 32)}`, outTradeNo: fields.out_trade_no };
  }
  let totalFee: number;
  try {
    totalFee = yuanToFen(fields.money ?? "");
  } catch {
    throw refused("notification money is not an amount in yuan");
  }
  return {
    kind: "payment",
    state: "SUCCESS",
    outTradeNo: fields.out_trade_no,
    ...(fields.trade_no ? { transactionId: fields.trade_no } : {}),
    totalFee,
    mchId: fields.pid,
    raw: { ...fields, sign: undefined },
  };
}

/** 易支付 stops delivering on the plain text `success`; anything else is delivered again. */
export function acknowledgeVkspayNotify(accepted: boolean, ourFault = false): IntegrationResponse {
  return accepted ? textReply(200, "success") : textReply(ourFault ? 500 : 400, "fail");
}
