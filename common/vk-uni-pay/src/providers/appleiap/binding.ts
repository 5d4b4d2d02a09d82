import { ValidationError } from "../../core/errors";
import type { ProofOrder, ProvenPayment } from "../../kernel/contract";
import type { AppleMerchant } from "./merchant";

/**
 * What a verified App Store purchase says, whichever way it arrived (a StoreKit 2 signed transaction,
 * the Server API, a legacy receipt's `in_app` entry), and its binding to an order.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/jwstransactiondecodedpayload
 */
export interface ApplePurchase {
  transactionId: string;
  originalTransactionId?: string;
  productId: string;
  quantity: number;
  appAccountToken?: string;
  type?: string;
  inAppOwnershipType?: string;
  revocationDate?: number;
  environment: string;
  purchaseDate?: number;
  price?: number;
  currency?: string;
  storefront?: string;
  /** How it was verified: `jws`, `server-api` or `receipt`. */
  source: string;
}

const refused = (detail: string) => new ValidationError(1016, "appleiap-receipt-invalid", "ios内购凭据校验不通过", detail);

function assertFulfillable(purchase: ApplePurchase): void {
  // A refunded or revoked purchase still verifies; it must not pay anything.
  if (purchase.revocationDate !== undefined) throw refused(`transaction ${purchase.transactionId} was revoked at ${purchase.revocationDate}`);
  // Family Sharing gives access, not a purchase by this buyer (https://developer.apple.com/documentation/appstoreserverapi/inappownershiptype).
  if (purchase.inAppOwnershipType === "FAMILY_SHARED") throw refused(`transaction ${purchase.transactionId} is family shared`);
}

/**
 * The order the purchase pays: the one the caller named, or (a restore) the caller's order carrying the
 * purchase's appAccountToken. Token, product and quantity must all be the order's.
 */
export async function bindApplePurchase(
  purchase: ApplePurchase,
  merchant: AppleMerchant,
  named: ProofOrder | undefined,
  findOrder: (field: string, value: string) => Promise<ProofOrder | undefined>,
): Promise<ProvenPayment> {
  assertFulfillable(purchase);
  if (!named) {
    // A restore of a purchase already delivered finds its order by transactionId, then by originalTransactionId
    // (StoreKit 1 restores mint new ids): answered with that order, which stays as it is.
    for (const claimKey of [purchase.transactionId, purchase.originalTransactionId]) {
      const claimed = claimKey ? await findOrder("payment_claim", claimKey) : undefined;
      if (claimed && claimed.orderFields.product_id === purchase.productId) return proven(purchase, claimed, claimKey!);
    }
  }
  if (!purchase.appAccountToken) throw refused(`transaction ${purchase.transactionId} carries no appAccountToken (pass the order's UUID to StoreKit)`);
  const order = named ?? (await findOrder("app_account_token", purchase.appAccountToken.toLowerCase()));
  if (!order) throw refused(`no order of this user carries appAccountToken ${purchase.appAccountToken}`);
  const fields = order.orderFields;
  if (String(fields.app_account_token ?? "").toLowerCase() !== purchase.appAccountToken.toLowerCase()) {
    throw refused(`appAccountToken ${purchase.appAccountToken} is not order ${order.outTradeNo}'s`);
  }
  if (fields.product_id !== purchase.productId) throw refused(`product ${purchase.productId} is not order ${order.outTradeNo}'s ${String(fields.product_id)}`);
  if ((fields.quantity ?? 1) !== purchase.quantity)
    throw refused(`quantity ${purchase.quantity} is not order ${order.outTradeNo}'s ${String(fields.quantity)}`);
  const product = merchant.products.get(purchase.productId);
  if (product?.type && purchase.type !== undefined && product.type !== purchase.type)
    throw refused(`type ${purchase.type} is not the configured ${product.type}`);
  return proven(purchase, order, purchase.transactionId);
}

function proven(purchase: ApplePurchase, order: ProofOrder, claimKey: string): ProvenPayment {
  return {
    state: "SUCCESS",
    outTradeNo: order.outTradeNo,
    transactionId: purchase.transactionId,
    totalFee: order.totalFee,
    ...(purchase.purchaseDate !== undefined ? { paidAt: purchase.purchaseDate } : {}),
    claimKey,
    // Apple's price is in milliunits of the storefront's currency: recorded for reconciliation, never compared with the CNY order.
    raw: {
      transactionId: purchase.transactionId,
      originalTransactionId: purchase.originalTransactionId,
      productId: purchase.productId,
      quantity: purchase.quantity,
      type: purchase.type,
      environment: purchase.environment,
      price: purchase.price,
      currency: purchase.currency,
      storefront: purchase.storefront,
      purchaseDate: purchase.purchaseDate,
      source: purchase.source,
    },
  };
}
