import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "../../common/vk-uni-pay/src/api/create-payment";
import { proveClientPayment } from "../../common/vk-uni-pay/src/api/verify-client-proof";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { createAppleTestChain, signAppleJws } from "../../scripts/sandbox/appleiap/chain";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { APP_APPLE_ID, BUNDLE, deliverAppleNotification, makeAppleWorld, transactionFor, type AppleWorld } from "./apple-world";

/** App Store Server Notifications V2 through the library's notification pipeline, on a real embedded database. */

let world: AppleWorld;
let calls: Array<{ url: string; options: Record<string, unknown> }>;

const request: ProviderRuntime["request"] = async (url, options) => {
  calls.push({ url, options });
  return { status: 202, headers: {}, data: Buffer.alloc(0) };
};

beforeEach(async () => {
  calls = [];
  world = await makeAppleWorld({ request: (url, options) => request(url, options) });
});
afterEach(() => world.deps.close());

const deliver = (signedPayload: string) => deliverAppleNotification(world.deps, signedPayload);

function notification(type: string, transaction: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): string {
  return signAppleJws(world.chain, {
    notificationType: type,
    notificationUUID: `uuid-${type}-${Math.random()}`,
    version: "2.0",
    signedDate: Date.now(),
    data: {
      appAppleId: APP_APPLE_ID,
      bundleId: BUNDLE,
      environment: "Sandbox",
      ...(transaction ? { signedTransactionInfo: world.sign(transaction) } : {}),
      ...extra,
    },
  });
}

async function paidOrder(outTradeNo: string): Promise<Record<string, unknown>> {
  const created = await create(
    {
      context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } },
      provider: "appleiap",
      data: { out_trade_no: outTradeNo, type: "recharge", user_id: "u1", item: { product_id: "coins_60" } } as never,
    },
    world.deps,
  );
  const transaction = transactionFor(created.orderInfo as never);
  await proveClientPayment("appleiap.verifyReceipt", { out_trade_no: outTradeNo, user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps);
  return transaction;
}

describe("REFUND", () => {
  it("a full refund settles the whole order once and runs refunded once; a duplicate changes nothing", async () => {
    const transaction = await paidOrder("APPLEN1");
    const refund = notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationReason: 0, revocationType: "REFUND_FULL" });
    expect((await deliver(refund)).statusCode).toBe(200);
    expect((await deliver(refund)).statusCode).toBe(200);
    const order = await findOrder("APPLEN1", world.deps.db);
    expect(order).toMatchObject({ status: "REFUND", refund_fee: 600 });
    expect(world.refunded).toEqual(["APPLEN1"]);
  });

  it("a prorated refund settles revocationPercentage (milliunits) of the price", async () => {
    const transaction = await paidOrder("APPLEN2");
    const refund = notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationType: "REFUND_PRORATED", revocationPercentage: 25_000 });
    expect((await deliver(refund)).statusCode).toBe(200);
    expect(await findOrder("APPLEN2", world.deps.db)).toMatchObject({ status: "REFUND", refund_fee: 150, total_fee: 600 });
  });

  it("a forged notification is refused with 400 and changes nothing", async () => {
    const transaction = await paidOrder("APPLEN3");
    const [header, , signature] = notification("REFUND", { ...transaction, revocationDate: Date.now() }).split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ notificationType: "REFUND", data: { bundleId: BUNDLE, environment: "Sandbox" } })).toString("base64url");
    expect((await deliver(`${header}.${forgedPayload}.${signature}`)).statusCode).toBe(400);
    expect(await findOrder("APPLEN3", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
  });
});

describe("REFUND_REVERSED", () => {
  it("undoes a settled refund once: the refund closes, the order is SUCCESS again with nothing refunded, refundReversed runs once", async () => {
    const transaction = await paidOrder("APPLER1");
    expect((await deliver(notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationType: "REFUND_FULL" }))).statusCode).toBe(200);
    const reversal = notification("REFUND_REVERSED", transaction);
    expect((await deliver(reversal)).statusCode).toBe(200);
    expect((await deliver(reversal)).statusCode).toBe(200);
    expect((await deliver(notification("REFUND_REVERSED", transaction))).statusCode).toBe(200);
    expect(await findOrder("APPLER1", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_reserved: 0, refund_list: [] });
    const refund = await findRefund(`APPLE-REFUND-${String(transaction.transactionId)}`, world.deps.db);
    expect(refund).toMatchObject({ status: "CLOSED", reversal_hook_done: true });
    expect(typeof refund?.reversed_date).toBe("number");
    expect(world.refunded).toEqual(["APPLER1"]);
    expect(world.reversed).toEqual(["APPLER1"]);
  });

  it("a redelivery of the original REFUND after the reversal changes nothing", async () => {
    const transaction = await paidOrder("APPLER2");
    const refund = notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationType: "REFUND_PRORATED", revocationPercentage: 50_000 });
    await deliver(refund);
    expect(await findOrder("APPLER2", world.deps.db)).toMatchObject({ status: "REFUND", refund_fee: 300 });
    await deliver(notification("REFUND_REVERSED", transaction));
    expect((await deliver(refund)).statusCode).toBe(200);
    expect(await findOrder("APPLER2", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    expect(world.refunded).toEqual(["APPLER2"]);
  });

  it("a reversal of a transaction that was never refunded is acknowledged and changes nothing", async () => {
    const transaction = await paidOrder("APPLER3");
    expect((await deliver(notification("REFUND_REVERSED", transaction))).statusCode).toBe(200);
    expect(await findOrder("APPLER3", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    expect(world.reversed).toEqual([]);
  });
});

describe("a REFUND that arrives before the purchase was verified", () => {
  async function unpaidOrder(outTradeNo: string) {
    const created = await create(
      {
        context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } },
        provider: "appleiap",
        data: { out_trade_no: outTradeNo, type: "recharge", user_id: "u1", item: { product_id: "coins_60" } } as never,
      },
      world.deps,
    );
    return transactionFor(created.orderInfo as never);
  }

  it("is kept, and settles (refunded hook once) as soon as the purchase is proven and bound to its order", async () => {
    const transaction = await unpaidOrder("APPLEE1");
    // The app kept its signed transaction from before the refund (it was offline): Apple's REFUND comes first.
    const refund = notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationType: "REFUND_PRORATED", revocationPercentage: 50_000 });
    expect((await deliver(refund)).statusCode).toBe(200);
    expect((await deliver(refund)).statusCode).toBe(200);
    expect(await findOrder("APPLEE1", world.deps.db)).toMatchObject({ status: "NOTPAY", refund_fee: 0 });
    const proof = { out_trade_no: "APPLEE1", user_id: "u1", signed_transaction: world.sign(transaction) };
    expect(await proveClientPayment("appleiap.verifyReceipt", proof, world.deps)).toMatchObject({ status: "REFUND", applied: true });
    expect(await proveClientPayment("appleiap.verifyReceipt", proof, world.deps)).toMatchObject({ status: "REFUND", applied: false });
    expect(await findOrder("APPLEE1", world.deps.db)).toMatchObject({ status: "REFUND", refund_fee: 300 });
    expect(world.paid).toEqual(["APPLEE1"]);
    expect(world.refunded).toEqual(["APPLEE1"]);
    // Bound now: a later reversal finds the order through its claim.
    await deliver(notification("REFUND_REVERSED", transaction));
    expect(await findOrder("APPLEE1", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    expect(world.reversed).toEqual(["APPLEE1"]);
  });

  it("is not settled when Apple reversed it before the purchase was proven", async () => {
    const transaction = await unpaidOrder("APPLEE2");
    await deliver(notification("REFUND", { ...transaction, revocationDate: Date.now(), revocationType: "REFUND_FULL" }));
    await deliver(notification("REFUND_REVERSED", transaction));
    const proof = { out_trade_no: "APPLEE2", user_id: "u1", signed_transaction: world.sign(transaction) };
    expect(await proveClientPayment("appleiap.verifyReceipt", proof, world.deps)).toMatchObject({ status: "SUCCESS", applied: true });
    expect(await findOrder("APPLEE2", world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    expect(world.refunded).toEqual([]);
  });
});

describe("notifications that are only recorded or acknowledged", () => {
  it.each(["REVOKE", "REFUND_DECLINED", "DID_RENEW", "ONE_TIME_CHARGE"])("%s is acknowledged and refunds nothing", async (type) => {
    const transaction = await paidOrder(`APPLEN${type.length}`);
    const revoked = type === "REVOKE" ? { revocationDate: Date.now(), revocationType: "FAMILY_REVOKE" } : {};
    expect((await deliver(notification(type, { ...transaction, ...revoked }))).statusCode).toBe(200);
    expect(await findOrder(`APPLEN${type.length}`, world.deps.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    expect(world.refunded).toEqual([]);
  });

  it("a renewal whose inner transaction does not verify is refused, though its envelope does", async () => {
    const transaction = await paidOrder("APPLEN10");
    const forgedInner = signAppleJws(await createAppleTestChain(), {
      ...transaction,
      signedDate: Date.now(),
    });
    const renewal = signAppleJws(world.chain, {
      notificationType: "DID_RENEW",
      notificationUUID: "uuid-renew-forged",
      signedDate: Date.now(),
      data: { appAppleId: APP_APPLE_ID, bundleId: BUNDLE, environment: "Sandbox", signedTransactionInfo: forgedInner },
    });
    expect((await deliver(renewal)).statusCode).toBe(400);
  });

  it("TEST is acknowledged", async () => {
    expect((await deliver(notification("TEST", undefined))).statusCode).toBe(200);
  });

  it("CONSUMPTION_REQUEST is recorded and, with the merchant's consented answer and API key, answered through the v2 endpoint", async () => {
    const transaction = await paidOrder("APPLEN9");
    expect((await deliver(notification("CONSUMPTION_REQUEST", transaction, { consumptionRequestReason: "UNINTENDED_PURCHASE" }))).statusCode).toBe(200);
    expect(calls).toEqual([]);
    const { privateKey } = await import("node:crypto").then((crypto) => crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }));
    Object.assign((world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!, {
      keyId: "K1",
      issuerId: "I1",
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      baseUrl: { "api.storekit-sandbox.apple.com": "https://sandbox.apple.test" },
      consumption: { customerConsented: true, deliveryStatus: "DELIVERED", sampleContentProvided: false, refundPreference: "DECLINE" },
    });
    expect((await deliver(notification("CONSUMPTION_REQUEST", transaction, { consumptionRequestReason: "UNINTENDED_PURCHASE" }))).statusCode).toBe(200);
    expect(calls.map((call) => [call.url, call.options.method])).toEqual([
      [`https://sandbox.apple.test/inApps/v2/transactions/consumption/${transaction.transactionId}`, "PUT"],
    ]);
    expect(JSON.parse(String(calls[0]!.options.content))).toEqual({
      customerConsented: true,
      deliveryStatus: "DELIVERED",
      sampleContentProvided: false,
      refundPreference: "DECLINE",
    });
  });
});

describe("Apple's own fixtures through the pipeline", () => {
  it("Apple's test notification verifies only with Apple's test CA configured, offline at its signedDate", async () => {
    const fixtures = join(__dirname, "..", "fixtures", "apple");
    const testCaPath = join(fixtures, "app-store-server-library-node__testCA.der");
    const jws = readFileSync(join(fixtures, "app-store-server-library-node__mock_signed_data__testNotification.jws"), "utf8").trim();
    const sub = (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!;
    Object.assign(sub, { bundleId: "com.example", appAppleId: 1234, onlineChecks: false, trustedRootCertPaths: [] });
    expect((await deliver(jws)).statusCode).toBe(400);
    sub.trustedRootCertPaths = [testCaPath];
    expect((await deliver(jws)).statusCode).toBe(200);
  });
});

describe("a transient failure", () => {
  it("an OCSP responder that cannot be reached is answered 5xx, for Apple to deliver again, and changes nothing", async () => {
    const online = await makeAppleWorld({
      ocspUrl: "http://ocsp.apple.test/ocsp",
      extra: { onlineChecks: true },
      request: async () => {
        throw new Error("ECONNREFUSED");
      },
    });
    try {
      const jws = signAppleJws(online.chain, {
        notificationType: "TEST",
        notificationUUID: "uuid-online",
        signedDate: Date.now(),
        data: { appAppleId: APP_APPLE_ID, bundleId: BUNDLE, environment: "Sandbox" },
      });
      const reply = await deliverAppleNotification(online.deps, jws);
      expect(reply.statusCode).toBe(500);
    } finally {
      await online.deps.close();
    }
  });
});
