import { SignatureError } from "../../core/errors";
import { findOrderByClaim } from "../../core/payment-claims";
import { textReply, type IntegrationResponse } from "../../http-reply";
import type { AckContext, MerchantConfig, NormalizedEvent, ProviderRuntime, RawNotification } from "../../kernel/contract";
import type { AppleNotification, AppleTransaction } from "./jws/payloads";
import { readAppleMerchant } from "./merchant";
import { appleVerifiers, verifyWithEither } from "./verifiers";

/**
 * App Store Server Notifications V2: `{"signedPayload": JWS}`, verified like every App Store JWS (online,
 * at the current time, by default), with its `signedTransactionInfo` verified again on its own. Only a
 * REFUND changes an order: REVOKE is Family Sharing withdrawn (the buyer was not refunded) and
 * REFUND_DECLINED changes nothing, so both are recorded only; renewals and TEST are acknowledged.
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

function refundedFee(totalFee: number, transaction: AppleTransaction): number {
  if (transaction.revocationType === "REFUND_PRORATED" && typeof transaction.revocationPercentage === "number") {
    const share = Math.min(Math.max(transaction.revocationPercentage, 0), WHOLE);
    return Math.round((totalFee * share) / WHOLE);
  }
  return totalFee;
}

export async function verifyAppleNotification(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent> {
  const merchant = readAppleMerchant(config);
  const verifiers = appleVerifiers(merchant, runtime);
  const payload: AppleNotification = await verifyWithEither(verifiers, (verifier) => verifier.verifyNotification(parseBody(notification.body)));
  const type = payload.notificationType ?? "";
  const eventType = payload.subtype ? `${type}/${payload.subtype}` : type;
  const signedTransaction = payload.data?.signedTransactionInfo;
  if (type !== "REFUND" || !signedTransaction) return { kind: "ignored", eventType };
  // The inner transaction is a JWS of its own: verified in the notification's environment before it is read.
  const environment = payload.data?.environment;
  const inner = verifiers.filter((verifier) => verifier.environment === environment);
  const transaction = await verifyWithEither(inner, (verifier) => verifier.verifyTransaction(signedTransaction));
  if (!transaction.transactionId || transaction.revocationDate === undefined) return { kind: "ignored", eventType: `${eventType} without revocation` };
  const order = runtime.db ? await findOrderByClaim("appleiap", transaction.transactionId, runtime.db) : undefined;
  if (!order) return { kind: "ignored", eventType: `${eventType} for a transaction no order claimed` };
  return {
    kind: "refund",
    state: "SUCCESS",
    outTradeNo: order.out_trade_no,
    outRefundNo: appleRefundNo(transaction.transactionId),
    refundId: payload.notificationUUID ?? transaction.transactionId,
    refundFee: refundedFee(order.total_fee, transaction),
    settledAt: transaction.revocationDate,
    raw: {
      notificationType: type,
      subtype: payload.subtype,
      notificationUUID: payload.notificationUUID,
      revocationType: transaction.revocationType,
      revocationPercentage: transaction.revocationPercentage,
      revocationReason: transaction.revocationReason,
    },
  };
}

/** Apple reads the status only: 200 is received; a 5xx (our failure) makes it retry at 1, 12, 24, 48 and 72 hours. */
export function acknowledgeAppleNotification(accepted: boolean, context?: AckContext): IntegrationResponse {
  if (accepted) return textReply(200, "");
  return textReply(context?.ourFault ? 500 : 400, "");
}
