import { randomBytes, randomUUID } from "node:crypto";
import { signAppleJws } from "./chain";
import { APPLE_SANDBOX_APP_APPLE_ID, APPLE_SANDBOX_BUNDLE_ID, type AppleSandboxKeys } from "./keys";

/**
 * What the Apple sandbox knows: the purchases made through its control API (each a transaction as Apple's
 * JWSTransactionDecodedPayload describes it, in the Sandbox or the Production environment) and the app
 * receipts that list them. Kept in memory: a restart of `npm start` begins a fresh App Store.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/jwstransactiondecodedpayload
 */

export type SandboxEnvironment = "Production" | "Sandbox";

export type SandboxTransaction = Record<string, unknown> & { transactionId: string; environment: SandboxEnvironment; productId: string };

export interface PurchaseInput {
  productId: string;
  appAccountToken?: string;
  quantity: number;
  environment: SandboxEnvironment;
  type: string;
  familyShared: boolean;
  /** Milliunits of CNY, as Apple reports `price`. */
  price: number;
}

export interface AppleSandboxStore {
  purchase(input: PurchaseInput): { transaction: SandboxTransaction; signedTransaction: string; receipt: string };
  transaction(id: string): SandboxTransaction | undefined;
  receipt(data: string): { environment: SandboxEnvironment; transactionIds: string[] } | undefined;
  revoke(id: string, revocation: { type: string; percentage?: number; reason: number }): SandboxTransaction;
  /** The app finished the transaction: a finished consumable leaves the app receipt (Get Transaction History v2 still lists it). */
  finish(id: string): SandboxTransaction;
  /** The customer's transactions in one environment, newest first (the sandbox has one customer). */
  history(environment: SandboxEnvironment): SandboxTransaction[];
  /** Apple reversed the refund (REFUND_REVERSED): the transaction no longer carries its revocation. */
  reinstate(id: string): SandboxTransaction;
  sign(payload: Record<string, unknown>): string;
  now(): number;
}

export function createAppleSandboxStore(keys: AppleSandboxKeys, now: () => number = Date.now): AppleSandboxStore {
  const transactions = new Map<string, SandboxTransaction>();
  const receipts = new Map<string, { environment: SandboxEnvironment; transactionIds: string[] }>();
  const finished = new Set<string>();
  let nextId = 2000000000000000 + Math.floor(now() / 1000);
  const sign = (payload: Record<string, unknown>) => signAppleJws(keys.chain, { ...payload, signedDate: now() });
  return {
    purchase(input) {
      const transactionId = String(nextId++);
      const purchaseDate = now();
      const transaction: SandboxTransaction = {
        transactionId,
        originalTransactionId: transactionId,
        bundleId: APPLE_SANDBOX_BUNDLE_ID,
        productId: input.productId,
        purchaseDate,
        originalPurchaseDate: purchaseDate,
        quantity: input.quantity,
        type: input.type,
        inAppOwnershipType: input.familyShared ? "FAMILY_SHARED" : "PURCHASED",
        environment: input.environment,
        transactionReason: "PURCHASE",
        storefront: "CHN",
        storefrontId: "143465",
        price: input.price,
        currency: "CNY",
        ...(input.appAccountToken ? { appAccountToken: input.appAccountToken } : {}),
      };
      transactions.set(transactionId, transaction);
      // A StoreKit 1 app receipt is an opaque base64 blob to the app; here it names the sandbox's receipt.
      const receipt = Buffer.from(`vk-pay-sandbox-receipt:${randomBytes(12).toString("hex")}`).toString("base64");
      receipts.set(receipt, { environment: input.environment, transactionIds: [transactionId] });
      return { transaction, signedTransaction: sign(transaction), receipt };
    },
    transaction: (id) => transactions.get(id),
    receipt(data) {
      const receipt = receipts.get(data);
      if (!receipt) return undefined;
      // Apple's receipt keeps a consumable only until the app finishes it.
      const listed = receipt.transactionIds.filter((id) => {
        const transaction = transactions.get(id);
        return !(finished.has(id) && transaction?.type === "Consumable");
      });
      return { environment: receipt.environment, transactionIds: listed };
    },
    revoke(id, revocation) {
      const transaction = transactions.get(id);
      if (!transaction) throw new Error(`no transaction ${id}`);
      Object.assign(transaction, {
        revocationDate: now(),
        revocationReason: revocation.reason,
        revocationType: revocation.type,
        ...(revocation.percentage !== undefined ? { revocationPercentage: revocation.percentage } : {}),
      });
      return transaction;
    },
    finish(id) {
      const transaction = transactions.get(id);
      if (!transaction) throw new Error(`no transaction ${id}`);
      finished.add(id);
      return transaction;
    },
    history: (environment) =>
      [...transactions.values()]
        .filter((transaction) => transaction.environment === environment)
        .sort((a, b) => Number(b.purchaseDate) - Number(a.purchaseDate) || Number(b.transactionId) - Number(a.transactionId)),
    reinstate(id) {
      const transaction = transactions.get(id);
      if (!transaction) throw new Error(`no transaction ${id}`);
      for (const field of ["revocationDate", "revocationReason", "revocationType", "revocationPercentage"]) delete transaction[field];
      return transaction;
    },
    sign,
    now,
  };
}

/** A Server Notifications V2 payload about `transaction` (or about none, for TEST). */
export function notificationPayload(
  type: string,
  transaction: SandboxTransaction | undefined,
  store: AppleSandboxStore,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    notificationType: type,
    notificationUUID: randomUUID(),
    version: "2.0",
    data: {
      appAppleId: APPLE_SANDBOX_APP_APPLE_ID,
      bundleId: APPLE_SANDBOX_BUNDLE_ID,
      bundleVersion: "1",
      environment: transaction?.environment ?? "Sandbox",
      ...(transaction ? { signedTransactionInfo: store.sign(transaction) } : {}),
      ...extra,
    },
  };
}
