import { readFileSync } from "node:fs";
import { AppStoreServerAPIClient, Environment, SignedDataVerifier } from "@apple/app-store-server-library";
import { createAppleSandbox, type AppleSandbox } from "../../scripts/sandbox/appleiap";
import {
  APPLE_SANDBOX_APP_APPLE_ID,
  APPLE_SANDBOX_BUNDLE_ID,
  APPLE_SANDBOX_ISSUER_ID,
  APPLE_SANDBOX_KEY_ID,
  APPLE_SANDBOX_PASSWORD,
} from "../../scripts/sandbox/appleiap/keys";
import { mountSandbox, type Mounted } from "./helpers/mounted";

/**
 * The Apple sandbox over real HTTP, checked with Apple's own app-store-server-library (a dev dependency):
 * its API client calls the sandbox's Server API with the sandbox's .p8, and its SignedDataVerifier accepts
 * what the sandbox signs once the sandbox's root is trusted, so the sandbox is not only agreeing with our
 * own verifier.
 */
let h: Mounted<AppleSandbox>;
let received: Array<{ url: string; body: string }>;

beforeAll(async () => {
  received = [];
  h = await mountSandbox<AppleSandbox>("appleiap", undefined, (dataDir) =>
    createAppleSandbox({
      dataDir,
      defaultNotifyUrl: () => "http://merchant.test/notify",
      transport: async (url, init) => {
        received.push({ url, body: init.body });
        return { status: 200, body: "" };
      },
    }),
  );
});
afterAll(() => h.close());

const appleClient = (environment: Environment) => {
  const client = new AppStoreServerAPIClient(
    readFileSync(h.sandbox.keys.apiKeyPath, "utf8"),
    APPLE_SANDBOX_KEY_ID,
    APPLE_SANDBOX_ISSUER_ID,
    APPLE_SANDBOX_BUNDLE_ID,
    environment,
  );
  // Apple's client has fixed hosts; the sandbox stands in for them.
  (client as unknown as { urlBase: string }).urlBase = `${h.base}${environment === Environment.SANDBOX ? "/api-sandbox" : "/api"}`;
  return client;
};
// Offline (at signedDate): Apple's online mode asks an OCSP responder, which the sandbox chain does not name.
const appleVerifier = (environment: Environment) =>
  new SignedDataVerifier([h.sandbox.keys.chain.root.certDer], false, environment, APPLE_SANDBOX_BUNDLE_ID, APPLE_SANDBOX_APP_APPLE_ID);
const verifyReceipt = async (prefix: string, body: unknown) =>
  (await (
    await fetch(`${h.base}${prefix}/verifyReceipt`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  ).json()) as Record<string, any>;

describe("Apple sandbox", () => {
  it("Apple's API client reads a purchase from the Server API, and Apple's verifier accepts its signed transaction", async () => {
    const bought = await h.control("pay", { productId: "coins_60", appAccountToken: "3b241101-e2bb-4255-8caf-4136c566a962" });
    expect(bought.json).toMatchObject({ ok: true, transaction_id: expect.any(String) });
    const info = await appleClient(Environment.SANDBOX).getTransactionInfo(bought.json.transaction_id);
    const transaction = await appleVerifier(Environment.SANDBOX).verifyAndDecodeTransaction(info.signedTransactionInfo!);
    expect(transaction).toMatchObject({
      transactionId: bought.json.transaction_id,
      productId: "coins_60",
      appAccountToken: "3b241101-e2bb-4255-8caf-4136c566a962",
      price: 6000,
      currency: "CNY",
    });
    expect(await appleVerifier(Environment.SANDBOX).verifyAndDecodeTransaction(bought.json.signed_transaction)).toMatchObject({ environment: "Sandbox" });
  });

  it("the production host does not know a sandbox transaction (4040010), and a token by another key is refused 401", async () => {
    const bought = await h.control("pay", { productId: "coins_60" });
    await expect(appleClient(Environment.PRODUCTION).getTransactionInfo(bought.json.transaction_id)).rejects.toMatchObject({
      httpStatusCode: 404,
      apiError: 4040010,
    });
    const response = await fetch(`${h.base}/api-sandbox/inApps/v1/transactions/${bought.json.transaction_id}`, {
      headers: { authorization: "Bearer e30.e30.AAAA" },
    });
    expect(response.status).toBe(401);
  });

  it("Send Consumption Information v2 is taken with the customer's consent and refused without", async () => {
    const bought = await h.control("pay", { productId: "coins_60" });
    const client = appleClient(Environment.SANDBOX) as unknown as {
      makeRequest(path: string, method: string, query: object, body: object, validator: null): Promise<void>;
    };
    await client.makeRequest(
      `/inApps/v2/transactions/consumption/${bought.json.transaction_id}`,
      "PUT",
      {},
      { customerConsented: true, deliveryStatus: "DELIVERED", sampleContentProvided: false },
      null,
    );
    expect(h.sandbox.consumption.at(-1)).toMatchObject({ transactionId: bought.json.transaction_id, body: { customerConsented: true } });
    await expect(
      client.makeRequest(`/inApps/v2/transactions/consumption/${bought.json.transaction_id}`, "PUT", {}, { customerConsented: false }, null),
    ).rejects.toMatchObject({ httpStatusCode: 400 });
  });

  it("verifyReceipt: production answers 21007 for a sandbox receipt, the sandbox 21008 for a production one, 21004 for a wrong secret", async () => {
    const sandboxBuy = await h.control("pay", { productId: "coins_60" });
    const productionBuy = await h.control("pay", { productId: "coins_60", environment: "Production" });
    expect(await verifyReceipt("/buy", { "receipt-data": sandboxBuy.json.receipt, password: APPLE_SANDBOX_PASSWORD })).toEqual({ status: 21007 });
    expect(await verifyReceipt("/sandbox", { "receipt-data": sandboxBuy.json.receipt, password: APPLE_SANDBOX_PASSWORD })).toMatchObject({
      status: 0,
      environment: "Sandbox",
      receipt: { bundle_id: APPLE_SANDBOX_BUNDLE_ID, in_app: [{ transaction_id: sandboxBuy.json.transaction_id, product_id: "coins_60", quantity: "1" }] },
    });
    expect(await verifyReceipt("/sandbox", { "receipt-data": productionBuy.json.receipt })).toEqual({ status: 21008 });
    expect(await verifyReceipt("/buy", { "receipt-data": productionBuy.json.receipt, password: "wrong" })).toEqual({ status: 21004 });
    expect(await verifyReceipt("/buy", { "receipt-data": "bm90IGEgcmVjZWlwdA==" })).toEqual({ status: 21002 });
  });

  it("notify sends the named notification type (REVOKE marks the transaction family-revoked)", async () => {
    const bought = await h.control("pay", { productId: "coins_60", familyShared: true });
    expect(await h.control("notify", { notificationType: "REVOKE", transactionId: bought.json.transaction_id })).toMatchObject({
      json: { ok: true, notification_type: "REVOKE" },
    });
    const { signedPayload } = JSON.parse(received.at(-1)!.body) as { signedPayload: string };
    const notification = await appleVerifier(Environment.SANDBOX).verifyAndDecodeNotification(signedPayload);
    const inner = await appleVerifier(Environment.SANDBOX).verifyAndDecodeTransaction(notification.data!.signedTransactionInfo!);
    expect(inner).toMatchObject({ inAppOwnershipType: "FAMILY_SHARED", revocationType: "FAMILY_REVOKE" });
    expect(await h.control("notify", { notificationType: "TEST" })).toMatchObject({ json: { ok: true, notification_type: "TEST" } });
  });

  it("a refund sends REFUND V2, signed so that Apple's verifier accepts it, with the prorated share on the transaction", async () => {
    const bought = await h.control("pay", { productId: "coins_300" });
    expect(await h.control("refund", { transactionId: bought.json.transaction_id, percentage: 40000 })).toMatchObject({
      status: 200,
      json: { ok: true, notification_type: "REFUND", reply_status: 200 },
    });
    const { signedPayload } = JSON.parse(received.at(-1)!.body) as { signedPayload: string };
    expect(received.at(-1)!.url).toBe("http://merchant.test/notify");
    const notification = await appleVerifier(Environment.SANDBOX).verifyAndDecodeNotification(signedPayload);
    expect(notification).toMatchObject({ notificationType: "REFUND", data: { bundleId: APPLE_SANDBOX_BUNDLE_ID, environment: "Sandbox" } });
    const inner = await appleVerifier(Environment.SANDBOX).verifyAndDecodeTransaction(notification.data!.signedTransactionInfo!);
    expect(inner).toMatchObject({
      transactionId: bought.json.transaction_id,
      revocationType: "REFUND_PRORATED",
      revocationPercentage: 40000,
      revocationDate: expect.any(Number),
    });
  });
});
