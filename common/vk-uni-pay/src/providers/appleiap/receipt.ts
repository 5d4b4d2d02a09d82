import { NetworkError, ValidationError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { ApplePurchase } from "./binding";
import type { AppleEnvironment } from "./jws/payloads";
import type { AppleMerchant } from "./merchant";

/**
 * Legacy `verifyReceipt`, for apps still on StoreKit 1 (Apple deprecated it in 2023 and has announced no
 * end date). Production first; status 21007 means a sandbox receipt (repeated on the sandbox, when the
 * config accepts sandbox purchases), 21008 the reverse. Only the JSON `status` counts, HTTP is 200 either way.
 *
 * @see https://developer.apple.com/documentation/appstorereceipts/verifyreceipt
 * @see https://developer.apple.com/documentation/appstorereceipts/status
 */

const STATUS_MEANING: Readonly<Record<number, string>> = {
  21000: "the request was not an HTTP POST or was malformed",
  21001: "no longer sent",
  21002: "receipt-data is malformed or the service had a temporary issue",
  21003: "the receipt could not be authenticated",
  21004: "the shared secret (password) does not match the account's",
  21005: "the receipt server was temporarily unable to provide the receipt",
  21006: "the receipt is valid but the subscription has expired",
  21007: "a sandbox receipt was sent to production",
  21008: "a production receipt was sent to the sandbox",
  21009: "internal data access error",
  21010: "the user account cannot be found or has been deleted",
};

/** Apple: "try again" for these; 21100–21199 when the answer says `is-retryable`. */
function isRetryable(status: number, answer: Record<string, unknown>): boolean {
  if (status === 21002 || status === 21005 || status === 21009) return true;
  return status >= 21100 && status <= 21199 && answer["is-retryable"] === true;
}

export function describeReceiptStatus(status: number): string {
  if (status >= 21100 && status <= 21199) return "internal data access error (21100-21199)";
  return STATUS_MEANING[status] ?? "undocumented status";
}

export class AppleReceiptError extends ValidationError {
  readonly status: number;

  constructor(status: number) {
    super(1016, "appleiap-receipt-invalid", "ios内购凭据校验不通过", `verifyReceipt status ${status}: ${describeReceiptStatus(status)}`);
    this.status = status;
  }
}

/** The receipt verified but does not list the transaction (a finished consumable leaves it): the history may. */
export class AppleReceiptMissingTransaction extends ValidationError {
  constructor(transactionId: string) {
    super(1016, "appleiap-receipt-invalid", "ios内购凭据校验不通过", `transaction ${transactionId} is not in the receipt`);
  }
}

const ATTEMPTS = 3;

async function post(url: string, body: string, merchant: AppleMerchant, runtime: ProviderRuntime): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await runtime.request(url, { method: "POST", headers: { "Content-Type": "application/json" }, content: body, timeout: merchant.timeoutMs });
  } catch {
    throw new NetworkError();
  }
  if (response.status !== 200) throw new NetworkError();
  try {
    const answer = JSON.parse(response.data.toString("utf8")) as unknown;
    if (typeof answer === "object" && answer !== null && typeof (answer as Record<string, unknown>).status === "number")
      return answer as Record<string, unknown>;
  } catch {
    // Falls through: an unreadable answer is a network failure, safe to retry.
  }
  throw new NetworkError();
}

/** The decoded receipt from the environment that accepted it, after 21007/21008 redirects and retries. */
export async function verifyAppleReceipt(merchant: AppleMerchant, receiptData: string, runtime: ProviderRuntime): Promise<Record<string, unknown>> {
  const body = JSON.stringify({
    "receipt-data": receiptData,
    ...(merchant.password ? { password: merchant.password } : {}),
    "exclude-old-transactions": false,
  });
  let environment: AppleEnvironment = "Production";
  const tried = new Set<AppleEnvironment>();
  for (let attempt = 0; attempt < ATTEMPTS * 2; attempt++) {
    tried.add(environment);
    const answer = await post(merchant.receiptUrls[environment], body, merchant, runtime);
    const status = answer.status as number;
    if (status === 0) return answer;
    if (status === 21007 && !tried.has("Sandbox")) {
      // A sandbox purchase reaches production only from App Review or testers: accepted when the config says so.
      if (!merchant.sandbox) throw new AppleReceiptError(status);
      environment = "Sandbox";
      continue;
    }
    if (status === 21008 && !tried.has("Production")) {
      environment = "Production";
      continue;
    }
    if (!isRetryable(status, answer) || attempt >= ATTEMPTS - 1) throw new AppleReceiptError(status);
  }
  throw new NetworkError();
}

const numberOf = (value: unknown): number | undefined => (value === undefined || value === null || value === "" ? undefined : Number(value));

/** The receipt's `in_app` entry for this transaction, as the same purchase shape the signed path produces. */
export function purchaseFromReceipt(answer: Record<string, unknown>, transactionId: string, merchant: AppleMerchant): ApplePurchase {
  const receipt = (answer.receipt ?? {}) as Record<string, unknown>;
  if (receipt.bundle_id !== merchant.bundleId) {
    throw new ValidationError(
      1016,
      "appleiap-receipt-invalid",
      "ios内购凭据校验不通过",
      `receipt bundle_id ${String(receipt.bundle_id)} is not ${merchant.bundleId}`,
    );
  }
  const entries = [...((receipt.in_app as unknown[]) ?? []), ...((answer.latest_receipt_info as unknown[]) ?? [])] as Array<Record<string, unknown>>;
  const entry = entries.find((candidate) => candidate.transaction_id === transactionId);
  if (!entry) throw new AppleReceiptMissingTransaction(transactionId);
  const revocationDate = numberOf(entry.cancellation_date_ms);
  const purchaseDate = numberOf(entry.purchase_date_ms);
  return {
    transactionId,
    originalTransactionId: typeof entry.original_transaction_id === "string" ? entry.original_transaction_id : undefined,
    productId: String(entry.product_id ?? ""),
    quantity: numberOf(entry.quantity) ?? 1,
    ...(typeof entry.app_account_token === "string" && entry.app_account_token ? { appAccountToken: entry.app_account_token } : {}),
    ...(typeof entry.in_app_ownership_type === "string" ? { inAppOwnershipType: entry.in_app_ownership_type } : {}),
    ...(revocationDate !== undefined ? { revocationDate } : {}),
    ...(purchaseDate !== undefined ? { purchaseDate } : {}),
    environment: answer.environment === "Sandbox" ? "Sandbox" : "Production",
    source: "receipt",
  };
}
