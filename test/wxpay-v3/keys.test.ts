import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import {
  createPlatformKeyRing,
  loadCertificate,
  loadPrivateKey,
  loadPublicKey,
  loadWxpayPublicKey,
  normalizeSerial,
  signSha256WithRsa,
  WxpayV3ConfigError,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { GO_KEY, GO_PLATFORM_CERT, YANSONGDA_CERT } from "./fixtures";

const V3_3_SOURCE_SIGNATURE =
  "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

describe("merchant private keys", () => {
  it("parses once per content: the same PEM gives the same KeyObject", () => {
    expect(loadPrivateKey(GO_KEY())).toBe(loadPrivateKey(GO_KEY()));
    expect(loadPrivateKey(Buffer.from(GO_KEY()))).toBe(loadPrivateKey(GO_KEY()));
  });

  it("accepts PKCS#8, PKCS#1 and the bare base64 body, all signing the V3-3 vector", () => {
    const pkcs1 = createPrivateKey(GO_KEY()).export({ type: "pkcs1", format: "pem" }) as string;
    expect(pkcs1).toContain("BEGIN RSA PRIVATE KEY");
    const bare = GO_KEY()
      .replace(/-----[A-Z ]+-----/g, "")
      .replace(/\s+/g, "");
    for (const material of [GO_KEY(), pkcs1, bare]) {
      expect(signSha256WithRsa("source", loadPrivateKey(material))).toBe(V3_3_SOURCE_SIGNATURE);
    }
  });

  it("refuses garbage, non-RSA keys and short RSA keys with a typed error", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    for (const material of ["", "not a key!", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", ec, short]) {
      let caught: unknown;
      try {
        loadPrivateKey(material);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WxpayV3ConfigError);
      expect((caught as WxpayV3ConfigError).reason).toBe("wxpay-v3-invalid-key");
    }
  });
});

describe("certificates", () => {
  it("reads uppercase hex serials and the public key", () => {
    expect(loadCertificate(GO_PLATFORM_CERT()).serialNo).toBe("D7CE59D1F522D701");
    expect(loadCertificate(YANSONGDA_CERT()).serialNo).toBe("25F8AA5452D55497C24BA57DC81B1E5915DC2E77");
    expect(loadCertificate(GO_PLATFORM_CERT()).publicKey.asymmetricKeyType).toBe("rsa");
  });

  it("is cached and frozen", () => {
    const certificate = loadCertificate(GO_PLATFORM_CERT());
    expect(loadCertificate(GO_PLATFORM_CERT())).toBe(certificate);
    expect(Object.isFrozen(certificate)).toBe(true);
  });

  it("refuses a non-certificate", () => {
    expect(() => loadCertificate(GO_KEY())).toThrow(WxpayV3ConfigError);
  });
});

describe("WeChat Pay public keys", () => {
  const spki = loadCertificate(GO_PLATFORM_CERT()).publicKey.export({ type: "spki", format: "pem" }) as string;

  it("keeps the PUB_KEY_ID_ and accepts SPKI, PKCS#1 and bare base64", () => {
    const pkcs1 = loadCertificate(GO_PLATFORM_CERT()).publicKey.export({ type: "pkcs1", format: "pem" }) as string;
    const bare = spki.replace(/-----[A-Z ]+-----/g, "");
    for (const material of [spki, pkcs1, bare]) {
      const key = loadWxpayPublicKey("PUB_KEY_ID_0000000000000024101100397200000006", material);
      expect(key.id).toBe("PUB_KEY_ID_0000000000000024101100397200000006");
      expect(key.publicKey.equals(loadCertificate(GO_PLATFORM_CERT()).publicKey)).toBe(true);
    }
  });

  it("refuses IDs without the documented prefix", () => {
    expect(() => loadWxpayPublicKey("D7CE59D1F522D701", spki)).toThrow(WxpayV3ConfigError);
    expect(() => loadWxpayPublicKey("PUB_KEY_ID_", spki)).toThrow(WxpayV3ConfigError);
    expect(() => loadPublicKey("nope!")).toThrow(WxpayV3ConfigError);
  });
});

describe("serials and the platform key ring", () => {
  it("normalizes case and leading zeros", () => {
    expect(normalizeSerial("00d7ce59d1f522d701")).toBe("D7CE59D1F522D701");
    expect(normalizeSerial("0")).toBe("0");
  });

  it("finds certificates by serial in any case, and nothing for unknown or empty serials", () => {
    const ring = createPlatformKeyRing({ certificates: [loadCertificate(GO_PLATFORM_CERT())] });
    expect(ring.find("d7ce59d1f522d701")).toBe(loadCertificate(GO_PLATFORM_CERT()).publicKey);
    expect(ring.find("D7CE59D1F522D702")).toBeUndefined();
    expect(ring.find("")).toBeUndefined();
  });
});
