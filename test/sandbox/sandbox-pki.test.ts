import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Pki from "../../scripts/sandbox/pki";

/** A fresh copy of the module, as a new `npm start` process would have: no in-memory cache. */
function freshPki(): typeof Pki {
  let loaded: typeof Pki | undefined;
  jest.isolateModules(() => {
    loaded = require("../../scripts/sandbox/pki");
  });
  return loaded!;
}

describe("sandbox PKI", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-pki-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates the WeChat merchant and platform keys once, as 0600 files, and reuses them on the next run", async () => {
    const first = await freshPki().loadOrCreateWxpaySandboxKeys(dataDir);
    const second = await freshPki().loadOrCreateWxpaySandboxKeys(dataDir);
    expect(second).toEqual(first);
    for (const file of [
      first.appCertPath,
      first.appPrivateKeyPath,
      first.platformCertPath,
      first.wxpayPublicKeyPath,
      first.caCertPath,
      join(dataDir, "sandbox/wxpay/keys.json"),
    ]) {
      expect(file.startsWith(join(dataDir, "sandbox"))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(first.appPrivateKeyPath, "utf8")).toBe(first.merchantPrivateKeyPem);
  });

  it("issues what a WeChat merchant has: ids, 32-character keys, serials that match the certificates", async () => {
    const keys = await freshPki().loadOrCreateWxpaySandboxKeys(dataDir);
    expect(keys).toMatchObject({ mchId: "1900000001", appId: "wx0000000000000001" });
    expect(keys.v3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(keys.key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(keys.v3Key).not.toBe(keys.key);
    expect(keys.wxpayPublicKeyId).toMatch(/^PUB_KEY_ID_\d{32}$/);
    const root = new X509Certificate(readFileSync(keys.caCertPath));
    expect(root.subject).toContain("CN=vk-pay sandbox test root — never trust in production");
    expect(root.ca).toBe(true);
    for (const [pem, serial, privateKey] of [
      [keys.merchantCertPem, keys.merchantSerial, keys.merchantPrivateKeyPem],
      [keys.platformCertPem, keys.platformSerial, keys.platformPrivateKeyPem],
    ]) {
      const cert = new X509Certificate(pem);
      expect(serial).toMatch(/^[0-9A-F]{40}$/);
      expect(cert.serialNumber).toBe(serial);
      expect(cert.verify(root.publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(privateKey))).toBe(true);
      expect(cert.ca).toBe(false);
    }
    expect(new X509Certificate(keys.merchantCertPem).subject).toContain("CN=1900000001");
    expect(keys.merchantSerial).not.toBe(keys.platformSerial);
    // The public-key-mode key pair is its own, not the platform certificate's.
    const publicKey = createPublicKey(keys.wxpayPublicKeyPem);
    expect(publicKey.export({ type: "spki", format: "pem" })).toBe(
      createPublicKey(createPrivateKey(keys.wxpayPublicKeyPrivatePem)).export({ type: "spki", format: "pem" }),
    );
    expect(publicKey.equals(new X509Certificate(keys.platformCertPem).publicKey)).toBe(false);
  });

  it("issues a certificate with the given subject, serial and validity from the shared test root", async () => {
    const pki = freshPki();
    const ca = await pki.loadOrCreateTestCa(dataDir);
    const pair = await pki.generateRsaKeyPair();
    const notBefore = new Date("2026-01-01T00:00:00Z");
    const notAfter = new Date("2027-01-01T00:00:00Z");
    const pem = await pki.issueCertificate(ca, {
      subject: "CN=example, O=vk-pay sandbox, C=CN",
      serial: "1A2B3C4D5E",
      publicKeyPem: pair.publicKeyPem,
      notBefore,
      notAfter,
    });
    const cert = new X509Certificate(pem);
    expect(cert.serialNumber).toBe("1A2B3C4D5E");
    expect(cert.subject.split("\n")).toEqual(["CN=example", "O=vk-pay sandbox", "C=CN"]);
    expect(new Date(cert.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(cert.validTo).toISOString()).toBe(notAfter.toISOString());
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.publicKey.export({ type: "spki", format: "pem" })).toBe(pair.publicKeyPem);
    // The root is shared by every provider and also survives a restart.
    expect((await freshPki().loadOrCreateTestCa(dataDir)).certPem).toBe(ca.certPem);
  });

  it("writes the uni-pay config block that points both WeChat hosts at the sandbox", async () => {
    const pki = freshPki();
    const keys = await pki.loadOrCreateWxpaySandboxKeys(dataDir);
    const block = pki.wxpaySandboxConfig(keys, "http://127.0.0.1:8787/__sandbox/wxpay");
    expect(block).toMatchObject({
      appId: keys.appId,
      mchId: keys.mchId,
      v3Key: keys.v3Key,
      key: keys.key,
      secret: keys.appSecret,
      appCertPath: keys.appCertPath,
      appPrivateKeyPath: keys.appPrivateKeyPath,
      wxpayPublicKeyPath: keys.wxpayPublicKeyPath,
      wxpayPublicKeyId: keys.wxpayPublicKeyId,
      version: 3,
      baseUrl: { "api.mch.weixin.qq.com": "http://127.0.0.1:8787/__sandbox/wxpay", "api.weixin.qq.com": "http://127.0.0.1:8787/__sandbox/wxpay" },
    });
  });
});

describe("generated config source", () => {
  it("renders every v3 mode with the sandbox keys and a base URL that follows PORT at load time", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "vk-pay-pki-config-"));
    const previous = process.env.PORT;
    try {
      const keys = await freshPki().loadOrCreateWxpaySandboxKeys(dataDir);
      const { renderWxpaySandboxConfig } = require("../../scripts/sandbox/wxpay") as typeof import("../../scripts/sandbox/wxpay");
      const source = renderWxpaySandboxConfig(keys);
      process.env.PORT = "9123";
      const block = new Function(`return (${source});`)();
      expect(Object.keys(block)).toEqual(["mp-weixin", "app-plus", "h5", "h5-weixin", "mweb", "transfer"]);
      expect(block["mp-weixin"]).toEqual(freshPki().wxpaySandboxConfig(keys, "http://127.0.0.1:9123/__sandbox/wxpay"));
      expect(block.mweb.sceneInfo.h5_info).toMatchObject({ type: "Wap", wap_url: "http://127.0.0.1:9123" });
    } finally {
      if (previous === undefined) delete process.env.PORT;
      else process.env.PORT = previous;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
