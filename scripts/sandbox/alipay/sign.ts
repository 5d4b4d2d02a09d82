/**
 * Alipay OpenAPI RSA2 signing, written independently of the library so the sandbox checks what the
 * library sends instead of agreeing with it by construction.
 * @see https://opendocs.alipay.com/common/02kf5q (自行实现签名)
 * @see https://opendocs.alipay.com/common/02mse7 (自行实现验签)
 */
import { createSign, createVerify, type KeyLike } from "node:crypto";

/**
 * `k=v&…` over the non-empty parameters in ASCII key order, values raw (not URL-encoded). Requests keep
 * `sign_type` in the signed text; notifications leave it out (`exclude`).
 */
export function signContent(params: Record<string, string>, exclude: readonly string[] = ["sign"]): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

export function signRsa2(content: string, privateKey: KeyLike): string {
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKey, "base64");
}

export function verifyRsa2(content: string, signature: string, publicKey: KeyLike): boolean {
  // A malformed signature or key reads as "not verified", never as a crash of the gateway.
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

/**
 * JSON as Alipay's gateway writes it: `/` escaped as `\/`. The signature covers these exact characters,
 * so a client that re-serialises the response before verifying fails, as it would against Alipay.
 */
export function alipayJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, "\\/");
}
