import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeUtf8Strictly } from "../../../../core/utf8";
import { WxpayV3ConfigError, WxpayV3CryptoError, WxpayV3ValidationError } from "./errors";
import type { EncryptedResource } from "./types";

/**
 * AEAD_AES_256_GCM, which protects notification `resource`s and `/v3/certificates` entries: key = the
 * 32-byte APIv3 key, IV = the 12-character `nonce`, AAD = `associated_data`, and base64(ciphertext ‖ tag)
 * with a 16-byte tag.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */

export const WXPAY_V3_RESOURCE_ALGORITHM = "AEAD_AES_256_GCM";

const TAG_BYTES = 16;
const NONCE_BYTES = 12;

export type AesGcmCipher = "aes-128-gcm" | "aes-256-gcm";

const KEY_BYTES: Record<AesGcmCipher, number> = { "aes-128-gcm": 16, "aes-256-gcm": 32 };

export interface AesGcmParams {
  /**
   * Production uses only `aes-256-gcm`; `aes-128-gcm` exists for the wechatpay-go vectors, whose 16-byte
   * test keys make Go pick AES-128 from the key length.
   */
  cipher: AesGcmCipher;
  key: Buffer;
  nonce: string;
  associatedData: string;
}

function checkParams(params: AesGcmParams): Buffer {
  const expected = KEY_BYTES[params.cipher];
  if (expected === undefined) throw new WxpayV3CryptoError("wxpay-v3-unsupported-algorithm", "unsupported AES-GCM variant");
  if (!Buffer.isBuffer(params.key) || params.key.length !== expected) {
    throw new WxpayV3ConfigError("wxpay-v3-invalid-api-v3-key", `${params.cipher} needs a ${expected}-byte key`);
  }
  const nonce = typeof params.nonce === "string" ? Buffer.from(params.nonce, "utf8") : undefined;
  if (!nonce || nonce.length !== NONCE_BYTES) {
    throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", `nonce must be ${NONCE_BYTES} bytes`);
  }
  if (typeof params.associatedData !== "string") {
    throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "associated_data must be a string");
  }
  return nonce;
}

/**
 * The low-level decryption, cipher explicit. Fails with a typed error on any tag mismatch: never garbage.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function decryptAesGcm(params: AesGcmParams & { ciphertext: string }): Buffer {
  const nonce = checkParams(params);
  // Node's base64 decoder skips junk silently; a decoded length short of what the text length promises
  // gives it away (checked after decoding: a regular expression over the text cost more than the cipher).
  const text = params.ciphertext;
  if (typeof text !== "string" || text.length % 4 !== 0) throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "ciphertext is not base64");
  const sealed = Buffer.from(text, "base64");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (sealed.length !== (text.length / 4) * 3 - padding) throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "ciphertext is not base64");
  if (sealed.length <= TAG_BYTES) throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "ciphertext is shorter than its tag");
  const decipher = createDecipheriv(params.cipher, params.key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(params.associatedData, "utf8"));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    // The plaintext is released only after final() has checked the tag.
    return Buffer.concat([body, decipher.final()]);
  } catch {
    throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "AES-GCM tag does not match (wrong key, or tampered ciphertext, nonce or associated_data)");
  }
}

/**
 * The low-level encryption, cipher explicit: base64(ciphertext ‖ tag), the wire form.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function encryptAesGcm(params: AesGcmParams & { plaintext: string | Buffer }): string {
  const nonce = checkParams(params);
  const cipher = createCipheriv(params.cipher, params.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(params.associatedData, "utf8"));
  const plaintext = typeof params.plaintext === "string" ? Buffer.from(params.plaintext, "utf8") : params.plaintext;
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).toString("base64");
}

/**
 * The APIv3 key as cipher key: its 32 bytes as written. A key of any other length is a configuration
 * error, refused before any decryption rather than silently switching to AES-128 or AES-192.
 *
 * @see https://pay.weixin.qq.com/doc/global/v3/en/4012357139
 */
export function toApiV3Key(apiV3Key: string | Buffer): Buffer {
  const key = typeof apiV3Key === "string" ? Buffer.from(apiV3Key, "utf8") : apiV3Key;
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES["aes-256-gcm"]) {
    throw new WxpayV3ConfigError("wxpay-v3-invalid-api-v3-key", "APIv3 key must be exactly 32 bytes");
  }
  return key;
}

function isResource(value: unknown): value is EncryptedResource {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.algorithm === "string" &&
    typeof r.ciphertext === "string" &&
    typeof r.nonce === "string" &&
    (r.associated_data === undefined || typeof r.associated_data === "string")
  );
}

/**
 * Decrypts a notification `resource` or an `encrypt_certificate` to its UTF-8 plaintext (JSON, or a PEM
 * certificate). Only AEAD_AES_256_GCM with a 32-byte key is accepted.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function decryptResource(resource: unknown, apiV3Key: string | Buffer): string {
  const key = toApiV3Key(apiV3Key);
  if (!isResource(resource)) throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "resource is not an encrypted resource object");
  if (resource.algorithm !== WXPAY_V3_RESOURCE_ALGORITHM) {
    throw new WxpayV3CryptoError("wxpay-v3-unsupported-algorithm", `unsupported resource algorithm ${resource.algorithm.slice(0, 32)}`);
  }
  const plaintext = decryptAesGcm({
    cipher: "aes-256-gcm",
    key,
    nonce: resource.nonce,
    associatedData: resource.associated_data ?? "",
    ciphertext: resource.ciphertext,
  });
  // Authenticated bytes, but read strictly all the same: a lossy decoding would not be what WeChat sealed.
  const text = decodeUtf8Strictly(plaintext);
  if (text === undefined) throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "decrypted resource is not valid UTF-8");
  return text;
}

/**
 * {@link decryptResource}, then JSON; a plaintext that is not JSON is a failure, not an empty object.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function decryptResourceJson<T = unknown>(resource: unknown, apiV3Key: string | Buffer): T {
  const text = decryptResource(resource, apiV3Key);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "decrypted resource is not JSON");
  }
}

export interface EncryptResourceInput {
  plaintext: string;
  apiV3Key: string | Buffer;
  /** `transaction`, `refund`, `mch_payment`, `certificate`… also used as `original_type` unless given. */
  associatedData: string;
  originalType?: string;
  /** Injected in tests; 12 random alphanumerics otherwise. */
  nonce?: string;
}

const NONCE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A 12-character alphanumeric nonce, the shape WeChat Pay uses (the IV must never repeat under one key).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function createResourceNonce(): string {
  return Array.from(randomBytes(NONCE_BYTES), (byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join("");
}

/**
 * The direction WeChat Pay takes: the sandbox builds notifications and certificate lists with it.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml
 */
export function encryptResource(input: EncryptResourceInput): EncryptedResource {
  const key = toApiV3Key(input.apiV3Key);
  const nonce = input.nonce ?? createResourceNonce();
  const ciphertext = encryptAesGcm({ cipher: "aes-256-gcm", key, nonce, associatedData: input.associatedData, plaintext: input.plaintext });
  return {
    original_type: input.originalType ?? input.associatedData,
    algorithm: WXPAY_V3_RESOURCE_ALGORITHM,
    ciphertext,
    associated_data: input.associatedData,
    nonce,
  };
}
