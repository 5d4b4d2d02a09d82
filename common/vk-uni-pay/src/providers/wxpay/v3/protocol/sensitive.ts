import { constants, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import { WxpayV3CryptoError, WxpayV3ValidationError } from "./errors";

/**
 * Sensitive request fields (e.g. `user_name` in transfers) are RSA-OAEP encrypted with the WeChat Pay
 * platform certificate or public key, whose serial or `PUB_KEY_ID_` then goes in `Wechatpay-Serial`.
 * WeChat Pay specifies OAEP with SHA-1 and MGF1-SHA-1 (Java `OAEPWithSHA-1AndMGF1Padding`).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_3.shtml
 * @see https://pay.weixin.qq.com/docs/partner/development/interface-rules/sensitive-data-encryption.html
 */

/**
 * Encrypts one field for WeChat Pay; base64 output. OAEP is randomized, so only round trips are testable.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_3.shtml
 */
export function encryptSensitiveField(plaintext: string, publicKey: KeyObject): string {
  if (typeof plaintext !== "string" || plaintext === "") {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "sensitive field must be a non-empty string");
  }
  try {
    return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(plaintext, "utf8")).toString("base64");
  } catch {
    // RSA-2048 with OAEP-SHA1 holds at most 214 bytes; the field is the problem, not the key.
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "sensitive field is too long to encrypt");
  }
}

/**
 * Decrypts an OAEP field with the matching private key: the sandbox reading what a merchant sent, or a
 * merchant reading a field WeChat Pay encrypted with the merchant certificate.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_3.shtml
 */
export function decryptSensitiveField(ciphertext: string, privateKey: KeyObject): string {
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(ciphertext, "base64")).toString("utf8");
  } catch {
    throw new WxpayV3CryptoError("wxpay-v3-decrypt-failed", "sensitive field does not decrypt with this key");
  }
}
