import { isDuplicateKey, type Database } from "./database";
import { failures, StateError } from "./errors";
import type { Order } from "./orders";
import { COLLECTIONS } from "./repository";

/**
 * A provider payment id that one order only may ever claim (Apple's `transactionId`: the same signed
 * transaction sent for a second order must not pay it too). The claim is the order's `payment_claim`,
 * under a unique sparse index, so two concurrent claims of one id cannot both succeed.
 */
export type ClaimOutcome = "claimed" | "already-claimed";

export function paymentClaimKey(provider: string, id: string): string {
  return `${provider}:${id}`;
}

export const paymentClaimedElsewhere = () => new StateError(2013, "payment-claimed", "该支付凭据已被其他订单使用");

export async function claimPayment(order: Pick<Order, "_id" | "out_trade_no">, claim: string, db: Database): Promise<ClaimOutcome> {
  const _ = db.command;
  try {
    const { updated } = await db
      .collection(COLLECTIONS.orders)
      .where({ _id: order._id, payment_claim: _.exists(false) })
      .update({ payment_claim: claim });
    if (updated === 1) return "claimed";
  } catch (error) {
    if (isDuplicateKey(error)) throw paymentClaimedElsewhere();
    throw error;
  }
  const { data } = await db.collection(COLLECTIONS.orders).where({ _id: order._id }).limit(1).get();
  const current = data[0] as (Order & { payment_claim?: string }) | undefined;
  // A repeated verification of the same payment for the same order is a retry; another payment for a claimed order is not.
  if (current?.payment_claim === claim) return "already-claimed";
  throw failures.orderAlreadyPaid();
}

/** The order that claimed this provider payment id, if any (a refund notification names the payment, not the order). */
export async function findOrderByClaim(provider: string, claimKey: string, db: Database): Promise<Order | undefined> {
  const { data } = await db
    .collection(COLLECTIONS.orders)
    .where({ payment_claim: paymentClaimKey(provider, claimKey) })
    .limit(1)
    .get();
  return data[0] as Order | undefined;
}
