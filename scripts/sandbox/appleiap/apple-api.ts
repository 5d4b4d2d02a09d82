import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { isRecord, readRawBody, sendJson, sendText } from "../http";
import { APPLE_SANDBOX_BUNDLE_ID, APPLE_SANDBOX_ISSUER_ID, APPLE_SANDBOX_KEY_ID, APPLE_SANDBOX_PASSWORD, type AppleSandboxKeys } from "./keys";
import type { AppleSandboxStore, SandboxEnvironment } from "./store";

/**
 * The Apple endpoints the library calls, each environment on its own prefix as Apple has its own hosts:
 * legacy verifyReceipt (`/buy/verifyReceipt` production, `/sandbox/verifyReceipt`), and the App Store
 * Server API (`/api/...` production, `/api-sandbox/...`) behind the bearer JWT Apple documents.
 *
 * @see https://developer.apple.com/documentation/appstorereceipts/verifyreceipt
 * @see https://developer.apple.com/documentation/appstoreserverapi/generating-json-web-tokens-for-api-requests
 */

export interface AppleApiContext {
  store: AppleSandboxStore;
  keys: AppleSandboxKeys;
  consumption: Array<{ transactionId: string; environment: SandboxEnvironment; body: Record<string, unknown> }>;
}

async function serveVerifyReceipt(ctx: AppleApiContext, environment: SandboxEnvironment, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Apple answers HTTP 200 with a JSON status whatever went wrong; 21000 is "not an HTTP POST".
  if (req.method !== "POST") return sendJson(res, 200, { status: 21000 });
  const raw = await readRawBody(req);
  let body: unknown;
  try {
    body = JSON.parse(raw?.toString("utf8") ?? "");
  } catch {
    return sendJson(res, 200, { status: 21002 });
  }
  const data = isRecord(body) ? body["receipt-data"] : undefined;
  const receipt = typeof data === "string" ? ctx.store.receipt(data) : undefined;
  if (!receipt) return sendJson(res, 200, { status: 21002 });
  if (isRecord(body) && body.password !== undefined && body.password !== APPLE_SANDBOX_PASSWORD) return sendJson(res, 200, { status: 21004 });
  if (receipt.environment === "Sandbox" && environment === "Production") return sendJson(res, 200, { status: 21007 });
  if (receipt.environment === "Production" && environment === "Sandbox") return sendJson(res, 200, { status: 21008 });
  const inApp = receipt.transactionIds.map((id) => {
    const transaction = ctx.store.transaction(id)!;
    return {
      transaction_id: transaction.transactionId,
      original_transaction_id: transaction.originalTransactionId,
      product_id: transaction.productId,
      quantity: String(transaction.quantity),
      purchase_date_ms: String(transaction.purchaseDate),
      in_app_ownership_type: transaction.inAppOwnershipType,
      ...(transaction.appAccountToken ? { app_account_token: transaction.appAccountToken } : {}),
      ...(transaction.revocationDate !== undefined
        ? { cancellation_date_ms: String(transaction.revocationDate), cancellation_reason: String(transaction.revocationReason ?? 0) }
        : {}),
    };
  });
  sendJson(res, 200, {
    status: 0,
    environment,
    receipt: { bundle_id: APPLE_SANDBOX_BUNDLE_ID, receipt_type: environment === "Sandbox" ? "ProductionSandbox" : "Production", in_app: inApp },
  });
}

/** Apple's rules for the bearer token: ES256 with the key's kid, our issuer, aud appstoreconnect-v1, the bundle, at most an hour. */
async function authorized(ctx: AppleApiContext, req: IncomingMessage): Promise<boolean> {
  const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
  if (!token) return false;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "ES256" || header.kid !== APPLE_SANDBOX_KEY_ID || header.typ !== "JWT") return false;
    const { payload } = await jwtVerify(token, ctx.keys.apiPublicKey, {
      issuer: APPLE_SANDBOX_ISSUER_ID,
      audience: "appstoreconnect-v1",
      currentDate: new Date(ctx.store.now()),
    });
    return payload.bid === APPLE_SANDBOX_BUNDLE_ID && typeof payload.iat === "number" && typeof payload.exp === "number" && payload.exp - payload.iat <= 3600;
  } catch {
    return false;
  }
}

async function serveServerApi(ctx: AppleApiContext, environment: SandboxEnvironment, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Apple answers an unauthorized call 401 with no body.
  if (!(await authorized(ctx, req))) return sendText(res, 401, "", "text/plain");
  const info = /^\/inApps\/v1\/transactions\/([^/]+)$/.exec(path);
  if (info && req.method === "GET") {
    const transaction = ctx.store.transaction(decodeURIComponent(info[1]!));
    if (!/^[0-9]+$/.test(info[1]!)) return sendJson(res, 400, { errorCode: 4000006, errorMessage: "Invalid transaction id." });
    if (!transaction || transaction.environment !== environment) return sendJson(res, 404, { errorCode: 4040010, errorMessage: "Transaction id not found." });
    return sendJson(res, 200, { signedTransactionInfo: ctx.store.sign(transaction) });
  }
  const history = /^\/inApps\/v2\/history\/([^/?]+)$/.exec(path);
  if (history && req.method === "GET") return serveHistory(ctx, environment, history[1]!, req, res);
  const consumption = /^\/inApps\/v2\/transactions\/consumption\/([^/]+)$/.exec(path);
  if (consumption && req.method === "PUT") {
    const transaction = ctx.store.transaction(consumption[1]!);
    if (!transaction || transaction.environment !== environment) return sendJson(res, 404, { errorCode: 4040010, errorMessage: "Transaction id not found." });
    let body: unknown;
    try {
      body = JSON.parse((await readRawBody(req))?.toString("utf8") ?? "");
    } catch {
      body = undefined;
    }
    // Apple refuses a consumption answer without the customer's consent.
    if (!isRecord(body) || body.customerConsented !== true) return sendJson(res, 400, { errorCode: 4000000, errorMessage: "Invalid request." });
    ctx.consumption.push({ transactionId: transaction.transactionId, environment, body });
    return sendText(res, 202, "", "text/plain");
  }
  sendJson(res, 404, { errorCode: 4040000, errorMessage: "Not found." });
}

/** Transactions per history page: Apple returns up to 20. */
const HISTORY_PAGE = 20;

/**
 * Get Transaction History v2: the customer's transactions (here: every transaction of the environment, the
 * sandbox having one customer), filtered by `productId`, newest first, paged by an opaque `revision`.
 * The v1 path is not served: it is deprecated, and the library must not call it.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/get-transaction-history
 * @see https://developer.apple.com/documentation/appstoreserverapi/historyresponse
 */
function serveHistory(ctx: AppleApiContext, environment: SandboxEnvironment, id: string, req: IncomingMessage, res: ServerResponse): void {
  if (!/^[0-9]+$/.test(id)) return sendJson(res, 400, { errorCode: 4000006, errorMessage: "Invalid transaction id." });
  const known = ctx.store.transaction(id);
  if (!known || known.environment !== environment) return sendJson(res, 404, { errorCode: 4040010, errorMessage: "Transaction id not found." });
  const query = new URL(req.url ?? "/", "http://sandbox").searchParams;
  const productIds = query.getAll("productId");
  let list = ctx.store.history(environment).filter((transaction) => productIds.length === 0 || productIds.includes(transaction.productId));
  if (query.get("sort") === "ASCENDING") list = list.reverse();
  const offset = Number(Buffer.from(query.get("revision") ?? "", "base64url").toString("utf8") || 0);
  if (!Number.isSafeInteger(offset) || offset < 0) return sendJson(res, 400, { errorCode: 4000005, errorMessage: "Invalid revision." });
  const page = list.slice(offset, offset + HISTORY_PAGE);
  const next = offset + page.length;
  sendJson(res, 200, {
    revision: Buffer.from(String(next)).toString("base64url"),
    hasMore: next < list.length,
    bundleId: APPLE_SANDBOX_BUNDLE_ID,
    environment,
    signedTransactions: page.map((transaction) => ctx.store.sign(transaction)),
  });
}

/** Serves `path` (below the sandbox's prefix) when it is one of Apple's endpoints. */
export async function serveAppleApi(ctx: AppleApiContext, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path === "/buy/verifyReceipt") return serveVerifyReceipt(ctx, "Production", req, res).then(() => true);
  if (path === "/sandbox/verifyReceipt") return serveVerifyReceipt(ctx, "Sandbox", req, res).then(() => true);
  if (path.startsWith("/api-sandbox/")) return serveServerApi(ctx, "Sandbox", path.slice("/api-sandbox".length), req, res).then(() => true);
  if (path.startsWith("/api/")) return serveServerApi(ctx, "Production", path.slice("/api".length), req, res).then(() => true);
  return false;
}
