import { SignatureError } from "../../core/errors";
import { findOrderByClaim } from "../../core/payment-claims";
import { textReply, type IntegrationResponse } from "../../http-reply";
import type { AckContext, MerchantConfig, NormalizedEvent, ProviderRuntime, RawNotification, RefundStatus } from "../../kernel/contract";
import { recordEarlyRefund, recordEarlyReversal, type EarlyRefund } from "./early-refunds";
import type { AppleEnvironment, AppleNotification, AppleTransaction } from "./jws/payloads";
import { readAppleMerchant, type AppleMerchant } from "./merchant";
import { sendAppleConsumption } from "./server-api";
import { appleVerifiers, verifyWithEither } from "./verifiers";

/**
 * App Store Server Notifications V2: `{"signedPayload": JWS}`, verified like every App Store JWS (online,
 * at the current time, by default), with its `signedTransactionInfo` verified again on its own. Only a
 * REFUND changes an order, and a REFUND_REVERSED undoes it (once, in the core); REVOKE is Family Sharing
 * withdrawn (the buyer was not refunded) and REFUND_DECLINED changes nothing, so both are recorded only;
 * renewals and TEST are acknowledged. A REFUND for a purchase not yet proven is kept until it is.
 *
 * @see https://developer.apple.com/documentation/appstoreservernotifications/responding-to-app-store-server-notifications
 * @see https://developer.apple.com/documentation/appstoreservernotifications/notificationtype
 * @see https://developer.apple.com/documentation/appstoreserverapi/revocationtype
 */

/** revocationPercentage is in milliunits: 100000 is the whole price. */
const WHOLE = 100_000;

export function appleRefundNo(transactionId: string): string {
  return `APPLE-REFUND-${transactionId}`;
}

function parseBody(body: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new SignatureError("appleiap-notify-invalid", "the notification body is not JSON");
  }
  const signedPayload = (parsed as { signedPayload?: unknown })?.signedPayload;
  if (typeof signedPayload !== "string") throw new SignatureError("appleiap-notify-invalid", "the notification has no signedPayload");
  return signedPayload;
}

function refundedFee(totalFee: number, refund: Pick<EarlyRefund, "revocationType" | "revocationPercentage">): number {
  if (refund.revocationType === "REFUND_PRORATED" && typeof refund.revocationPercentage === "number") {
    const share = Math.min(Math.max(refund.revocationPercentage, 0), WHOLE);
    return Math.round((totalFee * share) / WHOLE);
  }
  return totalFee;
}

/** The refund of one transaction as the core settles it, whether its notification found the order or waited for it (early-refunds.ts). */
export function appleRefundStatus(
  outTradeNo: string,
  totalFee: number,
  transactionId: string,
  refund: EarlyRefund & { notificationType?: string; subtype?: string },
): RefundStatus {
  return {
    state: "SUCCESS",
    outTradeNo,
    outRefundNo: appleRefundNo(transactionId),
    refundId: refund.notificationUUID ?? transactionId,
    refundFee: refundedFee(totalFee, refund),
    settledAt: refund.revocationDate,
    raw: {
      notificationType: refund.notificationType ?? "REFUND",
      subtype: refund.subtype,
      notificationUUID: refund.notificationUUID,
      revocationType: refund.revocationType,
      revocationPercentage: refund.revocationPercentage,
      revocationReason: refund.revocationReason,
    },
  };
}

const HANDLED = new Set(["REFUND", "REFUND_REVERSED", "CONSUMPTION_REQUEST"]);

export async function verifyAppleNotification(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent> {
  const merchant = readAppleMerchant(config);
  const verifiers = appleVerifiers(merchant, runtime);
  const payload: AppleNotification = await verifyWithEither(verifiers, (verifier) => verifier.verifyNotification(parseBody(notification.body)));
  const type = payload.notificationType ?? "";
  const eventType = payload.subtype ? `${type}/${payload.subtype}` : type;
  // The inner transaction and renewal info are JWS of their own: verified in the notification's environment,
  // whatever the type, so a renewal is acknowledged only once all it carries has verified.
  const environment = payload.data?.environment;
  const inner = verifiers.filter((verifier) => verifier.environment === environment);
  const signedTransaction = payload.data?.signedTransactionInfo;
  const signedRenewal = payload.data?.signedRenewalInfo;
  const transaction = signedTransaction ? await verifyWithEither(inner, (verifier) => verifier.verifyTransaction(signedTransaction)) : undefined;
  if (signedRenewal) await verifyWithEither(inner, (verifier) => verifier.verifyRenewalInfo(signedRenewal));
  if (!HANDLED.has(type) || !transaction) return { kind: "ignored", eventType };
  if (type === "CONSUMPTION_REQUEST") {
    // Recorded in the notification log for the admin; answered only with what the merchant configured (consent is theirs to obtain).
    const answered = await answerConsumption(merchant, environment === "Sandbox" ? "Sandbox" : "Production", transaction, runtime);
    return { kind: "ignored", eventType: `${eventType} (${payload.data?.consumptionRequestReason ?? "no reason"}; ${answered ? "answered" : "not answered"})` };
  }
  if (!transaction.transactionId) return { kind: "ignored", eventType: `${eventType} without transactionId` };
  if (type === "REFUND" && transaction.revocationDate === undefined) return { kind: "ignored", eventType: `${eventType} without revocation` };
  const db = runtime.db;
  const order = db ? await findOrderByClaim("appleiap", transaction.transactionId, db) : undefined;
  if (!order) {
    // Apple has moved the money already: kept until the purchase is proven and bound (early-refunds.ts).
    if (!db) return { kind: "ignored", eventType: `${eventType} for a transaction no order claimed (no database to keep it)` };
    if (type === "REFUND") await recordEarlyRefund(db, transaction, payload.notificationUUID, runtime);
    else await recordEarlyReversal(db, transaction, runtime);
    return { kind: "ignored", eventType: `${eventType} for a transaction no order claimed yet: recorded until its purchase is verified` };
  }
  if (type === "REFUND_REVERSED") {
    // Apple reversed a refund it had granted: the transaction no longer carries a revocation, and the money is the merchant's again.
    return {
      kind: "refundReversed",
      outTradeNo: order.out_trade_no,
      outRefundNo: appleRefundNo(transaction.transactionId),
      ...(payload.signedDate !== undefined ? { reversedAt: payload.signedDate } : {}),
      raw: { notificationType: type, subtype: payload.subtype, notificationUUID: payload.notificationUUID },
    };
  }
  return {
    kind: "refund",
    ...appleRefundStatus(order.out_trade_no, order.total_fee, transaction.transactionId, {
      revocationDate: transaction.revocationDate!,
      ...definedFields(transaction),
      ...(payload.notificationUUID ? { notificationUUID: payload.notificationUUID } : {}),
      notificationType: type,
      ...(payload.subtype ? { subtype: payload.subtype } : {}),
    }),
  };
}

function definedFields(transaction: AppleTransaction): Omit<EarlyRefund, "revocationDate" | "notificationUUID"> {
  return {
    ...(transaction.revocationType !== undefined ? { revocationType: transaction.revocationType } : {}),
    ...(transaction.revocationPercentage !== undefined ? { revocationPercentage: transaction.revocationPercentage } : {}),
    ...(transaction.revocationReason !== undefined ? { revocationReason: transaction.revocationReason } : {}),
  };
}

/**
 * The merchant's standing answer to a consumption request, `appleiap["app-plus"].consumption`, sent with
 * Send Consumption Information V2 when the Server API key is configured. Apple refuses it (HTTP 400)
 * without `customerConsented: true`, so nothing is sent unless the merchant set that.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/send-consumption-information
 */
async function answerConsumption(
  merchant: AppleMerchant,
  environment: AppleEnvironment,
  transaction: AppleTransaction,
  runtime: ProviderRuntime,
): Promise<boolean> {
  const answer = merchant.consumption;
  if (!answer || !merchant.serverApiKey || !transaction.transactionId) return false;
  await sendAppleConsumption(merchant, environment, transaction.transactionId, answer, runtime);
  return true;
}

/** Apple reads the status only: 200 is received; a 5xx (our failure) makes it retry at 1, 12, 24, 48 and 72 hours. */
export function acknowledgeAppleNotification(accepted: boolean, context?: AckContext): IntegrationResponse {
  if (accepted) return textReply(200, "");
  return textReply(context?.ourFault ? 500 : 400, "");
}
