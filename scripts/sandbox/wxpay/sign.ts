/**
 * WeChat Pay API v3 signatures and AEAD, written independently of the library so the sandbox checks what
 * the library sends instead of agreeing with it by construction.
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012365336 (签名生成)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml (签名验证)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_2.shtml (证书和回调报文解密)
 */
import { createCipheriv, createSign, createVerify, randomBytes, type KeyLike } from "node:crypto";

export const AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048";

export interface AuthorizationParams {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

const AUTH_FIELDS = ["mchid", "nonce_str", "signature", "timestamp", "serial_no"] as const;

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",...`; the parameter order is free, as WeChat accepts. */
export function parseAuthorization(header: string | undefined): AuthorizationParams | { error: string } {
  if (!header) return { error: "Authorization header missing" };
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return { error: `Authorization scheme must be ${AUTH_SCHEME}` };
  const params: Record<string, string> = {};
  const pattern = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  const rest = header.slice(space + 1);
  let consumed = 0;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    params[match[1]] = match[2];
    consumed = pattern.lastIndex;
  }
  if (consumed !== rest.length) return { error: "Authorization parameters are malformed" };
  for (const field of AUTH_FIELDS) {
    if (!params[field]) return { error: `Authorization lacks ${field}` };
  }
  return params as unknown as AuthorizationParams;
}

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`: what the merchant signs for each request. */
export function requestMessage(method: string, canonicalUrl: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${canonicalUrl}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nBODY\n`: what WeChat signs for responses and notifications. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

export function signSha256Rsa(message: string, privateKey: KeyLike): string {
  return createSign("RSA-SHA256").update(message).sign(privateKey, "base64");
}

export function verifySha256Rsa(message: string, signature: string, publicKey: KeyLike): boolean {
  // A bad base64 or key must read as "not verified", never throw into the request handler.
  try {
    return createVerify("RSA-SHA256").update(message).verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

export interface EncryptedResource {
  algorithm: "AEAD_AES_256_GCM";
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

/** AEAD_AES_256_GCM as WeChat encrypts: key = the 32-byte APIv3 key, IV = a 12-character nonce, tag appended. */
export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string): EncryptedResource {
  const nonce = randomNonce(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: "AEAD_AES_256_GCM", ciphertext: body.toString("base64"), associated_data: associatedData, nonce };
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomNonce(length = 32): string {
  return Array.from(randomBytes(length), (byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join("");
}
