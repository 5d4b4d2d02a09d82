import { NetworkError, SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { WXPAY_CERTS_COLLECTION } from "../../common/vk-uni-pay/src/providers/wxpay/v3/platform-certs";
import { encryptResource } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import {
  APP_ID,
  FakeWechat,
  issuePlatformCertificate,
  issuePublicKey,
  MCH_ID,
  memoryDatabase,
  merchantConfig,
  NOW,
  PUB_KEY_ID,
  type Identity,
} from "./fake-wechat";

const TRANSACTION = { appid: APP_ID, mchid: MCH_ID, out_trade_no: "T1", trade_state: "NOTPAY", amount: { total: 1 } };

describe("wxpay platform certificates and the WeChat Pay public key", () => {
  let platform: Identity;
  let successor: Identity;
  let intruder: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  const target = { mode: "h5", config: merchantConfig(), outTradeNo: "T1" };
  const newProvider = () => createWxpayProvider({ database: () => database.db, log: () => undefined });
  const stored = async () => (await database.db.collection(WXPAY_CERTS_COLLECTION).limit(100).get()).data;

  beforeAll(async () => {
    [platform, successor, intruder] = await Promise.all([
      issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
      issuePlatformCertificate("0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"),
      issuePlatformCertificate("7A2B9C0D1E2F30415263748596A7B8C9D0E1F203"),
    ]);
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ body: TRANSACTION }));
    database = memoryDatabase();
  });
  afterEach(() => database.close());

  it("fetches lazily, once, persists one document per mchid:serial, and a second instance reuses it without a fetch", async () => {
    const first = newProvider();
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
    await first.queryPayment(target, wechat.runtime);
    await first.queryPayment(target, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
    expect(await stored()).toEqual([
      expect.objectContaining({
        _id: `${MCH_ID}:${platform.serial}`,
        mchid: MCH_ID,
        serial_no: platform.serial,
        pem: expect.stringContaining("BEGIN CERTIFICATE"),
        effective_time: NOW - 365 * 86400_000,
        expire_time: NOW + 365 * 86400_000,
        fetch_date: NOW,
      }),
    ]);

    const second = newProvider();
    await second.queryPayment(target, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
  });

  it("uses uniCloud's database by default", async () => {
    const global = globalThis as { uniCloud?: unknown };
    global.uniCloud = { database: () => database.db };
    try {
      await createWxpayProvider({ log: () => undefined }).queryPayment(target, wechat.runtime);
      expect(await stored()).toHaveLength(1);
    } finally {
      delete global.uniCloud;
    }
  });

  it("shares one download between concurrent first requests", async () => {
    const provider = newProvider();
    await Promise.all(Array.from({ length: 5 }, () => provider.queryPayment(target, wechat.runtime)));
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
  });

  it("follows a rotation: a new serial triggers a refresh and both certificates are kept", async () => {
    const provider = newProvider();
    await provider.queryPayment(target, wechat.runtime);
    wechat.now += 3600_000;
    wechat.listed = [platform, successor];
    wechat.signer = successor;
    await provider.queryPayment(target, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
    expect((await stored()).map((doc) => doc.serial_no).sort()).toEqual([successor.serial, platform.serial].sort());
  });

  it.each([
    [
      "signed by a key that is not the listed certificate's",
      () => ({ body: wechat.certificateList(), signer: { serial: platform.serial, privateKey: intruder.privateKey } }),
      "wxpay-v3-signature-invalid",
    ],
    ["signed by a certificate neither listed nor trusted", () => ({ body: wechat.certificateList(), signer: intruder }), "wxpay-v3-unknown-serial"],
    [
      "encrypted with another APIv3 key",
      () => ({
        body: {
          data: [
            {
              serial_no: platform.serial,
              effective_time: "2025-01-15T12:00:00+08:00",
              expire_time: "2027-01-15T12:00:00+08:00",
              encrypt_certificate: encryptResource({ plaintext: platform.pem, apiV3Key: "0".repeat(32), associatedData: "certificate" }),
            },
          ],
        },
      }),
      "wxpay-v3-decrypt-failed",
    ],
    [
      "listing a certificate under another serial",
      () => ({ body: JSON.parse(JSON.stringify(wechat.certificateList()).replace(platform.serial, successor.serial)) }),
      "wxpay-v3-certificate-serial-mismatch",
    ],
  ])("refuses a certificate list %s and stores nothing", async (_label, answer, reason) => {
    wechat.on("GET /v3/certificates", answer);
    const failure = newProvider().queryPayment(target, wechat.runtime);
    await expect(failure).rejects.toBeInstanceOf(SignatureError);
    await expect(failure).rejects.toMatchObject({ errCode: `vk-pay-${reason}` });
    expect(await stored()).toEqual([]);
  });

  it("retries a failed download on the next message instead of waiting out the interval", async () => {
    const provider = newProvider();
    wechat.on("GET /v3/certificates", () => ({ fail: true }));
    await expect(provider.queryPayment(target, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
    wechat.on("GET /v3/certificates", () => ({ body: wechat.certificateList() }));
    await expect(provider.queryPayment(target, wechat.runtime)).resolves.toMatchObject({ state: "NOTPAY" });
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
  });

  it("still verifies when the database is unavailable, by downloading", async () => {
    const lines: string[] = [];
    const provider = createWxpayProvider({
      database: () => {
        throw new Error("database down");
      },
      log: (line) => lines.push(line),
    });
    await expect(provider.queryPayment(target, wechat.runtime)).resolves.toMatchObject({ state: "NOTPAY" });
    expect(lines.some((line) => line.includes("database down"))).toBe(true);
  });

  it("trusts a platform certificate pinned in the config (wxpayPublicCertContent) without downloading", async () => {
    await newProvider().queryPayment({ ...target, config: merchantConfig({ wxpayPublicCertContent: platform.pem }) }, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
  });

  it("ignores a stored document whose certificate does not carry its serial, and an expired one", async () => {
    const collection = database.db.collection(WXPAY_CERTS_COLLECTION);
    await collection
      .doc(`${MCH_ID}:${platform.serial}`)
      .set({ mchid: MCH_ID, serial_no: platform.serial, pem: intruder.pem, effective_time: 0, expire_time: NOW + 86400_000, fetch_date: 0 });
    await newProvider().queryPayment(target, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);

    await collection
      .doc(`${MCH_ID}:${platform.serial}`)
      .set({ mchid: MCH_ID, serial_no: platform.serial, pem: platform.pem, effective_time: 0, expire_time: NOW - 1, fetch_date: 0 });
    await newProvider().queryPayment(target, wechat.runtime);
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
  });

  describe("public-key mode", () => {
    const wechatKey = issuePublicKey();
    const config = merchantConfig({ wxpayPublicKeyContent: wechatKey.publicKeyPem, wxpayPublicKeyId: PUB_KEY_ID });

    it("verifies PUB_KEY_ID_ answers with the configured key and never downloads certificates", async () => {
      wechat.signer = { serial: wechatKey.id, privateKey: wechatKey.privateKey };
      await expect(newProvider().queryPayment({ ...target, config }, wechat.runtime)).resolves.toMatchObject({ state: "NOTPAY" });
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
    });

    it("refuses an unknown PUB_KEY_ID_ at once, and a forged one", async () => {
      wechat.signer = { serial: "PUB_KEY_ID_0000000000000000000000000000000001", privateKey: wechatKey.privateKey };
      await expect(newProvider().queryPayment({ ...target, config }, wechat.runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-v3-unknown-serial" });
      wechat.signer = { serial: wechatKey.id, privateKey: intruder.privateKey };
      await expect(newProvider().queryPayment({ ...target, config }, wechat.runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-v3-signature-invalid" });
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
    });

    it("keeps certificate mode alive beside it, dispatched by Wechatpay-Serial", async () => {
      const provider = newProvider();
      wechat.signer = { serial: wechatKey.id, privateKey: wechatKey.privateKey };
      await provider.queryPayment({ ...target, config }, wechat.runtime);
      wechat.signer = platform;
      await provider.queryPayment({ ...target, config }, wechat.runtime);
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
    });
  });
});
