import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { SignatureError } from "../../../../core/errors";
import { decodeUtf8Strictly } from "../../../../core/utf8";
import { parseV2Xml, type V2Fields } from "./xml";

/**
 * A refund notification's `req_info`: base64 of AES-256-ECB (PKCS#7) under the lowercase hex MD5 of the
 * API v2 key, used as 32 ASCII bytes. The outer message carries no `sign`; decrypting to a well-formed
 * `<root>` document is the only proof it came from WeChat Pay (ECB has no integrity of its own, which is
 * why the plaintext is parsed strictly and the core still binds the refund to its stored amount).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10 (退款结果通知: 解密步骤)
 */

/** `MD5(key)` as lowercase hex: 32 ASCII characters, themselves the AES-256 key. */
export function reqInfoKeyOf(apiKey: string): Buffer {
  return Buffer.from(createHash("md5").update(apiKey, "utf8").digest("hex"), "ascii");
}

function refuse(message: string): SignatureError {
  return new SignatureError("wxpay-v2-req-info-invalid", message);
}

/**
 * The decrypted `req_info` as text. Any failure (not base64, not whole blocks, bad padding) is a
 * SignatureError: a wrong key and a forged message look the same here.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function decryptReqInfo(reqInfo: string, apiKey: string): string {
  if (typeof reqInfo !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(reqInfo) || reqInfo.length % 4 !== 0) throw refuse("req_info is not base64");
  const ciphertext = Buffer.from(reqInfo, "base64");
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw refuse("req_info is not whole AES blocks");
  let plaintext: Buffer;
  try {
    // Node checks PKCS#7 padding itself (setAutoPadding defaults to true) and throws on a bad one.
    const decipher = createDecipheriv("aes-256-ecb", reqInfoKeyOf(apiKey), null);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw refuse("req_info cannot be decrypted with this merchant's key");
  }
  // ECB proves nothing by itself: the plaintext must be exactly UTF-8, never a lossy reading of other bytes.
  const text = decodeUtf8Strictly(plaintext);
  if (text === undefined) throw refuse("decrypted req_info is not valid UTF-8");
  return text;
}

/** The decrypted `req_info` as fields of its `<root>` element. */
export function decryptReqInfoFields(reqInfo: string, apiKey: string): V2Fields {
  const plaintext = decryptReqInfo(reqInfo, apiKey);
  try {
    return parseV2Xml(plaintext, "root");
  } catch {
    throw refuse("decrypted req_info is not a <root> document");
  }
}

/**
 * The inverse, for the sandbox and tests playing WeChat Pay.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10
 */
export function encryptReqInfo(plaintext: string, apiKey: string): string {
  const cipher = createCipheriv("aes-256-ecb", reqInfoKeyOf(apiKey), null);
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}
