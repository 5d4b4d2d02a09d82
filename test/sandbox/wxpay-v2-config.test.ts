/**
 * The generated `version: 2` block (codepay) and the PKI behind it: the .p12 loads with the mch_id as
 * password, the HTTPS base follows WXPAY_SANDBOX_HTTPS_PORT at load time, and an older data directory
 * gains the v2 material without losing its existing keys.
 */
import { statSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";

const freshKeys = () => {
  jest.resetModules();
  return require("../../scripts/sandbox/pki/wxpay-keys") as typeof import("../../scripts/sandbox/pki/wxpay-keys");
};

describe("WeChat sandbox v2 config and keys", () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), "vk-pay-v2-config-"))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("renders codepay as a version 2 block whose pfx, key, CA and HTTPS base work", async () => {
    const keys = await freshKeys().loadOrCreateWxpaySandboxKeys(dataDir);
    const { renderWxpaySandboxConfig } = require("../../scripts/sandbox/wxpay") as typeof import("../../scripts/sandbox/wxpay");
    const source = renderWxpaySandboxConfig(keys, undefined, { v2: true });
    const saved = { PORT: process.env.PORT, HTTPS: process.env.WXPAY_SANDBOX_HTTPS_PORT };
    try {
      process.env.PORT = "9123";
      delete process.env.WXPAY_SANDBOX_HTTPS_PORT;
      const block = new Function("require", `return (${source});`)(require);
      expect(Object.keys(block)).toEqual(["mp-weixin", "app-plus", "h5", "h5-weixin", "mweb", "transfer", "codepay"]);
      const codepay = block.codepay;
      expect(codepay).toMatchObject({
        version: 2,
        mchId: keys.mchId,
        appId: keys.appId,
        key: keys.key,
        appCertPath: keys.appCertPath,
        appPrivateKeyPath: keys.appPrivateKeyPath,
        secapiCaContent: keys.caCertPem,
      });
      expect(codepay.key).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(codepay.baseUrl["api.mch.weixin.qq.com"]).toBe("http://127.0.0.1:9123/__sandbox/wxpay");
      expect(codepay.secapiBaseUrl).toBe("https://127.0.0.1:9124/__sandbox/wxpay");
      process.env.WXPAY_SANDBOX_HTTPS_PORT = "9555";
      expect(new Function("require", `return (${source});`)(require).codepay.secapiBaseUrl).toBe("https://127.0.0.1:9555/__sandbox/wxpay");
      expect(Buffer.isBuffer(codepay.pfx)).toBe(true);
      expect(() => createSecureContext({ pfx: codepay.pfx, passphrase: keys.mchId })).not.toThrow();
      expect(() => createSecureContext({ pfx: codepay.pfx, passphrase: "nope" })).toThrow();
      // Without the v2 option the source stays free of require (evaluable anywhere), as before.
      expect(renderWxpaySandboxConfig(keys)).not.toContain("require(");
    } finally {
      for (const [name, value] of [
        ["PORT", saved.PORT],
        ["WXPAY_SANDBOX_HTTPS_PORT", saved.HTTPS],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("wxpaySandboxConfig renders the service provider for version 2 and 3", async () => {
    const pki = freshKeys();
    const keys = await pki.loadOrCreateWxpaySandboxKeys(dataDir);
    const partner = pki.wxpaySandboxConfig(keys, "http://x/__sandbox/wxpay", {
      version: 2,
      merchant: "partner",
      secapiBaseUrl: "https://127.0.0.1:1/__sandbox/wxpay",
    });
    expect(partner).toMatchObject({
      version: 2,
      mchId: pki.WXPAY_SANDBOX_SP_MCHID,
      appId: pki.WXPAY_SANDBOX_SP_APPID,
      key: keys.partner.key,
      appCertPath: keys.partner.appCertPath,
    });
    expect(() => createSecureContext({ pfx: partner.pfx as Buffer, passphrase: pki.WXPAY_SANDBOX_SP_MCHID })).not.toThrow();
    expect(pki.wxpaySandboxConfig(keys, "http://x")).not.toHaveProperty("pfx");
  });

  it("keeps keys private (0600) and upgrades an older data directory in place", async () => {
    let keys = await freshKeys().loadOrCreateWxpaySandboxKeys(dataDir);
    for (const file of [keys.pfxPath, keys.partner.pfxPath, keys.partner.appPrivateKeyPath]) expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = { merchantSerial: keys.merchantSerial, key: keys.key };
    // A data directory from before API v2: no secapi manifest.
    unlinkSync(join(dataDir, "sandbox", "wxpay", "secapi.json"));
    keys = await freshKeys().loadOrCreateWxpaySandboxKeys(dataDir);
    expect(keys).toMatchObject(before);
    expect(keys.secapiServerCertPem).toContain("BEGIN CERTIFICATE");
    expect(statSync(join(dataDir, "sandbox", "wxpay", "secapi.json")).isFile()).toBe(true);
  });
});
