import { create } from "../../common/vk-uni-pay/src/api/create-payment";
import { proveClientPayment, verifyClientProof } from "../../common/vk-uni-pay/src/api/verify-client-proof";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { clientProofCalls } from "../../common/vk-uni-pay/src/api/client-proof-calls";
import { BUNDLE, makeAppleWorld, transactionFor, type AppleWorld } from "./apple-world";
import { createAppleTestChain, signAppleJws } from "../../scripts/sandbox/appleiap/chain";

/** createPayment → StoreKit 2 signed transaction → pay/appleiap/verifyReceipt, on a real embedded database. */

const PROOF = "appleiap.verifyReceipt";
let world: AppleWorld;

beforeEach(async () => {
  world = await makeAppleWorld();
});
afterEach(() => world.deps.close());

type OrderInfo = { productId: string; appAccountToken: string; quantity: number; outTradeNo: string };

async function createOrder(outTradeNo: string, item: Record<string, unknown> = { product_id: "coins_60" }, extra: Record<string, unknown> = {}) {
  return create(
    {
      context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } },
      provider: "appleiap",
      data: { out_trade_no: outTradeNo, type: "recharge", user_id: "u1", item, ...extra } as never,
    },
    world.deps,
  );
}

describe("pricing comes from appleiap.products, never from the client", () => {
  it("refuses a client amount that disagrees; records the configured price, the product, the quantity and a UUID appAccountToken, and hands them to the app", async () => {
    await expect(createOrder("APPLE0001", { product_id: "coins_60", quantity: 3 }, { total_fee: 1 })).rejects.toMatchObject({ code: 1003 });
    const created = await createOrder("APPLE0001", { product_id: "coins_60", quantity: 3 }, { subject: "客户端的名字" });
    const info = created.orderInfo as OrderInfo;
    expect(created.total_fee).toBe(1800);
    expect(info).toMatchObject({ productId: "coins_60", quantity: 3, outTradeNo: "APPLE0001" });
    expect(info.appAccountToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const order = await findOrder("APPLE0001", world.deps.db);
    expect(order).toMatchObject({
      total_fee: 1800,
      description: "60金币",
      pay_type: "appleiap_app-plus",
      provider_fields: { product_id: "coins_60", quantity: 3, app_account_token: info.appAccountToken },
    });
  });

  it("a retry of the same order keeps its first token", async () => {
    const first = (await createOrder("APPLE0002")).orderInfo as OrderInfo;
    const again = (await createOrder("APPLE0002")).orderInfo as OrderInfo;
    expect(again.appAccountToken).toBe(first.appAccountToken);
  });

  it("an unknown product, or a quantity the product forbids, is refused and no order is written", async () => {
    await expect(createOrder("APPLE0003", { product_id: "nope" })).rejects.toMatchObject({ errCode: "vk-pay-appleiap-product-unknown" });
    await expect(createOrder("APPLE0004", { product_id: "vip_month", quantity: 2 })).rejects.toMatchObject({ errCode: "vk-pay-appleiap-quantity-invalid" });
    expect(await findOrder("APPLE0003", world.deps.db)).toBeUndefined();
    expect(await findOrder("APPLE0004", world.deps.db)).toBeUndefined();
  });
});

describe("verifyReceipt with a StoreKit 2 signed transaction", () => {
  it("pays the order once, runs the paid hook once, and records Apple's price, currency and storefront", async () => {
    const info = (await createOrder("APPLE0101", { product_id: "coins_60", quantity: 2 })).orderInfo as OrderInfo;
    const jws = world.sign(transactionFor(info));
    const first = await proveClientPayment(PROOF, { out_trade_no: "APPLE0101", user_id: "u1", signed_transaction: jws }, world.deps);
    expect(first).toMatchObject({ out_trade_no: "APPLE0101", status: "SUCCESS", total_fee: 1200, applied: true });
    const again = await proveClientPayment(PROOF, { out_trade_no: "APPLE0101", user_id: "u1", signed_transaction: jws }, world.deps);
    expect(again).toMatchObject({ status: "SUCCESS", applied: false });
    expect(world.paid).toEqual(["APPLE0101"]);
    const order = (await findOrder("APPLE0101", world.deps.db)) as unknown as Record<string, unknown>;
    expect(order.notify_info).toMatchObject({ price: 6000, currency: "CNY", storefront: "CHN", quantity: 2, environment: "Sandbox" });
  });

  it("a restore that names no order finds the caller's order by its appAccountToken", async () => {
    const info = (await createOrder("APPLE0102")).orderInfo as OrderInfo;
    const result = await proveClientPayment(PROOF, { user_id: "u1", signed_transaction: world.sign(transactionFor(info)) }, world.deps);
    expect(result).toMatchObject({ out_trade_no: "APPLE0102", status: "SUCCESS" });
  });

  it("a restore of a delivered purchase finds its order by transactionId, then originalTransactionId, and changes nothing", async () => {
    const info = (await createOrder("APPLE0106")).orderInfo as OrderInfo;
    const transaction = transactionFor(info);
    transaction.originalTransactionId = transaction.transactionId;
    await proveClientPayment(PROOF, { out_trade_no: "APPLE0106", user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps);
    const tokenless = { ...transaction, appAccountToken: undefined };
    expect(await proveClientPayment(PROOF, { user_id: "u1", signed_transaction: world.sign(tokenless) }, world.deps)).toMatchObject({
      out_trade_no: "APPLE0106",
      applied: false,
    });
    const restoredCopy = { ...tokenless, transactionId: String(Number(transaction.transactionId) + 1) };
    expect(await proveClientPayment(PROOF, { user_id: "u1", signed_transaction: world.sign(restoredCopy) }, world.deps)).toMatchObject({
      out_trade_no: "APPLE0106",
      status: "SUCCESS",
      applied: false,
    });
    expect(world.paid).toEqual(["APPLE0106"]);
  });

  it("another user's order is not found, even with its token", async () => {
    const info = (await createOrder("APPLE0103")).orderInfo as OrderInfo;
    const jws = world.sign(transactionFor(info));
    await expect(proveClientPayment(PROOF, { out_trade_no: "APPLE0103", user_id: "u2", signed_transaction: jws }, world.deps)).rejects.toMatchObject({
      code: 2001,
    });
    await expect(proveClientPayment(PROOF, { user_id: "u2", signed_transaction: jws }, world.deps)).rejects.toMatchObject({ code: 1016 });
    expect((await findOrder("APPLE0103", world.deps.db))?.status).toBe("NOTPAY");
  });

  it("a transaction id already used by one order cannot pay a second (reused transaction)", async () => {
    const one = (await createOrder("APPLE0104")).orderInfo as OrderInfo;
    await createOrder("APPLE0105");
    const transaction = transactionFor(one);
    await proveClientPayment(PROOF, { out_trade_no: "APPLE0104", user_id: "u1", signed_transaction: world.sign(transaction) }, world.deps);
    const second = await findOrder("APPLE0105", world.deps.db);
    const reused = world.sign({ ...transaction, appAccountToken: second!.provider_fields!.app_account_token });
    await expect(proveClientPayment(PROOF, { out_trade_no: "APPLE0105", user_id: "u1", signed_transaction: reused }, world.deps)).rejects.toMatchObject({
      code: 2013,
    });
    expect((await findOrder("APPLE0105", world.deps.db))?.status).toBe("NOTPAY");
    expect(world.paid).toEqual(["APPLE0104"]);
  });

  it.each([
    ["that was revoked", { revocationDate: Date.now() - 1000, revocationReason: 0 }],
    ["that is family shared", { inAppOwnershipType: "FAMILY_SHARED" }],
    ["for another product", { productId: "vip_month" }],
    ["for another quantity", { quantity: 5 }],
    ["for another order's token", { appAccountToken: "6f1d3c2b-0000-4000-8000-000000000000" }],
    ["without a token", { appAccountToken: undefined }],
    ["for another bundle", { bundleId: "com.other.app" }],
  ])("refused, the order unpaid: a transaction %s", async (_name, overrides) => {
    const info = (await createOrder("APPLE0110")).orderInfo as OrderInfo;
    const jws = world.sign(transactionFor(info, overrides));
    const result = await verifyClientProof(PROOF, { out_trade_no: "APPLE0110", user_id: "u1", signed_transaction: jws }, world.deps);
    expect(result).toMatchObject({ code: expect.any(Number) });
    expect((result as { code: number }).code).not.toBe(0);
    expect((await findOrder("APPLE0110", world.deps.db))?.status).toBe("NOTPAY");
    expect(world.paid).toEqual([]);
  });

  it("a transaction signed by a chain the config does not trust is refused as a bad signature", async () => {
    const info = (await createOrder("APPLE0111")).orderInfo as OrderInfo;
    const forger = await createAppleTestChain();
    const jws = signAppleJws(forger, { signedDate: Date.now(), ...transactionFor(info) });
    await expect(proveClientPayment(PROOF, { out_trade_no: "APPLE0111", user_id: "u1", signed_transaction: jws }, world.deps)).rejects.toMatchObject({
      code: 4001,
      status: "VERIFICATION_FAILURE",
    });
  });

  it("a JWS signed by the sandbox's root is refused with sandbox: true alone: only trustedRootCertPaths trusts a root", async () => {
    const info = (await createOrder("APPLE0115")).orderInfo as OrderInfo;
    const sub = (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!;
    sub.trustedRootCertPaths = [];
    expect(sub.sandbox).toBe(true);
    await expect(
      proveClientPayment(PROOF, { out_trade_no: "APPLE0115", user_id: "u1", signed_transaction: world.sign(transactionFor(info)) }, world.deps),
    ).rejects.toMatchObject({ status: "VERIFICATION_FAILURE" });
    expect((await findOrder("APPLE0115", world.deps.db))?.status).toBe("NOTPAY");
  });

  it("online checks (the default) ask OCSP: a chain that names no responder is refused as an invalid certificate", async () => {
    const info = (await createOrder("APPLE0116")).orderInfo as OrderInfo;
    delete (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!.onlineChecks;
    await expect(
      proveClientPayment(PROOF, { out_trade_no: "APPLE0116", user_id: "u1", signed_transaction: world.sign(transactionFor(info)) }, world.deps),
    ).rejects.toMatchObject({ status: "INVALID_CERTIFICATE" });
  });

  it("a Sandbox purchase is refused when the config does not enable the sandbox", async () => {
    const info = (await createOrder("APPLE0112")).orderInfo as OrderInfo;
    (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!.sandbox = false;
    await expect(
      proveClientPayment(PROOF, { out_trade_no: "APPLE0112", user_id: "u1", signed_transaction: world.sign(transactionFor(info)) }, world.deps),
    ).rejects.toMatchObject({ status: "INVALID_ENVIRONMENT" });
  });

  it("a Production purchase is accepted in production with the app's Apple id configured", async () => {
    const info = (await createOrder("APPLE0113")).orderInfo as OrderInfo;
    (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!.sandbox = false;
    const jws = world.sign(transactionFor(info, { environment: "Production", bundleId: BUNDLE }));
    expect(await proveClientPayment(PROOF, { out_trade_no: "APPLE0113", user_id: "u1", signed_transaction: jws }, world.deps)).toMatchObject({
      status: "SUCCESS",
    });
  });

  it("App Review's Sandbox purchase reaches a production app (appAppleId set): accepted only with sandbox: true, recorded as Sandbox", async () => {
    const info = (await createOrder("APPLE0117")).orderInfo as OrderInfo;
    const sub = (world.config.appleiap as Record<string, Record<string, unknown>>)["app-plus"]!;
    const jws = world.sign(transactionFor(info, { environment: "Sandbox" }));
    sub.sandbox = false;
    await expect(proveClientPayment(PROOF, { out_trade_no: "APPLE0117", user_id: "u1", signed_transaction: jws }, world.deps)).rejects.toMatchObject({
      status: "INVALID_ENVIRONMENT",
    });
    sub.sandbox = true;
    expect(sub.appAppleId).toBeDefined();
    expect(await proveClientPayment(PROOF, { out_trade_no: "APPLE0117", user_id: "u1", signed_transaction: jws }, world.deps)).toMatchObject({
      status: "SUCCESS",
    });
    expect(await findOrder("APPLE0117", world.deps.db)).toMatchObject({ notify_info: { environment: "Sandbox" } });
    const production = (await createOrder("APPLE0118")).orderInfo as OrderInfo;
    await proveClientPayment(
      PROOF,
      { out_trade_no: "APPLE0118", user_id: "u1", signed_transaction: world.sign(transactionFor(production, { environment: "Production" })) },
      world.deps,
    );
    expect(await findOrder("APPLE0118", world.deps.db)).toMatchObject({ notify_info: { environment: "Production" } });
  });

  it("the manual's namespaced call vkPay.appleiap.verifyReceipt is generated from the provider's proofs, beside the generic one", async () => {
    const library = require("../../common/vk-uni-pay/src/index") as Record<string, any>;
    expect(typeof library.appleiap?.verifyReceipt).toBe("function");
    expect(typeof library.withHooks(() => undefined).appleiap?.verifyReceipt).toBe("function");
    // An existing export is never shadowed by a namespace.
    expect(clientProofCalls(new Set(["appleiap"]))).toEqual({});
    const calls = clientProofCalls(new Set(), () => world.deps);
    const info = (await createOrder("APPLE0119")).orderInfo as OrderInfo;
    const result = await calls.appleiap!.verifyReceipt!({ out_trade_no: "APPLE0119", user_id: "u1", signed_transaction: world.sign(transactionFor(info)) });
    expect(result).toMatchObject({ code: 0, data: { out_trade_no: "APPLE0119", status: "SUCCESS", applied: true } });
  });

  it("the public envelope answers a missing receipt with vk-uni-pay's 1014", async () => {
    await createOrder("APPLE0114");
    expect(await verifyClientProof(PROOF, { out_trade_no: "APPLE0114", user_id: "u1" }, world.deps)).toMatchObject({ code: 1014 });
  });
});
