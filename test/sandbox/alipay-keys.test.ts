/**
 * The Alipay sandbox PKI: certificate SNs computed as Alipay does (official vectors AL-6 and AL-7 from
 * reference/protocols.md §3.5), keys generated once and kept across restarts, the certificate chain, and
 * the uni-pay config blocks for key and certificate mode.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderAlipaySandboxConfig } from "../../scripts/sandbox/alipay";
import type * as Pki from "../../scripts/sandbox/pki";
import { alipayCertSn, alipayRootCertSn, alipaySandboxConfig } from "../../scripts/sandbox/pki";

/** Published vectors copied under test/fixtures/alipay (origins in its README). */
const VECTORS = join(__dirname, "..", "fixtures", "alipay");
const vector = (name: string) => readFileSync(join(VECTORS, name), "utf8");

/** A fresh copy of the module, as a new `npm start` process would have: no in-memory cache. */
function freshPki(): typeof Pki {
  let loaded: typeof Pki | undefined;
  jest.isolateModules(() => {
    loaded = require("../../scripts/sandbox/pki");
  });
  return loaded!;
}

describe("Alipay certificate SNs (vectors AL-6, AL-7)", () => {
  it("computes app, Alipay and root SNs of alipay-sdk's fixtures", () => {
    expect(alipayCertSn(vector("alipay-sdk-nodejs-all__appCertPublicKey_2021001161683774.crt"))).toBe("866efef280dec9137a87d047ac446315");
    expect(alipayCertSn(vector("alipay-sdk-nodejs-all__alipayCertPublicKey_RSA2.crt"))).toBe("7513daaaa48aa3ba2e4018d84402479c");
    expect(alipayRootCertSn(vector("alipay-sdk-nodejs-all__alipayRootCert.crt"))).toBe("687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
  });

  it("computes yansongda's fixtures, including a public certificate followed by its intermediate", () => {
    expect(alipayCertSn(vector("yansongda__alipayAppPublicCert.crt"))).toBe("e90dd23a37c5c7b616e003970817ff82");
    expect(alipayCertSn(vector("yansongda__alipayPublicCert.crt"))).toBe("6f1e366a31d9575cd546914add04f4af");
    expect(alipayRootCertSn(vector("yansongda__alipayRootCert.crt"))).toBe("687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
  });
});

describe("Alipay sandbox keys", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "vk-pay-alipay-pki-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates the keys once, as 0600 files under sandbox/alipay, and reads the same back on the next run", async () => {
    const first = await freshPki().loadOrCreateAlipaySandboxKeys(dataDir);
    const second = await freshPki().loadOrCreateAlipaySandboxKeys(dataDir);
    expect(second).toEqual(first);
    for (const file of [
      first.appCertPath,
      first.alipayPublicCertPath,
      first.alipayRootCertPath,
      join(dataDir, "sandbox/alipay/keys.json"),
      join(dataDir, "sandbox/alipay/key-mode/app_private_key.pem"),
    ]) {
      expect(file.startsWith(join(dataDir, "sandbox", "alipay"))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(first.keyApp.appId).not.toBe(first.certApp.appId);
    expect(first.sellerId).toMatch(/^2088\d{12}$/);
    expect(first.keyApp.appPrivateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it("issues the app and Alipay certificates through intermediates of an RSA root, with SNs as Alipay computes them", async () => {
    const keys = await freshPki().loadOrCreateAlipaySandboxKeys(dataDir);
    const [root, ecRoot, legacyRoot] = keys.alipayRootCertPem
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!
      .map((pem) => new X509Certificate(pem));
    expect(root.publicKey.asymmetricKeyType).toBe("rsa");
    expect(ecRoot.publicKey.asymmetricKeyType).toBe("ec");
    expect(legacyRoot.publicKey.asymmetricKeyType).toBe("rsa");
    // Only the RSA-signed roots make up the root SN, joined with `_`, in file order.
    expect(keys.alipayRootCertSn).toBe(`${alipayCertSn(root.toString())}_${alipayCertSn(legacyRoot.toString())}`);
    const [alipayCert, alipayIssuer] = keys.alipayPublicCertPem
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!
      .map((pem) => new X509Certificate(pem));
    expect(alipayIssuer.verify(root.publicKey)).toBe(true);
    expect(alipayCert.verify(alipayIssuer.publicKey)).toBe(true);
    expect(alipayCert.checkPrivateKey(createPrivateKey(keys.alipayCertPrivateKeyPem))).toBe(true);
    const appCert = new X509Certificate(keys.appCertPem);
    expect(appCert.checkPrivateKey(createPrivateKey(keys.certApp.appPrivateKeyPem))).toBe(true);
    expect(appCert.subject).toContain(`CN=${keys.sellerId}-${keys.certApp.appId}`);
    expect(appCert.verify(alipayIssuer.publicKey)).toBe(false);
    const expectedSn = (cert: X509Certificate) => {
      const issuer = cert.issuer.split("\n").reverse().join(",");
      return createHash("md5")
        .update(issuer + BigInt(`0x${cert.serialNumber}`).toString(10))
        .digest("hex");
    };
    expect(keys.appCertSn).toBe(expectedSn(appCert));
    expect(keys.alipayCertSn).toBe(expectedSn(alipayCert));
    // Key mode uses its own Alipay key, not the certificate's.
    expect(createPublicKey(keys.alipayPublicKeyPem).equals(alipayCert.publicKey)).toBe(false);
  });

  it("gives the uni-pay alipay sub-config for each mode, keys as the console shows them", async () => {
    const keys = await freshPki().loadOrCreateAlipaySandboxKeys(dataDir);
    const base = "http://127.0.0.1:8787/__sandbox/alipay";
    const keyMode = alipaySandboxConfig(keys, base);
    expect(keyMode).toEqual({
      appId: keys.keyApp.appId,
      privateKey: expect.stringMatching(/^MII[A-Za-z0-9+/=]+$/),
      alipayPublicKey: expect.stringMatching(/^MII[A-Za-z0-9+/=]+$/),
      sellerId: keys.sellerId,
      sandbox: false,
      baseUrl: base,
    });
    expect(createPrivateKey({ key: Buffer.from(keyMode.privateKey as string, "base64"), format: "der", type: "pkcs1" }).asymmetricKeyType).toBe("rsa");
    expect(alipaySandboxConfig(keys, base, { certMode: true })).toEqual({
      appId: keys.certApp.appId,
      privateKey: expect.any(String),
      appCertContent: keys.appCertPem,
      alipayPublicCertContent: keys.alipayPublicCertPem,
      alipayRootCertContent: keys.alipayRootCertPem,
      sellerId: keys.sellerId,
      sandbox: false,
      baseUrl: base,
    });
    expect(alipaySandboxConfig(keys, base, { certMode: true, certSource: "path" })).toMatchObject({
      appCertPath: keys.appCertPath,
      alipayRootCertPath: keys.alipayRootCertPath,
    });
    const rendered = renderAlipaySandboxConfig(keys, { certMode: true });
    // The generated file evaluates the base URL from PORT at load time.
    const block = new Function("process", `return ${rendered};`)({ env: { PORT: "9999" } });
    expect(Object.keys(block)).toEqual(["mp-alipay", "app-plus", "h5", "codepay", "transfer"]);
    // Transfers are signed in certificate mode only, whatever mode the payment blocks use.
    const keyModeBlock = new Function("process", `return ${renderAlipaySandboxConfig(keys)};`)({ env: { PORT: "9999" } });
    expect(keyModeBlock.transfer).toMatchObject({ appId: keys.certApp.appId, appCertContent: keys.appCertPem });
    expect(keyModeBlock.h5).toMatchObject({ appId: keys.keyApp.appId });
    expect(block.h5).toMatchObject({ appId: keys.certApp.appId, baseUrl: "http://127.0.0.1:9999/__sandbox/alipay" });
  });
});
