import {
  decryptAesGcm,
  decryptResource,
  decryptResourceJson,
  encryptAesGcm,
  encryptResource,
  WxpayV3ConfigError,
  WxpayV3CryptoError,
  WxpayV3ValidationError,
  type EncryptedResource,
  type WxpayV3ErrorCode,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { GO_NOTIFY } from "./fixtures";

// V3-6: wechatpay-java AeadAesCipherTest (both directions).
const V3_6 = {
  key: "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb",
  nonce: "uluk4a9R25RW",
  aad: "associatedData",
  plaintext: "message",
  ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
};
// V3-8: gopay wechat/v3/encrypt_decrypt_test.go input; plaintext confirmed in protocols.md §2.4.
const V3_8 = {
  key: "Cj5xC9RXf0GFCKWeD9PyY1ZWLgionbvx",
  nonce: "gopaynonce12",
  aad: "transaction",
  ciphertext: "O9EOFzUdQESzEGqSo511CbQmt7ZlPuX/yg8n+agktdns0kFG2L0BCg==",
  plaintext: "我是要加密的数据",
};
// wechatpay-go utils/aes_test.go: a 16-byte key, so AES-128-GCM (protocols.md §2.4 caveat).
const GO_AES = {
  key: "testAPIv3Key0000",
  nonce: "wCq51qZv4Yfg",
  aad: "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
  ciphertext: "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC",
  plaintext: "Hello World",
};

function resourceOf(v: { nonce: string; aad: string; ciphertext: string }): EncryptedResource {
  return { algorithm: "AEAD_AES_256_GCM", nonce: v.nonce, associated_data: v.aad, ciphertext: v.ciphertext, original_type: "transaction" };
}

function codeOf(run: () => unknown): WxpayV3ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    return (error as { reason?: WxpayV3ErrorCode }).reason;
  }
  return undefined;
}

function flipBase64Byte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[(index + bytes.length) % bytes.length] ^= 0x01;
  return bytes.toString("base64");
}

describe("V3-6: wechatpay-java AeadAesCipherTest", () => {
  it("decrypts", () => {
    expect(decryptResource(resourceOf(V3_6), V3_6.key)).toBe(V3_6.plaintext);
  });

  it("encrypts to the same ciphertext with the same nonce", () => {
    const resource = encryptResource({ plaintext: V3_6.plaintext, apiV3Key: V3_6.key, associatedData: V3_6.aad, nonce: V3_6.nonce });
    expect(resource).toEqual({
      original_type: V3_6.aad,
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: V3_6.ciphertext,
      associated_data: V3_6.aad,
      nonce: V3_6.nonce,
    });
  });
});

describe("V3-8: gopay", () => {
  it("decrypts to the UTF-8 plaintext", () => {
    expect(decryptResource(resourceOf(V3_8), V3_8.key)).toBe(V3_8.plaintext);
  });
});

describe("AES-128-GCM vectors through the low-level function only", () => {
  it("decrypts the wechatpay-go aes_test.go vector with aes-128-gcm", () => {
    expect(
      decryptAesGcm({
        cipher: "aes-128-gcm",
        key: Buffer.from(GO_AES.key),
        nonce: GO_AES.nonce,
        associatedData: GO_AES.aad,
        ciphertext: GO_AES.ciphertext,
      }).toString(),
    ).toBe(GO_AES.plaintext);
    expect(
      encryptAesGcm({ cipher: "aes-128-gcm", key: Buffer.from(GO_AES.key), nonce: GO_AES.nonce, associatedData: GO_AES.aad, plaintext: GO_AES.plaintext }),
    ).toBe(GO_AES.ciphertext);
  });

  it("V3-5: decrypts the wechatpay-go notify resource with aes-128-gcm", () => {
    const notify = GO_NOTIFY();
    const { resource } = JSON.parse(notify.rawBody) as { resource: EncryptedResource };
    const plaintext = decryptAesGcm({
      cipher: "aes-128-gcm",
      key: Buffer.from(notify.apiV3Key),
      nonce: resource.nonce,
      associatedData: resource.associated_data ?? "",
      ciphertext: resource.ciphertext,
    });
    expect(plaintext.toString("utf8")).toBe(notify.expectedPlaintext);
    expect(resource.associated_data).toBe("payscore");
  });

  it("refuses the 16-byte key in the production decryptor, before any decryption", () => {
    const notify = GO_NOTIFY();
    const { resource } = JSON.parse(notify.rawBody) as { resource: EncryptedResource };
    expect(() => decryptResource(resource, notify.apiV3Key)).toThrow(WxpayV3ConfigError);
    expect(codeOf(() => decryptResource(resource, notify.apiV3Key))).toBe("wxpay-v3-invalid-api-v3-key");
    expect(codeOf(() => decryptResource(resourceOf(V3_6), `${V3_6.key}x`))).toBe("wxpay-v3-invalid-api-v3-key");
    expect(codeOf(() => decryptResource(resourceOf(V3_6), Buffer.alloc(24)))).toBe("wxpay-v3-invalid-api-v3-key");
  });

  it("checks the key length against the cipher in the low-level function too", () => {
    expect(
      codeOf(() =>
        decryptAesGcm({ cipher: "aes-256-gcm", key: Buffer.from(GO_AES.key), nonce: GO_AES.nonce, associatedData: GO_AES.aad, ciphertext: GO_AES.ciphertext }),
      ),
    ).toBe("wxpay-v3-invalid-api-v3-key");
  });
});

describe("tampering fails with a typed error, never garbage", () => {
  const cases: Array<[string, (r: EncryptedResource) => EncryptedResource]> = [
    ["a ciphertext byte", (r) => ({ ...r, ciphertext: flipBase64Byte(r.ciphertext, 0) })],
    ["a tag byte", (r) => ({ ...r, ciphertext: flipBase64Byte(r.ciphertext, -1) })],
    ["the associated data", (r) => ({ ...r, associated_data: "associatedDatb" })],
    ["empty associated data", (r) => ({ ...r, associated_data: "" })],
    ["the nonce", (r) => ({ ...r, nonce: "uluk4a9R25RX" })],
    ["a truncated tag", (r) => ({ ...r, ciphertext: Buffer.from(r.ciphertext, "base64").subarray(0, -1).toString("base64") })],
  ];

  it.each(cases)("tampered %s", (_what, tamper) => {
    let caught: unknown;
    try {
      decryptResource(tamper(resourceOf(V3_6)), V3_6.key);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WxpayV3CryptoError);
    expect((caught as WxpayV3CryptoError).reason).toBe("wxpay-v3-decrypt-failed");
  });

  it("refuses the wrong APIv3 key", () => {
    expect(codeOf(() => decryptResource(resourceOf(V3_6), V3_8.key))).toBe("wxpay-v3-decrypt-failed");
  });

  it("refuses nonces of other lengths, non-base64 and too-short ciphertexts", () => {
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), nonce: "uluk4a9R25R" }, V3_6.key))).toBe("wxpay-v3-decrypt-failed");
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), nonce: "uluk4a9R25RWx" }, V3_6.key))).toBe("wxpay-v3-decrypt-failed");
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), ciphertext: `${V3_6.ciphertext.slice(0, -4)}!!!=` }, V3_6.key))).toBe("wxpay-v3-decrypt-failed");
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), ciphertext: Buffer.alloc(16).toString("base64") }, V3_6.key))).toBe("wxpay-v3-decrypt-failed");
  });

  it("refuses algorithms other than AEAD_AES_256_GCM", () => {
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), algorithm: "AEAD_AES_128_GCM" }, V3_6.key))).toBe("wxpay-v3-unsupported-algorithm");
    expect(codeOf(() => decryptResource({ ...resourceOf(V3_6), algorithm: "aead_aes_256_gcm" }, V3_6.key))).toBe("wxpay-v3-unsupported-algorithm");
  });

  it("refuses something that is not a resource", () => {
    expect(() => decryptResource({ ciphertext: 1 }, V3_6.key)).toThrow(WxpayV3ValidationError);
    expect(() => decryptResource(null, V3_6.key)).toThrow(WxpayV3ValidationError);
  });
});

describe("JSON resources", () => {
  const key = "0123456789abcdef0123456789abcdef";

  it("round-trips a transaction the way the sandbox will send it", () => {
    const transaction = { mchid: "1230000109", out_trade_no: "T1", trade_state: "SUCCESS", amount: { total: 100 } };
    const resource = encryptResource({ plaintext: JSON.stringify(transaction), apiV3Key: key, associatedData: "transaction" });
    expect(resource.nonce).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(decryptResourceJson(resource, key)).toEqual(transaction);
  });

  it("treats an absent associated_data as empty", () => {
    const resource = encryptResource({ plaintext: "{}", apiV3Key: key, associatedData: "" });
    const { associated_data: _aad, ...withoutAad } = resource;
    expect(decryptResourceJson(withoutAad, key)).toEqual({});
  });

  it("refuses a plaintext that is not JSON", () => {
    const resource = encryptResource({ plaintext: "not json", apiV3Key: key, associatedData: "transaction" });
    expect(codeOf(() => decryptResourceJson(resource, key))).toBe("wxpay-v3-decrypt-failed");
  });

  it("refuses a sealed plaintext that is not valid UTF-8, rather than reading it lossily", () => {
    const sealed = encryptAesGcm({
      cipher: "aes-256-gcm",
      key: Buffer.from(key, "utf8"),
      nonce: "uluk4a9R25RW",
      associatedData: "transaction",
      plaintext: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    });
    const resource: EncryptedResource = {
      algorithm: "AEAD_AES_256_GCM",
      nonce: "uluk4a9R25RW",
      associated_data: "transaction",
      ciphertext: sealed,
      original_type: "transaction",
    };
    expect(codeOf(() => decryptResource(resource, key))).toBe("wxpay-v3-decrypt-failed");
  });
});
