import { ConfigError, SignatureError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import { respond } from "../../common/vk-uni-pay/src/core/result";
import {
  decryptResource,
  isWxpayV3Error,
  loadPrivateKey,
  parseAuthorization,
  WxpayV3ConfigError,
  WxpayV3CryptoError,
  WxpayV3SignatureError,
  WxpayV3ValidationError,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";

describe("protocol errors in the core hierarchy", () => {
  it("places each class under its core kind", () => {
    expect(new WxpayV3SignatureError("wxpay-v3-signature-invalid", "x")).toBeInstanceOf(SignatureError);
    expect(new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "x")).toBeInstanceOf(SignatureError);
    expect(new WxpayV3ConfigError("wxpay-v3-invalid-key", "x")).toBeInstanceOf(ConfigError);
    expect(new WxpayV3ValidationError("wxpay-v3-invalid-input", "x")).toBeInstanceOf(ValidationError);
    expect(isWxpayV3Error(new SignatureError("other", "x"))).toBe(false);
  });

  it("maps once at the boundary to { code, msg, errCode } without leaking key material", async () => {
    const signature = await respond(
      "notify",
      async () => parseAuthorization("Basic abc"),
      () => undefined,
    );
    expect(signature).toMatchObject({ code: 4001, errCode: "vk-pay-wxpay-v3-authorization-malformed" });

    const crypto = await respond(
      "notify",
      async () =>
        decryptResource(
          { algorithm: "AEAD_AES_256_GCM", nonce: "uluk4a9R25RW", associated_data: "x", ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=" },
          "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb",
        ),
      () => undefined,
    );
    expect(crypto).toMatchObject({ code: 4001, errCode: "vk-pay-wxpay-v3-decrypt-failed" });
    expect(JSON.stringify(crypto)).not.toContain("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb");

    const secretish = "-----BEGIN PRIVATE KEY-----\nTOPSECRETTOPSECRET\n-----END PRIVATE KEY-----";
    const config = await respond(
      "create",
      async () => loadPrivateKey(secretish),
      () => undefined,
    );
    expect(config).toMatchObject({ code: 100, errCode: "vk-pay-wxpay-v3-invalid-key" });
    expect(JSON.stringify(config)).not.toContain("TOPSECRET");
  });
});
