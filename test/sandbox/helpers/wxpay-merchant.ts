/**
 * A merchant's side of WeChat Pay v3, written for the tests on node:crypto alone, so the sandbox is checked
 * against an implementation that shares no code with it.
 */
import { createDecipheriv, createSign, createVerify, randomBytes, type KeyLike } from "node:crypto";

export interface MerchantIdentity {
  mchid: string;
  serial: string;
  privateKeyPem: string;
}

export interface SignOverrides {
  timestamp?: number;
  serial?: string;
  mchid?: string;
  privateKeyPem?: string;
  /** The path signed instead of the official one (e.g. with the sandbox prefix). */
  signedPath?: string;
  /** The body signed instead of the one sent. */
  signedBody?: string;
  authorization?: string | null;
  /** Headers sent beside the signed ones (e.g. Wechatpay-Serial); not part of what is signed. */
  headers?: Record<string, string>;
}

export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function authorizationHeader(identity: MerchantIdentity, method: string, canonicalUrl: string, body: string, overrides: SignOverrides = {}): string {
  const timestamp = String(overrides.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString("hex").toUpperCase();
  const message = `${method}\n${overrides.signedPath ?? canonicalUrl}\n${timestamp}\n${nonce}\n${overrides.signedBody ?? body}\n`;
  const signature = createSign("RSA-SHA256")
    .update(message)
    .sign(overrides.privateKeyPem ?? identity.privateKeyPem, "base64");
  // Same order as the official sample; WeChat accepts any.
  return `WECHATPAY2-SHA256-RSA2048 mchid="${overrides.mchid ?? identity.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${overrides.serial ?? identity.serial}"`;
}

/** Calls `<baseUrl><officialTarget>` signed as the merchant would sign `officialTarget`. */
export async function callApi(
  baseUrl: string,
  identity: MerchantIdentity,
  method: "GET" | "POST",
  officialTarget: string,
  body?: unknown,
  overrides: SignOverrides = {},
): Promise<ApiReply> {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "vk-pay-sandbox-test" };
  if (text) headers["content-type"] = "application/json";
  Object.assign(headers, overrides.headers);
  if (overrides.authorization !== null)
    headers.authorization = overrides.authorization ?? authorizationHeader(identity, method, officialTarget, text, overrides);
  const response = await fetch(`${baseUrl}${officialTarget}`, { method, headers, body: text || undefined });
  const replyText = await response.text();
  let json: unknown;
  try {
    json = replyText ? JSON.parse(replyText) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text: replyText, json };
}

/** `TIMESTAMP\nNONCE\nBODY\n` checked against the key the serial names; false when anything is missing. */
export function verifyWechatpaySignature(
  headers: Headers | Record<string, string | string[] | undefined>,
  body: string,
  keysBySerial: Record<string, KeyLike>,
): boolean {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name.toLowerCase()] as string | undefined)) ?? undefined;
  const timestamp = get("Wechatpay-Timestamp");
  const nonce = get("Wechatpay-Nonce");
  const signature = get("Wechatpay-Signature");
  const serial = get("Wechatpay-Serial");
  if (!timestamp || !nonce || !signature || !serial || !keysBySerial[serial]) return false;
  if (Math.abs(Number(timestamp) - Date.now() / 1000) > 300) return false;
  return createVerify("RSA-SHA256").update(`${timestamp}\n${nonce}\n${body}\n`).verify(keysBySerial[serial], signature, "base64");
}

export function decryptResource(resource: { ciphertext: string; nonce: string; associated_data: string }, apiV3Key: string): string {
  const data = Buffer.from(resource.ciphertext, "base64");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(apiV3Key), Buffer.from(resource.nonce));
  decipher.setAAD(Buffer.from(resource.associated_data));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}
