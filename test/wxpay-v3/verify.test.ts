import {
  buildVerifyMessage,
  createPlatformKeyRing,
  isTimestampFresh,
  loadCertificate,
  loadPrivateKey,
  loadWxpayPublicKey,
  signSha256WithRsa,
  verifyWxpayV3Message,
  verifyWxpayV3Signature,
  WxpayV3ConfigError,
  WxpayV3SignatureError,
  type WxpayV3ErrorCode,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { GO_KEY, GO_NOTIFY, GO_PLATFORM_CERT, YANSONGDA_CALLBACK, YANSONGDA_CERT } from "./fixtures";

const notify = GO_NOTIFY();
const TS = Number(notify.headers["Wechatpay-Timestamp"]);
// Upstream pins time.Now() to the header timestamp; so do we.
const FROZEN_NOW = TS * 1000;

function platformKeys() {
  return createPlatformKeyRing({ certificates: [loadCertificate(GO_PLATFORM_CERT())], merchantSerialNo: "25F8AA5452D55497C24BA57DC81B1E5915DC2E77" });
}

function failureCode(run: () => unknown): WxpayV3ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WxpayV3SignatureError);
    return (error as WxpayV3SignatureError).reason;
  }
  return undefined;
}

describe("V3-5: wechatpay-go notification signature (notify_test.go)", () => {
  it("verifies with platform certificate D7CE59D1F522D701 at the frozen clock", () => {
    expect(verifyWxpayV3Message({ headers: notify.headers, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW })).toEqual({
      serial: "D7CE59D1F522D701",
    });
  });

  it("verifies the raw bytes given as a Buffer too", () => {
    const ok = verifyWxpayV3Signature({
      timestamp: notify.headers["Wechatpay-Timestamp"]!,
      nonce: notify.headers["Wechatpay-Nonce"]!,
      signature: notify.headers["Wechatpay-Signature"]!,
      body: Buffer.from(notify.rawBody, "utf8"),
      publicKey: loadCertificate(GO_PLATFORM_CERT()).publicKey,
    });
    expect(ok).toBe(true);
  });

  it("reads the headers case-insensitively (Node lowercases them)", () => {
    const lower = Object.fromEntries(Object.entries(notify.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyWxpayV3Message({ headers: lower, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW }).serial).toBe("D7CE59D1F522D701");
  });

  it("fails when one byte of the body changes", () => {
    const body = Buffer.from(notify.rawBody, "utf8");
    body[body.length - 3] ^= 0x01;
    expect(failureCode(() => verifyWxpayV3Message({ headers: notify.headers, body, keys: platformKeys(), nowMs: FROZEN_NOW }))).toBe(
      "wxpay-v3-signature-invalid",
    );
  });

  it("fails when the nonce or timestamp header is altered", () => {
    const publicKey = loadCertificate(GO_PLATFORM_CERT()).publicKey;
    const base = {
      timestamp: String(TS),
      nonce: notify.headers["Wechatpay-Nonce"]!,
      signature: notify.headers["Wechatpay-Signature"]!,
      body: notify.rawBody,
      publicKey,
    };
    expect(verifyWxpayV3Signature(base)).toBe(true);
    expect(verifyWxpayV3Signature({ ...base, nonce: `${base.nonce}x` })).toBe(false);
    expect(verifyWxpayV3Signature({ ...base, timestamp: String(TS + 1) })).toBe(false);
  });

  it("fails with another certificate's key (the yansongda merchant certificate)", () => {
    const ok = verifyWxpayV3Signature({
      timestamp: String(TS),
      nonce: notify.headers["Wechatpay-Nonce"]!,
      signature: notify.headers["Wechatpay-Signature"]!,
      body: notify.rawBody,
      publicKey: loadCertificate(YANSONGDA_CERT()).publicKey,
    });
    expect(ok).toBe(false);
  });

  it("reports an unknown serial when the ring holds only other keys (time to refresh certificates)", () => {
    const other = createPlatformKeyRing({ certificates: [loadCertificate(YANSONGDA_CERT())] });
    expect(failureCode(() => verifyWxpayV3Message({ headers: notify.headers, body: notify.rawBody, keys: other, nowMs: FROZEN_NOW }))).toBe(
      "wxpay-v3-unknown-serial",
    );
  });

  it("fails when the header names one serial but the ring files another key under it", () => {
    const headers = { ...notify.headers, "Wechatpay-Serial": "25F8AA5452D55497C24BA57DC81B1E5915DC2E77" };
    const wrong = createPlatformKeyRing({ certificates: [loadCertificate(YANSONGDA_CERT())] });
    expect(failureCode(() => verifyWxpayV3Message({ headers, body: notify.rawBody, keys: wrong, nowMs: FROZEN_NOW }))).toBe("wxpay-v3-signature-invalid");
  });

  it.each([
    ["301 s later (stale)", 301],
    ["301 s earlier (from the future)", -301],
    ["a day later", 86400],
  ])("refuses the timestamp when the clock is %s", (_why, offset) => {
    expect(
      failureCode(() => verifyWxpayV3Message({ headers: notify.headers, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW + offset * 1000 })),
    ).toBe("wxpay-v3-timestamp-out-of-window");
  });

  it("accepts exactly ±300 s", () => {
    for (const offset of [300, -300]) {
      expect(verifyWxpayV3Message({ headers: notify.headers, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW + offset * 1000 }).serial).toBe(
        "D7CE59D1F522D701",
      );
    }
  });

  it("refuses a WECHATPAY/SIGNTEST/ probe signature", () => {
    const headers = { ...notify.headers, "Wechatpay-Signature": `WECHATPAY/SIGNTEST/${notify.headers["Wechatpay-Signature"]}` };
    expect(failureCode(() => verifyWxpayV3Message({ headers, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW }))).toBe(
      "wxpay-v3-signature-probe",
    );
    expect(
      verifyWxpayV3Signature({
        timestamp: String(TS),
        nonce: "n",
        body: "",
        signature: "WECHATPAY/SIGNTEST/abc=",
        publicKey: loadCertificate(GO_PLATFORM_CERT()).publicKey,
      }),
    ).toBe(false);
  });

  it("refuses missing headers and signature types other than WECHATPAY2-SHA256-RSA2048", () => {
    const { ["Wechatpay-Nonce"]: _nonce, ...withoutNonce } = notify.headers;
    expect(failureCode(() => verifyWxpayV3Message({ headers: withoutNonce, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW }))).toBe(
      "wxpay-v3-signature-invalid",
    );
    const typed = { ...notify.headers, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3" };
    expect(failureCode(() => verifyWxpayV3Message({ headers: typed, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW }))).toBe(
      "wxpay-v3-signature-invalid",
    );
    const explicit = { ...notify.headers, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048" };
    expect(verifyWxpayV3Message({ headers: explicit, body: notify.rawBody, keys: platformKeys(), nowMs: FROZEN_NOW }).serial).toBe("D7CE59D1F522D701");
  });

  it("returns false for junk signatures instead of throwing", () => {
    const publicKey = loadCertificate(GO_PLATFORM_CERT()).publicKey;
    for (const signature of ["", "not base64!", "abc", "YWJj"]) {
      expect(verifyWxpayV3Signature({ timestamp: String(TS), nonce: "n", body: "", signature, publicKey })).toBe(false);
    }
  });
});

describe("public-key mode (PUB_KEY_ID_) beside certificate mode", () => {
  // The wechatpay-go test key is also the private half of its public-key-verifier test key, so the V3-5
  // signature verifies under a PUB_KEY_ID_ as well.
  const pubKeyId = "PUB_KEY_ID_0000000000000024101100397200000006";
  const wxpayPublicKey = loadWxpayPublicKey(pubKeyId, loadCertificate(GO_PLATFORM_CERT()).publicKey.export({ type: "spki", format: "pem" }));
  const ring = createPlatformKeyRing({ certificates: [loadCertificate(YANSONGDA_CERT())], publicKeys: [wxpayPublicKey] });

  it("dispatches on the PUB_KEY_ID_ prefix", () => {
    const headers = { ...notify.headers, "Wechatpay-Serial": pubKeyId };
    expect(verifyWxpayV3Message({ headers, body: notify.rawBody, keys: ring, nowMs: FROZEN_NOW }).serial).toBe(pubKeyId);
  });

  it("does not confuse a public key ID with a certificate serial, nor accept an unknown ID", () => {
    expect(ring.find("PUB_KEY_ID_0000000000000024101100397200000007")).toBeUndefined();
    expect(ring.find("25f8aa5452d55497c24ba57dc81b1e5915dc2e77")).toBe(loadCertificate(YANSONGDA_CERT()).publicKey);
  });
});

describe("never the merchant's own certificate", () => {
  it("refuses a platform ring that includes the merchant certificate", () => {
    expect(() =>
      createPlatformKeyRing({ certificates: [loadCertificate(YANSONGDA_CERT())], merchantSerialNo: "25F8AA5452D55497C24BA57DC81B1E5915DC2E77" }),
    ).toThrow(WxpayV3ConfigError);
  });

  it("never returns a key for the merchant serial", () => {
    expect(platformKeys().find("25F8AA5452D55497C24BA57DC81B1E5915DC2E77")).toBeUndefined();
  });
});

describe("V3-9: yansongda callback (CallbackPluginTest.php), raw body with PHP \\/ escapes", () => {
  const callback = YANSONGDA_CALLBACK();
  const input = {
    timestamp: callback.headers["Wechatpay-Timestamp"]!,
    nonce: callback.headers["Wechatpay-Nonce"]!,
    signature: callback.headers["Wechatpay-Signature"]!,
    // Upstream's test maps serial 45F5… to its merchant certificate; that is test wiring, not a pattern.
    publicKey: loadCertificate(YANSONGDA_CERT()).publicKey,
  };

  it("verifies over the exact raw body", () => {
    expect(callback.rawBody).toContain("\\/");
    expect(verifyWxpayV3Signature({ ...input, body: callback.rawBody })).toBe(true);
  });

  it("does not verify over re-serialized JSON", () => {
    const reserialized = JSON.stringify(JSON.parse(callback.rawBody));
    expect(reserialized).not.toBe(callback.rawBody);
    expect(verifyWxpayV3Signature({ ...input, body: reserialized })).toBe(false);
  });
});

describe("verification message shape (wechatpay-go validator_test.go)", () => {
  it("is TIMESTAMP\\nNONCE\\nBODY\\n, and just \\n for an empty body", () => {
    expect(buildVerifyMessage("1624523846", "NONCE1234567890", "BODY").toString()).toBe("1624523846\nNONCE1234567890\nBODY\n");
    expect(buildVerifyMessage("1624523846", "NONCE1234567890", "").toString()).toBe("1624523846\nNONCE1234567890\n\n");
  });

  it("verifies an empty-body (204) response signed by the platform key", () => {
    const signature = signSha256WithRsa(buildVerifyMessage("1624523846", "NONCE1234567890", ""), loadPrivateKey(GO_KEY()));
    const publicKey = loadCertificate(GO_PLATFORM_CERT()).publicKey;
    expect(verifyWxpayV3Signature({ timestamp: "1624523846", nonce: "NONCE1234567890", body: "", signature, publicKey })).toBe(true);
    expect(verifyWxpayV3Signature({ timestamp: "1624523846", nonce: "NONCE1234567890", body: "\n", signature, publicKey })).toBe(false);
  });
});

describe("isTimestampFresh", () => {
  it("takes whole decimal seconds only", () => {
    expect(isTimestampFresh("1624523846", FROZEN_NOW)).toBe(true);
    expect(isTimestampFresh(" 1624523846", FROZEN_NOW)).toBe(false);
    expect(isTimestampFresh("1624523846.0", FROZEN_NOW)).toBe(false);
    expect(isTimestampFresh("1624523846000", FROZEN_NOW)).toBe(false);
    expect(isTimestampFresh("", FROZEN_NOW)).toBe(false);
  });
});
