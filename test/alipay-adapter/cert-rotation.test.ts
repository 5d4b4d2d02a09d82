import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { ALIPAY_CERTS_COLLECTION } from "../../common/vk-uni-pay/src/providers/alipay/cert-store";
import { getAlipayCertSn } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import type { RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { issueCertificate, loadOrCreateTestCa, type TestCa } from "../../scripts/sandbox/pki/test-ca";
import { memoryDatabase } from "../wxpay-adapter/fake-wechat";
import { APP_ID, certModeConfig, FakeAlipay, generateKeys, SELLER_ID, type AlipayCertificates, type AlipayKeys } from "./fake-alipay";

/**
 * Certificate mode after Alipay rotates the certificate it signs with: the answer names a new
 * `alipay_cert_sn`, the provider downloads that certificate (alipay.open.app.alipaycert.download), trusts it
 * only through the configured root, keeps it by SN in the database, and verifies with it.
 */

const DAY = 86400_000;
const waiting = { code: "10000", msg: "Success", out_trade_no: "T1", trade_no: "2026011522001400001", trade_status: "WAIT_BUYER_PAY", total_amount: "12.34" };

describe("alipay certificate rotation", () => {
  let keys: AlipayKeys;
  let ca: TestCa;
  let certs: AlipayCertificates;
  let rotated: { pem: string; sn: string; key: KeyObject };
  let database: ReturnType<typeof memoryDatabase>;

  const issue = async (authority: TestCa, publicKeyPem: string, serial: string) => {
    const now = Date.now();
    return issueCertificate(authority, {
      subject: "CN=Alipay Test Signer, OU=Alipay, O=vk-pay sandbox, C=CN",
      serial,
      publicKeyPem,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
    });
  };

  beforeAll(async () => {
    keys = generateKeys();
    ca = await loadOrCreateTestCa(mkdtempSync(join(tmpdir(), "vk-alipay-rotation-")));
    const now = Date.now();
    const validity = { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
    certs = {
      appCert: await issueCertificate(ca, {
        subject: `CN=${APP_ID}, OU=Alipay Test App, O=vk-pay sandbox, C=CN`,
        serial: "2A6F0B1C3D4E5F61",
        publicKeyPem: keys.appPublicPem,
        ...validity,
      }),
      alipayCert: await issue(ca, keys.alipayPublicPem, "7D3E9A0B1C2D3E40"),
      rootCert: ca.certPem,
    };
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = await issue(ca, pair.publicKey.export({ type: "spki", format: "pem" }).toString(), "7D3E9A0B1C2D3E41");
    rotated = { pem, sn: getAlipayCertSn(pem), key: pair.privateKey };
  });
  beforeEach(() => {
    database = memoryDatabase();
  });
  afterEach(() => database.close());

  const provider = () => createAlipayProvider({ database: () => database.db, log: () => undefined });
  const config = () => certModeConfig(keys, certs);
  /** Alipay after the rotation: it signs with the new key, names the new SN, and serves `served` on download. */
  const rotatedAlipay = (served: string = rotated.pem) => {
    const fake = FakeAlipay.forCertificates(keys, certs);
    fake.now = Date.now();
    fake.on("alipay.trade.query", () => ({ body: waiting, signer: rotated.key, certSn: rotated.sn }));
    fake.on("alipay.open.app.alipaycert.download", () => ({
      body: { code: "10000", msg: "Success", alipay_cert_content: Buffer.from(served).toString("base64") },
      signer: rotated.key,
      certSn: rotated.sn,
    }));
    return fake;
  };
  const query = (alipay: FakeAlipay, instance = provider()) => instance.queryPayment({ mode: "h5", config: config(), outTradeNo: "T1" }, alipay.runtime);

  it("downloads the certificate a rotated answer names, trusts it through the root, verifies with it and keeps it by SN", async () => {
    const alipay = rotatedAlipay();
    const instance = provider();
    expect(await query(alipay, instance)).toMatchObject({ state: "NOTPAY", outTradeNo: "T1" });
    expect(alipay.calls("alipay.open.app.alipaycert.download").map((call) => call.biz)).toEqual([{ alipay_cert_sn: rotated.sn }]);
    expect(alipay.only("alipay.open.app.alipaycert.download").signatureValid).toBe(true);
    const stored = (await database.db.collection(ALIPAY_CERTS_COLLECTION).where({ sn: rotated.sn }).get()).data[0];
    expect(stored).toMatchObject({ app_id: APP_ID, sn: rotated.sn, pem: rotated.pem });
    // Known from now on: no second download.
    await query(alipay, instance);
    expect(alipay.calls("alipay.open.app.alipaycert.download")).toHaveLength(1);
    // Another instance (a cold start) finds it in the database.
    await query(alipay, provider());
    expect(alipay.calls("alipay.open.app.alipaycert.download")).toHaveLength(1);
  });

  it("refuses a downloaded certificate that does not chain to the configured root, and holds further downloads off for a minute", async () => {
    const stranger = await loadOrCreateTestCa(mkdtempSync(join(tmpdir(), "vk-alipay-stranger-")));
    const forged = await issue(stranger, createPublicKey(rotated.key).export({ type: "spki", format: "pem" }).toString(), "7D3E9A0B1C2D3E41");
    const alipay = rotatedAlipay(forged);
    const instance = provider();
    await expect(query(alipay, instance)).rejects.toMatchObject({ kind: "signature" });
    expect(await database.db.collection(ALIPAY_CERTS_COLLECTION).count()).toMatchObject({ total: 0 });
    await expect(query(alipay, instance)).rejects.toMatchObject({ kind: "signature", errCode: "vk-pay-alipay-cert-sn-mismatch" });
    expect(alipay.calls("alipay.open.app.alipaycert.download")).toHaveLength(1);
    alipay.now += 61_000;
    await expect(query(alipay, instance)).rejects.toMatchObject({ kind: "signature" });
    expect(alipay.calls("alipay.open.app.alipaycert.download")).toHaveLength(2);
  });

  it("refuses a trusted certificate served under another SN than the answer named", async () => {
    const alipay = rotatedAlipay(certs.alipayCert);
    await expect(query(alipay)).rejects.toMatchObject({ kind: "signature", errCode: "vk-pay-alipay-cert-sn-mismatch" });
  });

  it("verifies a notification signed after the rotation once the new certificate is adopted, and not before", async () => {
    const alipay = rotatedAlipay();
    const fields = {
      notify_type: "trade_status_sync",
      notify_id: "n1",
      notify_time: "2026-01-15 12:00:00",
      app_id: APP_ID,
      seller_id: SELLER_ID,
      out_trade_no: "T1",
      trade_no: "2026011522001400001",
      trade_status: "TRADE_SUCCESS",
      total_amount: "12.34",
      gmt_payment: "2026-01-15 12:00:00",
    };
    const raw: RawNotification = {
      method: "POST",
      path: "/vk-pay-notify/alipay_h5/T1",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: Buffer.from(alipay.notification(fields, rotated.key), "utf8"),
    };
    const instance = provider();
    await expect(instance.verifyNotify(raw, config(), alipay.runtime)).rejects.toMatchObject({ kind: "signature" });
    await query(alipay, instance);
    expect(await instance.verifyNotify(raw, config(), alipay.runtime)).toMatchObject({ kind: "payment", state: "SUCCESS", outTradeNo: "T1", totalFee: 1234 });
    // Another instance, whose own database setting is unusable, reads the adopted certificate through the runtime's database.
    const other = createAlipayProvider({
      database: () => {
        throw new Error("not this database");
      },
      log: () => undefined,
    });
    await expect(other.verifyNotify(raw, config(), alipay.runtime)).rejects.toMatchObject({ kind: "signature" });
    expect(await other.verifyNotify(raw, config(), { ...alipay.runtime, db: database.db })).toMatchObject({ kind: "payment", state: "SUCCESS" });
  });
});
