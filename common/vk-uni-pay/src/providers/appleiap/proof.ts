import { ValidationError } from "../../core/errors";
import type { ClientProofRequest, ProviderRuntime, ProvenPayment } from "../../kernel/contract";
import { bindApplePurchase, type ApplePurchase } from "./binding";
import { pendingEarlyRefund } from "./early-refunds";
import { appleRefundStatus } from "./notify";
import type { AppleEnvironment, AppleTransaction } from "./jws/payloads";
import { readAppleMerchant, type AppleMerchant } from "./merchant";
import { AppleReceiptMissingTransaction, purchaseFromReceipt, verifyAppleReceipt } from "./receipt";
import { findAppleTransaction, findInAppleHistory, lookupEnvironments } from "./server-api";
import { verifyAppleTransaction } from "./verifiers";

/**
 * `pay/appleiap/verifyReceipt`: the app's proof of a purchase, StoreKit 2 first. A signed transaction
 * (`signed_transaction`, StoreKit 2's `jwsRepresentation`) is verified locally, then, when the Server API
 * key is configured, confirmed with Get Transaction Info (the App Store's current copy, which shows a
 * refund since the purchase). A StoreKit 1 receipt (`transaction_receipt` with `transaction_identifier`,
 * vk-pay.md §1.7) goes through legacy verifyReceipt.
 *
 * @see https://developer.apple.com/documentation/storekit/verificationresult/jwsrepresentation-21vgo
 * @see https://developer.apple.com/documentation/appstoreserverapi/get-transaction-info
 */

function purchaseFromTransaction(transaction: AppleTransaction, source: string): ApplePurchase {
  if (!transaction.transactionId || !transaction.productId) {
    throw new ValidationError(1016, "appleiap-receipt-invalid", "ios内购凭据校验不通过", "the signed transaction has no transactionId or productId");
  }
  return {
    transactionId: transaction.transactionId,
    productId: transaction.productId,
    quantity: transaction.quantity ?? 1,
    environment: transaction.environment ?? "",
    source,
    ...pick(transaction, [
      "originalTransactionId",
      "appAccountToken",
      "type",
      "inAppOwnershipType",
      "revocationDate",
      "purchaseDate",
      "price",
      "currency",
      "storefront",
    ]),
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

async function signedPurchase(merchant: AppleMerchant, jws: string, runtime: ProviderRuntime): Promise<ApplePurchase> {
  const local = await verifyAppleTransaction(merchant, runtime, jws);
  if (!merchant.serverApiKey) return purchaseFromTransaction(local, "jws");
  const environment = local.environment === "Sandbox" ? "Sandbox" : "Production";
  const current = await findAppleTransaction(merchant, local.transactionId ?? "", runtime, [
    environment,
    ...lookupEnvironments(merchant).filter((other) => other !== environment),
  ]);
  // Apple's answer is signed too, and verified like the client's: the network path is not the trust.
  const confirmed = await verifyAppleTransaction(merchant, runtime, current);
  if (confirmed.transactionId !== local.transactionId) {
    throw new ValidationError(1016, "appleiap-receipt-invalid", "ios内购凭据校验不通过", "the App Store answered another transaction");
  }
  return purchaseFromTransaction(confirmed, "server-api");
}

/**
 * The receipt's entry for the transaction; when the receipt does not list it (a finished consumable leaves
 * the StoreKit 1 receipt, Apple: "consumable in-app purchases … the app marks as finished" are not returned)
 * and the Server API key is configured, the transaction is found in the customer's history (v2) instead,
 * verified as every App Store JWS.
 */
async function receiptPurchase(
  merchant: AppleMerchant,
  answer: Record<string, unknown>,
  transactionId: string,
  runtime: ProviderRuntime,
): Promise<ApplePurchase> {
  try {
    return purchaseFromReceipt(answer, transactionId, merchant);
  } catch (error) {
    if (!merchant.serverApiKey || !(error instanceof AppleReceiptMissingTransaction)) throw error;
    const environment = answer.environment === "Sandbox" ? "Sandbox" : "Production";
    const environments = [environment, ...lookupEnvironments(merchant).filter((other) => other !== environment)] as AppleEnvironment[];
    const verified = new Map<string, AppleTransaction>();
    const jws = await findInAppleHistory(merchant, transactionId, runtime, environments, async (candidate) => {
      const transaction = await verifyAppleTransaction(merchant, runtime, candidate);
      verified.set(candidate, transaction);
      return transaction.transactionId;
    });
    if (!jws) throw error;
    return purchaseFromTransaction(verified.get(jws)!, "history");
  }
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}

export async function verifyAppleClientProof(request: ClientProofRequest, runtime: ProviderRuntime): Promise<ProvenPayment> {
  const merchant = readAppleMerchant(request.config);
  const signed = text(request.proof.signed_transaction, 64 * 1024);
  let purchase: ApplePurchase;
  if (signed) {
    purchase = await signedPurchase(merchant, signed, runtime);
  } else {
    const receipt = text(request.proof.transaction_receipt, 1024 * 1024);
    if (!receipt) throw new ValidationError(1014, "transaction-receipt-invalid", "transaction_receipt必须是string类型，且不能为空");
    const transactionId = text(request.proof.transaction_identifier, 64);
    if (!transactionId) throw new ValidationError(1015, "transaction-identifier-invalid", "transaction_identifier必须是string类型，且不能为空");
    purchase = await receiptPurchase(merchant, await verifyAppleReceipt(merchant, receipt, runtime), transactionId, runtime);
  }
  const proven = await bindApplePurchase(purchase, merchant, request.order, request.findOrder);
  // A refund Apple announced before this proof (early-refunds.ts) settles on the order now bound to it.
  const early = await pendingEarlyRefund(runtime.db, proven.transactionId ?? purchase.transactionId);
  if (!early) return proven;
  return { ...proven, refunds: [appleRefundStatus(proven.outTradeNo, proven.totalFee ?? 0, purchase.transactionId, early)] };
}
