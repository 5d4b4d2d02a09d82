import { NetworkError, ProviderRejectedError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { AppleEnvironment } from "./jws/payloads";
import type { AppleMerchant, AppleServerApiKey } from "./merchant";

/**
 * The App Store Server API: a bearer JWT signed with the in-app purchase key (.p8, ES256), then plain JSON.
 * Apple: "Tokens that expire more than 60 minutes after the time in iat are not valid"; five minutes, as
 * Apple's library signs them, is plenty for one call.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/generating-json-web-tokens-for-api-requests
 * @see https://developer.apple.com/documentation/appstoreserverapi/get-transaction-info
 * @see https://developer.apple.com/documentation/appstoreserverapi/send-consumption-information
 */

const BEARER_LIFETIME_S = 300;

export async function appleBearerToken(key: AppleServerApiKey, bundleId: string, nowMs: number): Promise<string> {
  // Required on first use (the build ships jose as lib/jose.js beside the bundle): a cold start that
  // calls no Apple API neither parses nor runs it.
  const { SignJWT } = require("jose") as typeof import("jose");
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ bid: bundleId })
    .setProtectedHeader({ alg: "ES256", kid: key.keyId, typ: "JWT" })
    .setIssuer(key.issuerId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + BEARER_LIFETIME_S)
    .setAudience("appstoreconnect-v1")
    .sign(key.privateKey);
}

/** Apple's error body, `{errorCode, errorMessage}`; 4040010 "Transaction id not found" sends the caller to the other environment. */
export class AppleApiError extends ProviderRejectedError {
  readonly httpStatus: number;
  readonly errorCode?: number;

  constructor(httpStatus: number, errorCode: number | undefined, errorMessage: string) {
    super(String(errorCode ?? httpStatus), errorMessage, "苹果服务器校验失败，请稍后再试");
    this.httpStatus = httpStatus;
    if (errorCode !== undefined) this.errorCode = errorCode;
  }

  /** The id is unknown in this environment (4040010, 4040005 and its retryable twin 4040006). */
  get notFound(): boolean {
    return this.errorCode === 4040010 || this.errorCode === 4040005 || this.errorCode === 4040006;
  }
}

async function call(
  merchant: AppleMerchant,
  environment: AppleEnvironment,
  method: "GET" | "PUT",
  path: string,
  runtime: ProviderRuntime,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const key = merchant.serverApiKey;
  if (!key) throw new Error("the App Store Server API needs keyId, issuerId and privateKey");
  const token = await appleBearerToken(key, merchant.bundleId, runtime.now());
  let response;
  try {
    response = await runtime.request(`${merchant.serverApiHosts[environment]}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { content: JSON.stringify(body) } : {}),
      timeout: merchant.timeoutMs,
    });
  } catch {
    throw new NetworkError();
  }
  const text = response.data.toString("utf8");
  let json: Record<string, unknown> = {};
  if (text.trim()) {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      if (response.status < 300) throw new NetworkError();
    }
  }
  if (response.status >= 500 || response.status === 429) throw new NetworkError();
  if (response.status >= 300) {
    throw new AppleApiError(
      response.status,
      typeof json.errorCode === "number" ? json.errorCode : undefined,
      String(json.errorMessage ?? `HTTP ${response.status}`),
    );
  }
  return { status: response.status, json };
}

/** Get Transaction Info in one environment: the App Store's current signed transaction (with any refund since). */
export async function getAppleTransactionInfo(
  merchant: AppleMerchant,
  environment: AppleEnvironment,
  transactionId: string,
  runtime: ProviderRuntime,
): Promise<string> {
  if (!/^[0-9]{1,32}$/.test(transactionId)) throw new AppleApiError(400, 4000006, "Invalid transaction id.");
  const { json } = await call(merchant, environment, "GET", `/inApps/v1/transactions/${transactionId}`, runtime);
  if (typeof json.signedTransactionInfo !== "string") throw new NetworkError();
  return json.signedTransactionInfo;
}

/** The environments a transaction is looked up in: production first, then sandbox when the config accepts it. */
export function lookupEnvironments(merchant: AppleMerchant): AppleEnvironment[] {
  return merchant.sandbox ? ["Production", "Sandbox"] : ["Production"];
}

/** Get Transaction Info, production first and the sandbox when production does not know the id. */
export async function findAppleTransaction(
  merchant: AppleMerchant,
  transactionId: string,
  runtime: ProviderRuntime,
  environments = lookupEnvironments(merchant),
): Promise<string> {
  let last: unknown;
  for (const environment of environments) {
    try {
      return await getAppleTransactionInfo(merchant, environment, transactionId, runtime);
    } catch (error) {
      if (!(error instanceof AppleApiError) || !error.notFound) throw error;
      last = error;
    }
  }
  throw last;
}

/** One page of Get Transaction History v2: the customer's signed transactions, and the revision that asks for the next. */
export interface AppleHistoryPage {
  signedTransactions: string[];
  revision?: string;
  hasMore: boolean;
}

/**
 * Get Transaction History **v2** (`/inApps/v2/history/{transactionId}`; v1 is deprecated and leaves out
 * finished consumables, the very purchases a StoreKit 1 receipt no longer lists), newest first, one page.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/get-transaction-history
 */
export async function getAppleTransactionHistory(
  merchant: AppleMerchant,
  environment: AppleEnvironment,
  transactionId: string,
  runtime: ProviderRuntime,
  options: { revision?: string; productId?: string } = {},
): Promise<AppleHistoryPage> {
  if (!/^[0-9]{1,32}$/.test(transactionId)) throw new AppleApiError(400, 4000006, "Invalid transaction id.");
  const query = new URLSearchParams({ sort: "DESCENDING" });
  if (options.revision) query.set("revision", options.revision);
  if (options.productId) query.set("productId", options.productId);
  const { json } = await call(merchant, environment, "GET", `/inApps/v2/history/${transactionId}?${query.toString()}`, runtime);
  const signed = json.signedTransactions;
  if (!Array.isArray(signed) || !signed.every((entry) => typeof entry === "string")) throw new NetworkError();
  return {
    signedTransactions: signed as string[],
    ...(typeof json.revision === "string" && json.revision ? { revision: json.revision } : {}),
    hasMore: json.hasMore === true,
  };
}

/** Pages a restore reads at most: a customer's history of one app is short, and each page is an API call. */
const HISTORY_PAGES = 5;

/**
 * The signed transaction `transactionId` as the customer's history holds it, in the first environment that
 * knows the customer: the JWS still to be verified by the caller (the network path is not the trust).
 */
export async function findInAppleHistory(
  merchant: AppleMerchant,
  transactionId: string,
  runtime: ProviderRuntime,
  environments: AppleEnvironment[],
  idOf: (jws: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  for (const environment of environments) {
    let revision: string | undefined;
    try {
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const answer = await getAppleTransactionHistory(merchant, environment, transactionId, runtime, revision ? { revision } : {});
        for (const jws of answer.signedTransactions) if ((await idOf(jws)) === transactionId) return jws;
        if (!answer.hasMore || !answer.revision) break;
        revision = answer.revision;
      }
    } catch (error) {
      if (!(error instanceof AppleApiError) || !error.notFound) throw error;
    }
  }
  return undefined;
}

/**
 * The v2 consumption answer (v1 is deprecated since API 1.19). Apple refuses the body (HTTP 400)
 * unless `customerConsented` is true.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/consumptionrequest
 */
export interface AppleConsumptionInfo {
  customerConsented: true;
  deliveryStatus: string;
  sampleContentProvided: boolean;
  /** Milliunits. */
  consumptionPercentage?: number;
  refundPreference?: "DECLINE" | "GRANT_FULL" | "GRANT_PRORATED";
}

export async function sendAppleConsumption(
  merchant: AppleMerchant,
  environment: AppleEnvironment,
  transactionId: string,
  info: AppleConsumptionInfo,
  runtime: ProviderRuntime,
): Promise<void> {
  await call(merchant, environment, "PUT", `/inApps/v2/transactions/consumption/${transactionId}`, runtime, info);
}
