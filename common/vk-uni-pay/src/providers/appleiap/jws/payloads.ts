/**
 * The decoded App Store payloads this library reads, as Apple documents them, and the shape check that
 * runs before anything else (Apple's library refuses a payload whose fields have the wrong types with
 * FAILURE before it looks at the chain). Fields the library never reads are not declared.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/jwstransactiondecodedpayload
 * @see https://developer.apple.com/documentation/appstoreserverapi/jwsrenewalinfodecodedpayload
 * @see https://developer.apple.com/documentation/appstoreservernotifications/responsebodyv2decodedpayload
 */

export type AppleEnvironment = "Production" | "Sandbox";

export interface AppleTransaction {
  transactionId?: string;
  originalTransactionId?: string;
  bundleId?: string;
  productId?: string;
  /** Consumable, Non-Consumable, Auto-Renewable Subscription, Non-Renewing Subscription. */
  type?: string;
  purchaseDate?: number;
  originalPurchaseDate?: number;
  expiresDate?: number;
  quantity?: number;
  appAccountToken?: string;
  /** PURCHASED or FAMILY_SHARED. */
  inAppOwnershipType?: string;
  signedDate?: number;
  revocationDate?: number;
  /** REFUND_FULL, REFUND_PRORATED or FAMILY_REVOKE. */
  revocationType?: string;
  /** Milliunits: 100000 is the whole price. */
  revocationPercentage?: number;
  revocationReason?: number;
  environment?: string;
  storefront?: string;
  /** Milliunits of `currency`. */
  price?: number;
  currency?: string;
  transactionReason?: string;
}

export interface AppleRenewalInfo {
  originalTransactionId?: string;
  productId?: string;
  autoRenewStatus?: number;
  environment?: string;
  signedDate?: number;
  appAccountToken?: string;
}

export interface AppleNotificationData {
  appAppleId?: number;
  bundleId?: string;
  bundleVersion?: string;
  environment?: string;
  signedTransactionInfo?: string;
  signedRenewalInfo?: string;
  status?: number;
  consumptionRequestReason?: string;
}

/** The identity block of the notification kinds that carry no `data` (summary, external purchase token, app data). */
interface AppleNotificationIdentity {
  appAppleId?: number;
  bundleId?: string;
  environment?: string;
  externalPurchaseId?: string;
}

export interface AppleNotification {
  notificationType?: string;
  subtype?: string;
  notificationUUID?: string;
  version?: string;
  signedDate?: number;
  data?: AppleNotificationData;
  summary?: AppleNotificationIdentity;
  externalPurchaseToken?: AppleNotificationIdentity;
  appData?: AppleNotificationIdentity;
}

type FieldType = "string" | "number" | "boolean" | "object";
type Shape = Readonly<Record<string, FieldType>>;

const TRANSACTION_SHAPE: Shape = {
  transactionId: "string",
  originalTransactionId: "string",
  bundleId: "string",
  productId: "string",
  type: "string",
  purchaseDate: "number",
  originalPurchaseDate: "number",
  expiresDate: "number",
  quantity: "number",
  appAccountToken: "string",
  inAppOwnershipType: "string",
  signedDate: "number",
  revocationDate: "number",
  revocationType: "string",
  revocationPercentage: "number",
  revocationReason: "number",
  environment: "string",
  storefront: "string",
  price: "number",
  currency: "string",
  transactionReason: "string",
};

const RENEWAL_SHAPE: Shape = {
  originalTransactionId: "string",
  productId: "string",
  autoRenewStatus: "number",
  environment: "string",
  signedDate: "number",
  appAccountToken: "string",
};

const DATA_SHAPE: Shape = {
  appAppleId: "number",
  bundleId: "string",
  bundleVersion: "string",
  environment: "string",
  signedTransactionInfo: "string",
  signedRenewalInfo: "string",
  status: "number",
  consumptionRequestReason: "string",
};

const IDENTITY_SHAPE: Shape = { appAppleId: "number", bundleId: "string", environment: "string", externalPurchaseId: "string" };

const NOTIFICATION_SHAPE: Shape = {
  notificationType: "string",
  subtype: "string",
  notificationUUID: "string",
  version: "string",
  signedDate: "number",
  data: "object",
  summary: "object",
  externalPurchaseToken: "object",
  appData: "object",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fits(value: unknown, shape: Shape): boolean {
  if (!isRecord(value)) return false;
  return Object.entries(shape).every(
    ([field, type]) => value[field] === undefined || (type === "object" ? isRecord(value[field]) : typeof value[field] === type),
  );
}

export type PayloadKind = "transaction" | "renewalInfo" | "notification";

/** Whether a decoded payload has the documented types for the fields this library reads. */
export function payloadFits(kind: PayloadKind, payload: unknown): boolean {
  switch (kind) {
    case "transaction":
      return fits(payload, TRANSACTION_SHAPE);
    case "renewalInfo":
      return fits(payload, RENEWAL_SHAPE);
    case "notification": {
      if (!fits(payload, NOTIFICATION_SHAPE)) return false;
      const { data, summary, externalPurchaseToken, appData } = payload as Record<string, unknown>;
      return (
        (data === undefined || fits(data, DATA_SHAPE)) &&
        [summary, externalPurchaseToken, appData].every((block) => block === undefined || fits(block, IDENTITY_SHAPE))
      );
    }
  }
}
