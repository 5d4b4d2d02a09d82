import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import { NOTIFY_LOG } from "../../common/vk-uni-pay/src/notify/log";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { encryptResource, signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { FakeWechat, issuePlatformCertificate, MCH_ID, memoryDatabase, merchantConfig, NOW, V3_KEY, type Identity } from "../wxpay-adapter/fake-wechat";
import { createAppleTestChain, signAppleJws } from "../../scripts/sandbox/appleiap/chain";
import { APP_APPLE_ID, BUNDLE, deliverAppleNotification, makeAppleWorld, type AppleWorld } from "../appleiap/apple-world";
import type { PlatformSession } from "../conformance/fake-platform";
import { DIAGNOSIS_CASES, leafSerialOf, sha256 } from "./diagnosis-cases";

/**
 * Issue 18: a refused notification's log entry says which check failed, which key or serial the message
 * named and how far its clock was off, so the console can show a misconfiguration without the code.
 */
describe("the notification log's diagnosis of a refusal", () => {
  let platform: Identity;
  let intruder: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  beforeAll(async () => {
    [platform, intruder] = await Promise.all([
      issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
      issuePlatformCertificate("7A2B9C0D1E2F30415263748596A7B8C9D0E1F203"),
    ]);
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    database = memoryDatabase();
  });
  afterEach(() => database.close());

  /** WeChat Pay's POST of a payment for T1, signed by `signer` at `timestamp` (seconds). */
  const deliver = (signer: Identity, timestamp: number, config = merchantConfig()) => {
    const plain = { mchid: MCH_ID, out_trade_no: "T1", trade_state: "SUCCESS", amount: { total: 1 } };
    const body = JSON.stringify({
      id: "EV-1",
      event_type: "TRANSACTION.SUCCESS",
      resource_type: "encrypt-resource",
      summary: "支付成功",
      resource: encryptResource({ plaintext: JSON.stringify(plain), apiV3Key: V3_KEY, associatedData: "transaction" }),
    });
    const headers = signResponse({ body, privateKey: signer.privateKey, serial: signer.serial, timestamp: String(timestamp) });
    const provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
    return processNotification(
      {
        path: "/vk-pay-notify/wxpay_mp-weixin/T1",
        httpMethod: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
        isBase64Encoded: false,
      },
      "/vk-pay-notify/",
      {
        db: database.db,
        now: () => wechat.now,
        log: () => undefined,
        findProvider: (name: string) => (name === "wxpay" ? provider : undefined),
        providerNames: () => ["wxpay"],
        config: () => validatePayConfig({ wxpay: { "mp-weixin": config } }),
        runtime: wechat.runtime,
      },
    );
  };
  const logged = async () => (await database.db.collection(NOTIFY_LOG).get()).data as Array<Record<string, unknown>>;

  it("a stale timestamp: the check, the serial and the clock offset in seconds", async () => {
    await deliver(platform, Math.floor(NOW / 1000) - 420);
    const [entry] = await logged();
    expect(entry).toMatchObject({
      outcome: "refused",
      check: "vk-pay-wxpay-v3-timestamp-out-of-window",
      serial: platform.serial,
      clock_offset_seconds: 420,
    });
  });

  it("an unknown serial: the serial it named, a clock in step, and no key material", async () => {
    await deliver(intruder, Math.floor(NOW / 1000) + 2);
    const [entry] = await logged();
    expect(entry).toMatchObject({ outcome: "refused", check: "vk-pay-wxpay-v3-unknown-serial", serial: intruder.serial, clock_offset_seconds: -2 });
    const text = JSON.stringify(entry);
    expect(text).not.toContain(V3_KEY);
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("any refusal once the headers are read: the hash of the signed lines, never the text itself", async () => {
    const timestamp = Math.floor(NOW / 1000);
    await deliver(intruder, timestamp);
    const [entry] = await logged();
    expect(entry).toMatchObject({ check: expect.stringMatching(/^vk-pay-wxpay-v3-/), checked_text_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("a refusal before any key is chosen names only the check", async () => {
    await deliver(platform, Math.floor(NOW / 1000), merchantConfig({ v3Key: undefined }));
    const [entry] = await logged();
    expect(entry).toMatchObject({ outcome: "refused", check: expect.stringMatching(/^vk-pay-/) });
    expect(entry).not.toHaveProperty("serial");
    expect(entry).not.toHaveProperty("clock_offset_seconds");
  });
});

/** Apple names its key by the x5c leaf certificate, and its time by the payload's signedDate. */
describe("the diagnosis of a refused App Store notification", () => {
  let world: AppleWorld;
  beforeEach(async () => {
    world = await makeAppleWorld();
  });
  afterEach(() => world.deps.close());

  const payload = (signedDate: number) => ({
    notificationType: "TEST",
    notificationUUID: `uuid-${Math.random()}`,
    version: "2.0",
    signedDate,
    data: { appAppleId: APP_APPLE_ID, bundleId: BUNDLE, environment: "Sandbox" },
  });
  const deliver = (signedPayload: string) => deliverAppleNotification(world.deps, signedPayload);
  const refusal = async () => {
    const rows = (await world.deps.db.collection(NOTIFY_LOG).where({ outcome: "refused" }).get()).data as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  it("a chain to an untrusted root: the leaf serial it refused, the signedDate's offset, the signing input's hash", async () => {
    const stranger = await createAppleTestChain();
    const signedDate = Date.now() - 90_000;
    const jws = signAppleJws(stranger, payload(signedDate));
    expect((await deliver(jws)).statusCode).toBe(400);
    const entry = await refusal();
    expect(entry).toMatchObject({
      check: "vk-pay-appleiap-signature-invalid",
      serial: leafSerialOf(jws),
      checked_text_sha256: sha256(jws.split(".").slice(0, 2).join(".")),
      algorithm: "ES256",
    });
    expect(entry.clock_offset_seconds).toBeGreaterThanOrEqual(90);
    expect(entry.clock_offset_seconds).toBeLessThan(100);
  });

  it("a payload altered after signing: the trusted leaf's serial and the hash of what was received", async () => {
    const [head, , signature] = signAppleJws(world.chain, payload(Date.now())).split(".");
    const altered = Buffer.from(JSON.stringify(payload(Date.now() + 1))).toString("base64url");
    expect((await deliver(`${head}.${altered}.${signature}`)).statusCode).toBe(400);
    expect(await refusal()).toMatchObject({
      serial: leafSerialOf(`${head}.${altered}.${signature}`),
      checked_text_sha256: sha256(`${head}.${altered}`),
      clock_offset_seconds: expect.any(Number),
    });
  });
});

/**
 * Every sandboxed provider (issue 20, item 7): its conformance platform's bad-signature forgery, posted to
 * the order's notify URL, leaves a log row naming the check, the hash of the text that check ran over (the
 * keyed protocols' text without the key), and the serial and clock offset where the protocol carries them.
 */
describe.each(DIAGNOSIS_CASES)("the diagnosis of a forged $name notification", (testCase) => {
  const platform = testCase.platform();
  let session: PlatformSession;
  beforeAll(async () => {
    session = await platform.start();
  }, 120_000);
  afterAll(async () => {
    await session?.stop();
  });

  it("names the check and the checked text's hash, and the serial and clock where the protocol has them", async () => {
    const created = await session.library.createPayment(900);
    expect(created).toMatchObject({ code: 0 });
    const order = { outTradeNo: created.data.out_trade_no as string, totalFee: 900 };
    const message = await session.forge(order, "bad-signature");
    const reply = await session.post(order.outTradeNo, message);
    expect(platform.isAcknowledged(reply)).toBe(false);
    const rows = (await session.db.collection(NOTIFY_LOG).where({ outcome: "refused" }).get()).data as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    const entry = rows[0]!;
    const { near, ...expected } = testCase.expected(message, entry.create_date as number);
    expect(entry).toMatchObject({ check: expect.stringMatching(/^vk-pay-/), ...expected });
    if (!expected.serial) expect(entry).not.toHaveProperty("serial");
    if (near === undefined) {
      expect(entry).not.toHaveProperty("clock_offset_seconds");
    } else {
      expect(Math.abs((entry.clock_offset_seconds as number) - near)).toBeLessThanOrEqual(2);
    }
  }, 60_000);
});
