import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import { NOTIFY_LOG } from "../../common/vk-uni-pay/src/notify/log";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { encryptResource, signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { FakeWechat, issuePlatformCertificate, MCH_ID, memoryDatabase, merchantConfig, NOW, V3_KEY, type Identity } from "../wxpay-adapter/fake-wechat";

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

  it("a refusal before any key is chosen names only the check", async () => {
    await deliver(platform, Math.floor(NOW / 1000), merchantConfig({ v3Key: undefined }));
    const [entry] = await logged();
    expect(entry).toMatchObject({ outcome: "refused", check: expect.stringMatching(/^vk-pay-/) });
    expect(entry).not.toHaveProperty("serial");
    expect(entry).not.toHaveProperty("clock_offset_seconds");
  });
});
