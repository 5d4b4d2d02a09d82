import { generateKeyPairSync } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { create } from "../../common/vk-uni-pay/src/api/create-payment";
import { proveClientPayment } from "../../common/vk-uni-pay/src/api/verify-client-proof";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { appleBearerToken } from "../../common/vk-uni-pay/src/providers/appleiap/server-api";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { BUNDLE, makeAppleWorld, transactionFor, type AppleWorld } from "./apple-world";

/** The App Store Server API leg of StoreKit 2 verification, against a recording fake of Apple's hosts. */

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const P8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const HOSTS = { production: "https://prod.apple.test", sandbox: "https://sandbox.apple.test" };
const BASE_URL = { "api.storekit.apple.com": HOSTS.production, "api.storekit-sandbox.apple.com": HOSTS.sandbox };

type Answer = { status: number; body: unknown };
let answers: Map<string, Answer>;
let calls: Array<{ url: string; options: Record<string, unknown> }>;
let world: AppleWorld;

const request: ProviderRuntime["request"] = async (url, options) => {
  calls.push({ url, options });
  const answer = answers.get(url) ?? { status: 404, body: { errorCode: 4040010, errorMessage: "Transaction id not found." } };
  return { status: answer.status, headers: {}, data: Buffer.from(JSON.stringify(answer.body)) };
};

beforeEach(async () => {
  answers = new Map();
  calls = [];
  world = await makeAppleWorld({
    request: (url, options) => request(url, options),
    extra: { keyId: "KEY123", issuerId: "issuer-uuid", privateKey: P8, baseUrl: BASE_URL },
  });
});
afterEach(() => world.deps.close());

async function order(outTradeNo: string) {
  const created = await create(
    {
      context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } },
      provider: "appleiap",
      data: { out_trade_no: outTradeNo, type: "recharge", user_id: "u1", item: { product_id: "coins_60" } } as never,
    },
    world.deps,
  );
  return created.orderInfo as { productId: string; appAccountToken: string; quantity: number };
}

describe("the bearer token", () => {
  it("is ES256 with kid and typ JWT; iss, iat, exp five minutes on, aud appstoreconnect-v1 and bid", async () => {
    const now = Date.UTC(2026, 11, 7, 4, 0, 0);
    const token = await appleBearerToken({ keyId: "KEY123", issuerId: "issuer-uuid", privateKey }, BUNDLE, now);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: "KEY123", typ: "JWT" });
    const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(now), audience: "appstoreconnect-v1", issuer: "issuer-uuid" });
    expect(payload).toEqual({ iss: "issuer-uuid", iat: now / 1000, exp: now / 1000 + 300, aud: "appstoreconnect-v1", bid: BUNDLE });
  });
});

describe("Get Transaction Info confirms the client's signed transaction", () => {
  it("asks the transaction's own environment first, then the other, and pays from Apple's signed answer", async () => {
    const info = await order("APPLESRV1");
    const transaction = transactionFor(info);
    answers.set(`${HOSTS.sandbox}/inApps/v1/transactions/${transaction.transactionId}`, {
      status: 200,
      body: { signedTransactionInfo: world.sign(transaction) },
    });
    const result = await proveClientPayment(
      "appleiap.verifyReceipt",
      { out_trade_no: "APPLESRV1", user_id: "u1", signed_transaction: world.sign(transaction) },
      world.deps,
    );
    expect(result.status).toBe("SUCCESS");
    expect(calls.map((call) => call.url)).toEqual([`${HOSTS.sandbox}/inApps/v1/transactions/${transaction.transactionId}`]);
    expect(String((calls[0]!.options.headers as Record<string, string>).Authorization)).toMatch(/^Bearer eyJ/);
    expect(((await findOrder("APPLESRV1", world.deps.db)) as unknown as { notify_info: { source: string } }).notify_info.source).toBe("server-api");
  });

  it("a production transaction unknown in production (4040010) is looked up in the sandbox", async () => {
    const info = await order("APPLESRV2");
    const transaction = transactionFor(info, { environment: "Production" });
    answers.set(`${HOSTS.sandbox}/inApps/v1/transactions/${transaction.transactionId}`, {
      status: 200,
      body: { signedTransactionInfo: world.sign(transaction) },
    });
    await proveClientPayment("appleiap.verifyReceipt", { out_trade_no: "APPLESRV2", user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps);
    expect(calls.map((call) => new URL(call.url).host)).toEqual(["prod.apple.test", "sandbox.apple.test"]);
  });

  it("a refund Apple reports since the purchase refuses the payment, though the client's copy looks clean", async () => {
    const info = await order("APPLESRV3");
    const transaction = transactionFor(info);
    const refunded = { ...transaction, revocationDate: Date.now() - 100, revocationReason: 1, revocationType: "REFUND_FULL" };
    answers.set(`${HOSTS.sandbox}/inApps/v1/transactions/${transaction.transactionId}`, { status: 200, body: { signedTransactionInfo: world.sign(refunded) } });
    await expect(
      proveClientPayment("appleiap.verifyReceipt", { out_trade_no: "APPLESRV3", user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps),
    ).rejects.toMatchObject({ code: 1016 });
    expect((await findOrder("APPLESRV3", world.deps.db))?.status).toBe("NOTPAY");
  });

  it("Apple's 5xx is a retryable network failure and changes nothing", async () => {
    const info = await order("APPLESRV4");
    const transaction = transactionFor(info);
    answers.set(`${HOSTS.sandbox}/inApps/v1/transactions/${transaction.transactionId}`, {
      status: 500,
      body: { errorCode: 5000000, errorMessage: "An unknown error occurred." },
    });
    await expect(
      proveClientPayment("appleiap.verifyReceipt", { out_trade_no: "APPLESRV4", user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps),
    ).rejects.toMatchObject({ kind: "network" });
    expect((await findOrder("APPLESRV4", world.deps.db))?.status).toBe("NOTPAY");
  });
});

describe("Get Transaction History v2", () => {
  it("pages by revision through /inApps/v2/history (never v1) until the transaction is found, each entry verified", async () => {
    const info = await order("APPLEH1");
    const wanted = transactionFor(info);
    const other = transactionFor(info);
    const id = String(wanted.transactionId);
    const first = `${HOSTS.sandbox}/inApps/v2/history/${id}?sort=DESCENDING`;
    const second = `${HOSTS.sandbox}/inApps/v2/history/${id}?sort=DESCENDING&revision=page2`;
    answers.set(first, { status: 200, body: { revision: "page2", hasMore: true, signedTransactions: [world.sign(other)] } });
    const wantedJws = world.sign(wanted);
    answers.set(second, { status: 200, body: { revision: "page3", hasMore: false, signedTransactions: [wantedJws] } });
    const { findInAppleHistory } = await import("../../common/vk-uni-pay/src/providers/appleiap/server-api");
    const { readAppleMerchant } = await import("../../common/vk-uni-pay/src/providers/appleiap/merchant");
    const { verifyAppleTransaction } = await import("../../common/vk-uni-pay/src/providers/appleiap/verifiers");
    const merchant = readAppleMerchant((world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!);
    const runtime = world.deps.runtime;
    const idOf = async (jws: string) => (await verifyAppleTransaction(merchant, runtime, jws)).transactionId;
    expect(await findInAppleHistory(merchant, id, runtime, ["Sandbox"], idOf)).toBe(wantedJws);
    expect(calls.map((call) => call.url)).toEqual([first, second]);
    // A forged entry is not taken: its verification throws.
    answers.set(first, { status: 200, body: { hasMore: false, signedTransactions: ["e30.e30.e30"] } });
    await expect(findInAppleHistory(merchant, id, runtime, ["Sandbox"], idOf)).rejects.toBeDefined();
    // Unknown in the environment: not found, nothing returned.
    expect(await findInAppleHistory(merchant, "123", runtime, ["Production"], idOf)).toBeUndefined();
  });
});
