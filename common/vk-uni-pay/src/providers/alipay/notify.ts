import type { KeyObject } from "node:crypto";
import { SignatureError, VkPayError } from "../../core/errors";
import { textReply, type IntegrationResponse } from "../../http-reply";
import type { NormalizedEvent, ProviderRuntime, RawNotification, RefundStatus } from "../../kernel/contract";
import type { AlipayMerchant } from "./merchant";
import { toPaymentStatus } from "./normalize";
import { ALIPAY_NOTIFY_ACK, AlipaySignatureError, parseAlipayAmount, verifyAlipayNotify } from "./protocol";

/**
 * An Alipay asynchronous notification, from raw form body to normalized event: the signature is verified
 * on the body exactly as received (each value decoded once; `sign` and `sign_type` excluded) before a single
 * field is read, then the trade fields are mapped. Binding to the order (`out_trade_no`, `app_id`,
 * `seller_id`, `total_amount`) is the core's.
 *
 * Refunds: Alipay reports a refund with the trade's own notification (`trade_status_sync`), adding
 * `out_biz_no` (our `out_request_no`, i.e. the core's `out_refund_no`), `refund_fee` and `gmt_refund`. Its
 * `refund_fee` is the trade's **total** refunded so far, not this refund's amount, so it cannot be matched
 * against the refund ledger; the notification is instead the trigger for a refund query on
 * `out_biz_no`, whose verified answer (this refund's amount and state) becomes the refund event.
 *
 * @see https://opendocs.alipay.com/open/270/105902 (异步通知参数，out_biz_no / refund_fee / gmt_refund)
 * @see https://opendocs.alipay.com/common/02mse7 (异步通知验签)
 */

export type RefundLookup = (outTradeNo: string, outRefundNo: string) => Promise<RefundStatus>;

const TRADE_NOTIFY = "trade_status_sync";
/** 资金单据状态变更通知, sent to the application gateway after the merchant subscribes (https://opendocs.alipay.com/mini/02d2y4). */
const TRANSFER_CHANGED = "alipay.fund.trans.order.changed";

/** A verified `alipay.fund.trans.order.changed`: its `biz_content` names the transfer by `out_biz_no`. */
function transferEvent(fields: Readonly<Record<string, string>>, merchant: AlipayMerchant): NormalizedEvent {
  if (fields.app_id !== undefined && fields.app_id !== merchant.appId) throw unreadable("transfer notification is for another app");
  let biz: Record<string, unknown>;
  try {
    biz = JSON.parse(fields.biz_content ?? "") as Record<string, unknown>;
  } catch {
    throw unreadable("transfer notification biz_content is not JSON");
  }
  const outBillNo = biz?.out_biz_no;
  if (typeof outBillNo !== "string" || outBillNo === "") throw unreadable("transfer notification lacks out_biz_no");
  const state = biz.status === "SUCCESS" ? "SUCCESS" : biz.status === "FAIL" || biz.status === "REFUND" || biz.status === "CLOSED" ? "FAIL" : "PROCESSING";
  let amount: number | undefined;
  try {
    amount = biz.trans_amount === undefined ? undefined : parseAlipayAmount(biz.trans_amount, "trans_amount");
  } catch {
    throw unreadable("transfer notification trans_amount is malformed");
  }
  return {
    kind: "transfer",
    state,
    outBillNo,
    appId: merchant.appId,
    ...(typeof biz.order_id === "string" && biz.order_id !== "" ? { transferBillNo: biz.order_id } : {}),
    ...(amount !== undefined ? { amount } : {}),
    ...(typeof biz.error_code === "string" && biz.error_code !== "" ? { failReason: biz.error_code } : {}),
    raw: biz,
  };
}

function unreadable(message: string): SignatureError {
  return new SignatureError("alipay-notify-invalid", message);
}

function verifyWith(raw: RawNotification, key: KeyObject): Readonly<Record<string, string>> {
  try {
    return verifyAlipayNotify(raw.body, key).params;
  } catch (error) {
    if (error instanceof AlipaySignatureError) throw error;
    // A body that is not form data (a duplicated field, a broken escape) is not a notification we can trust.
    throw unreadable(`notification body is not a valid form${error instanceof VkPayError ? ` (${error.errCode})` : ""}`);
  }
}

/**
 * Verified with the configured key, or, in certificate mode after Alipay rotated its certificate, with a
 * certificate adopted since (trusted through the configured root; notifications do not name their SN).
 */
async function verify(raw: RawNotification, merchant: AlipayMerchant, clock: NotifyClock): Promise<Readonly<Record<string, string>>> {
  if (!raw || !Buffer.isBuffer(raw.body) || raw.body.length === 0) throw unreadable("notification has no body");
  try {
    return verifyWith(raw, merchant.alipayPublicKey);
  } catch (error) {
    const rotated =
      error instanceof AlipaySignatureError && merchant.rotatedCerts ? await merchant.rotatedCerts.rotatedKeys(merchant, clock.now(), clock.db) : [];
    for (const key of rotated) {
      try {
        return verifyWith(raw, key);
      } catch {
        // The next adopted certificate may be the one.
      }
    }
    throw error;
  }
}

/** The refund fields Alipay adds to a trade notification; `out_biz_no` alone is not enough to say "refund". */
function isRefundNotice(fields: Readonly<Record<string, string>>): boolean {
  return Boolean(fields.out_biz_no) && (Boolean(fields.refund_fee) || Boolean(fields.gmt_refund));
}

/** The runtime's clock, and its database: certificates adopted by another instance are read from there. */
type NotifyClock = Pick<ProviderRuntime, "now" | "db">;

/**
 * @see https://opendocs.alipay.com/open/270/105902
 */
export async function verifyAlipayNotification(
  raw: RawNotification,
  merchant: AlipayMerchant,
  lookupRefund: RefundLookup,
  runtime: NotifyClock,
): Promise<NormalizedEvent> {
  const fields = await verify(raw, merchant, runtime);
  if (fields.msg_method === TRANSFER_CHANGED) return transferEvent(fields, merchant);
  // A verified notification we do not act on is acknowledged, not refused: a refusal is redelivered for a day.
  if (fields.notify_type !== undefined && fields.notify_type !== TRADE_NOTIFY) {
    return { kind: "ignored", eventType: fields.notify_type.slice(0, 64), ...(fields.out_trade_no ? { outTradeNo: fields.out_trade_no.slice(0, 64) } : {}) };
  }
  // Alipay's key verifies every seller's notifications for this app; a seller that is not ours is still not ours.
  if (merchant.sellerId && fields.seller_id !== merchant.sellerId) throw unreadable("notification is for another merchant (seller_id)");
  if (isRefundNotice(fields)) {
    const outTradeNo = fields.out_trade_no;
    if (!outTradeNo) throw unreadable("refund notification lacks out_trade_no");
    // The query's failures (network, refusal) reach the pipeline as they are: it answers "fail" and Alipay retries.
    return { kind: "refund", ...(await lookupRefund(outTradeNo, fields.out_biz_no!)) };
  }
  try {
    return { kind: "payment", ...toPaymentStatus(fields) };
  } catch (error) {
    throw unreadable(`verified trade notification is incomplete${error instanceof VkPayError ? ` (${error.errCode})` : ""}`);
  }
}

/**
 * The reply Alipay expects: exactly `success`; anything else (`fail`) makes it deliver again, 8 times over
 * about 25 hours. The refusal also carries a 4xx status so refusals stand out in access logs.
 *
 * @see https://opendocs.alipay.com/open/270/105902
 */
export function acknowledgeAlipayNotify(accepted: boolean): IntegrationResponse {
  return accepted ? textReply(200, ALIPAY_NOTIFY_ACK) : textReply(400, "fail");
}
