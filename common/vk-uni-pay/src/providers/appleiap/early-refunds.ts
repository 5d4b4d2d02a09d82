import { single, type Database } from "../../core/database";
import type { ProviderRuntime } from "../../kernel/contract";
import type { AppleTransaction } from "./jws/payloads";

/**
 * A REFUND that arrives before the app proved the purchase (the app crashed after buying, or was offline):
 * no order has claimed the transaction yet, but Apple has already given the money back. It is kept here,
 * one document per transactionId in `vk-pay-appleiap-notices`, and settled on the order as soon as the
 * purchase is verified and bound (proof.ts). A REFUND_REVERSED arriving meanwhile marks it reversed, so
 * nothing is settled. Apple delivers each notification until it is answered 200, so without this record
 * the refund would be acknowledged and lost.
 *
 * @see https://developer.apple.com/documentation/appstoreservernotifications/notificationtype (REFUND, REFUND_REVERSED)
 */

export const APPLE_NOTICES_COLLECTION = "vk-pay-appleiap-notices";

export interface EarlyRefund {
  revocationDate: number;
  revocationType?: string;
  revocationPercentage?: number;
  revocationReason?: number;
  notificationUUID?: string;
}

interface NoticeDoc {
  transaction_id: string;
  environment?: string;
  refund?: EarlyRefund;
  reversed_date?: number;
  create_date: number;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Records (or, for a redelivery, records again identically) the refund of a transaction no order has claimed. */
export async function recordEarlyRefund(
  db: Database,
  transaction: AppleTransaction,
  notificationUUID: string | undefined,
  runtime: ProviderRuntime,
): Promise<void> {
  const transactionId = transaction.transactionId!;
  const existing = single<NoticeDoc>(await db.collection(APPLE_NOTICES_COLLECTION).doc(transactionId).get());
  // A reversal that came first stays: the refund it reverses is this one.
  const refund: EarlyRefund = definedOnly({
    revocationDate: transaction.revocationDate!,
    revocationType: transaction.revocationType,
    revocationPercentage: transaction.revocationPercentage,
    revocationReason: transaction.revocationReason,
    notificationUUID,
  });
  await db
    .collection(APPLE_NOTICES_COLLECTION)
    .doc(transactionId)
    .set(
      definedOnly({
        transaction_id: transactionId,
        environment: transaction.environment,
        refund,
        reversed_date: existing?.reversed_date,
        create_date: existing?.create_date ?? runtime.now(),
      }) as unknown as Record<string, unknown>,
    );
}

/** A REFUND_REVERSED for a transaction no order has claimed: its recorded refund (or one still to come) is not settled. */
export async function recordEarlyReversal(db: Database, transaction: AppleTransaction, runtime: ProviderRuntime): Promise<void> {
  const transactionId = transaction.transactionId!;
  const existing = single<NoticeDoc>(await db.collection(APPLE_NOTICES_COLLECTION).doc(transactionId).get());
  if (existing?.reversed_date !== undefined) return;
  await db
    .collection(APPLE_NOTICES_COLLECTION)
    .doc(transactionId)
    .set(
      definedOnly({
        transaction_id: transactionId,
        environment: transaction.environment,
        refund: existing?.refund,
        reversed_date: runtime.now(),
        create_date: existing?.create_date ?? runtime.now(),
      }) as unknown as Record<string, unknown>,
    );
}

/** The refund still to settle for this transaction, if Apple announced one before the purchase was proven. */
export async function pendingEarlyRefund(db: Database | undefined, transactionId: string): Promise<EarlyRefund | undefined> {
  if (!db) return undefined;
  const doc = single<NoticeDoc>(await db.collection(APPLE_NOTICES_COLLECTION).doc(transactionId).get());
  return doc?.refund && doc.reversed_date === undefined ? doc.refund : undefined;
}
