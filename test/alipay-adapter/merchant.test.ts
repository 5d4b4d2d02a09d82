import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maskSecrets } from "../../common/vk-uni-pay/src/core/config";
import { ConfigError } from "../../common/vk-uni-pay/src/core/errors";
import { readAlipayMerchant } from "../../common/vk-uni-pay/src/providers/alipay/merchant";
import { getAlipayCertSn, getAlipayRootCertSn } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { APP_ID, BASE_URL, certModeConfig, generateKeys, issueCertificates, keyModeConfig, type AlipayCertificates, type AlipayKeys } from "./fake-alipay";

/** Reading a sub-config: key mode, certificate mode (inline or by path), gateway, and clear errors that never echo a secret. */
describe("alipay merchant config", () => {
  let keys: AlipayKeys;
  let certs: AlipayCertificates;
  let dir: string;

  beforeAll(async () => {
    keys = generateKeys();
    certs = await issueCertificates(keys);
    dir = mkdtempSync(join(tmpdir(), "vk-alipay-merchant-"));
    writeFileSync(join(dir, "appCertPublicKey.crt"), certs.appCert);
    writeFileSync(join(dir, "alipayCertPublicKey_RSA2.crt"), certs.alipayCert);
    writeFileSync(join(dir, "alipayRootCert.crt"), certs.rootCert);
    writeFileSync(join(dir, "blank.crt"), "\n");
  });

  const configError = (config: Record<string, unknown>): ConfigError => {
    try {
      readAlipayMerchant(Object.freeze(config));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  };

  it("key mode: the Alipay public key as the console shows it (bare base64), the gateway under baseUrl", () => {
    const merchant = readAlipayMerchant(keyModeConfig(keys));
    expect(merchant).toMatchObject({ appId: APP_ID, gatewayUrl: `${BASE_URL}/gateway.do`, timeoutMs: 10_000 });
    expect(merchant.certificates).toBeUndefined();
    expect(merchant.alipayPublicKey.export({ type: "spki", format: "pem" })).toBe(keys.alipayPublicPem);
  });

  it("key mode with vk-uni-pay's blank certificate files kept in the config stays key mode", () => {
    const blank = join(dir, "blank.crt");
    const merchant = readAlipayMerchant(keyModeConfig(keys, { appCertPath: blank, alipayPublicCertPath: join(dir, "missing.crt"), alipayRootCertPath: blank }));
    expect(merchant.certificates).toBeUndefined();
  });

  it("certificate mode by path: the SNs Alipay computes, and the Alipay certificate's key", () => {
    const merchant = readAlipayMerchant(
      Object.freeze({
        appId: APP_ID,
        privateKey: keys.appPrivatePem,
        appCertPath: join(dir, "appCertPublicKey.crt"),
        alipayPublicCertPath: join(dir, "alipayCertPublicKey_RSA2.crt"),
        alipayRootCertPath: join(dir, "alipayRootCert.crt"),
      }),
    );
    expect(merchant.certificates).toMatchObject({
      appCertSn: getAlipayCertSn(certs.appCert),
      alipayRootCertSn: getAlipayRootCertSn(certs.rootCert),
      alipayCertSn: getAlipayCertSn(certs.alipayCert),
    });
    expect(merchant.alipayPublicKey.export({ type: "spki", format: "pem" })).toBe(keys.alipayPublicPem);
    expect(merchant.gatewayUrl).toBe("https://openapi.alipay.com/gateway.do");
  });

  it("certificate mode inline (vk-pay-config rows), Buffers included; certificates win over a leftover alipayPublicKey", () => {
    const merchant = readAlipayMerchant(
      certModeConfig(keys, certs, { appCertContent: Buffer.from(certs.appCert), alipayPublicKey: generateKeys().alipayPublicBase64 }),
    );
    expect(merchant.certificates?.appCertSn).toBe(getAlipayCertSn(certs.appCert));
    expect(merchant.alipayPublicKey.export({ type: "spki", format: "pem" })).toBe(keys.alipayPublicPem);
  });

  it("sandbox: Alipay's sandbox gateway; baseUrl still wins", () => {
    expect(readAlipayMerchant(keyModeConfig(keys, { baseUrl: undefined, sandbox: true })).gatewayUrl).toBe(
      "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
    );
    expect(readAlipayMerchant(keyModeConfig(keys, { sandbox: true })).gatewayUrl).toBe(`${BASE_URL}/gateway.do`);
  });

  it.each([
    ["no appId", { appId: "" }, "vk-pay-alipay-config-invalid"],
    ["no private key", { privateKey: "" }, "vk-pay-alipay-key-missing"],
    ["neither public key nor certificates", { alipayPublicKey: undefined }, "vk-pay-alipay-key-missing"],
    ["a private key that is not a key", { privateKey: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ-not-a-key" }, "vk-pay-alipay-invalid-key"],
    [
      "an RSA-1024 Alipay public key",
      { alipayPublicKey: generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString() },
      "vk-pay-alipay-invalid-key",
    ],
    ["sandbox that is not a boolean", { sandbox: "yes" }, "vk-pay-alipay-config-invalid"],
    ["a baseUrl that is not http(s)", { baseUrl: "ftp://x" }, "vk-pay-config-invalid"],
  ])("key mode with %s is a ConfigError", (_label, change, errCode) => {
    const error = configError({ ...keyModeConfig(keys), ...change });
    expect(error.errCode).toBe(errCode);
  });

  it("certificate mode names every missing certificate", () => {
    const error = configError({ ...certModeConfig(keys, certs), alipayRootCertContent: "", appCertContent: undefined });
    expect(error.errCode).toBe("vk-pay-alipay-cert-missing");
    expect(error.message).toContain("appCertPath");
    expect(error.message).toContain("alipayRootCertPath");
    expect(error.message).not.toContain("alipayPublicCertPath");
  });

  it("an app certificate that does not belong to the private key is caught before any call", () => {
    const other = generateKeys();
    expect(configError({ ...certModeConfig(keys, certs), privateKey: other.appPrivatePem }).errCode).toBe("vk-pay-alipay-key-mismatch");
  });

  it("an unparsable certificate is a ConfigError", () => {
    expect(configError({ ...certModeConfig(keys, certs), alipayPublicCertContent: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }).kind).toBe(
      "config",
    );
  });

  it("the app private key pasted as alipayPublicKey is refused, not turned into a public key", () => {
    expect(configError({ ...keyModeConfig(keys), alipayPublicKey: keys.appPrivatePem }).errCode).toBe("vk-pay-alipay-key-misplaced");
  });

  it("no error message carries key material, and the config masks for logs", () => {
    const secret = keys.appPrivatePem.split("\n")[3]!;
    const messages = [
      configError({ ...keyModeConfig(keys), alipayPublicKey: keys.appPrivatePem }).message,
      configError({ ...keyModeConfig(keys), privateKey: `${keys.appPrivatePem.slice(0, 400)}\n-----END RSA PRIVATE KEY-----` }).message,
      configError({ ...certModeConfig(keys, certs), privateKey: generateKeys().appPrivatePem }).message,
    ];
    for (const message of messages) expect(message).not.toContain(secret);
    expect(JSON.stringify(maskSecrets(keyModeConfig(keys)))).not.toContain(secret);
  });

  it("parses once per config object", () => {
    const config = keyModeConfig(keys);
    expect(readAlipayMerchant(config)).toBe(readAlipayMerchant(config));
  });
});
