import { createSign, createVerify, randomBytes, type KeyObject } from "node:crypto";

/**
 * 通用交易系统's two signatures, both SHA256withRSA (PKCS#1 v1.5) in base64:
 *
 * - the client's order data for `tt.requestOrder`, signed with the app private key over five lines, each
 *   ending in `\n`: `POST`, `/requestOrder`, the timestamp, the nonce and the data JSON, carried in
 *   `byteAuthorization` as `SHA256-RSA2048 appid=…,nonce_str=…,timestamp=…,key_version=…,signature=…`;
 * - Douyin's callbacks, verified with the platform public key over `<Byte-Timestamp>\n<Byte-Nonce-Str>\n<raw body>\n`.
 *
 * The official page does not settle two details of `byteAuthorization` (UNSETTLED): whether its values are
 * quoted (its Java sample appears to leave them bare, as does uktyia100/gopay's douyin/order.go; other
 * integrations quote them) and whether the timestamp is in seconds or milliseconds (samples differ). We
 * send bare values and seconds; our parser and our sandbox accept both forms of each.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/signature-algorithm
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/request-order-data-sign
 */

export const REQUEST_ORDER_PATH = "/requestOrder";

export interface ByteAuthorizationParts {
  appId: string;
  nonceStr: string;
  /** As it appears in the header and the signed string. */
  timestamp: string;
  keyVersion: string;
  signature: string;
}

/** The five lines the signature covers, each ending in `\n`. */
export function requestOrderSigningString(timestamp: string, nonceStr: string, data: string, method = "POST", path = REQUEST_ORDER_PATH): string {
  return `${method}\n${path}\n${timestamp}\n${nonceStr}\n${data}\n`;
}

export function signRequestOrder(
  data: string,
  privateKey: KeyObject,
  parts: { appId: string; keyVersion: string; timestamp: string; nonceStr: string },
): string {
  const signature = createSign("RSA-SHA256")
    .update(requestOrderSigningString(parts.timestamp, parts.nonceStr, data))
    .sign(privateKey, "base64");
  return formatByteAuthorization({ ...parts, signature });
}

export function formatByteAuthorization(parts: ByteAuthorizationParts): string {
  return `SHA256-RSA2048 appid=${parts.appId},nonce_str=${parts.nonceStr},timestamp=${parts.timestamp},key_version=${parts.keyVersion},signature=${parts.signature}`;
}

/**
 * Reads a `byteAuthorization` back, with or without quotes around its values (UNSETTLED on the official
 * page, see above); undefined when it is not one. Base64 signatures may end in `=`, so a value runs to the
 * next comma.
 */
export function parseByteAuthorization(header: string): ByteAuthorizationParts | undefined {
  const match = /^SHA256-RSA2048 (.+)$/.exec(header.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const item of match[1]!.split(",")) {
    const at = item.indexOf("=");
    if (at <= 0) return undefined;
    const name = item.slice(0, at).trim();
    let value = item.slice(at + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (fields.has(name)) return undefined;
    fields.set(name, value);
  }
  const appId = fields.get("appid");
  const nonceStr = fields.get("nonce_str");
  const timestamp = fields.get("timestamp");
  const keyVersion = fields.get("key_version");
  const signature = fields.get("signature");
  if (!appId || !nonceStr || !timestamp || !keyVersion || !signature) return undefined;
  return { appId, nonceStr, timestamp, keyVersion, signature };
}

export function verifyRequestOrder(data: string, parts: ByteAuthorizationParts, publicKey: KeyObject): boolean {
  return verifyBase64(requestOrderSigningString(parts.timestamp, parts.nonceStr, data), parts.signature, publicKey);
}

/** A nonce of letters and digits, as the official samples use. */
export function newNonce(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}

/** `<Byte-Timestamp>\n<Byte-Nonce-Str>\n<raw body>\n`: the whole raw body, never its `msg` alone. */
export function callbackSigningString(timestamp: string, nonce: string, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, "utf8"), Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"), Buffer.from("\n")]);
}

/**
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 */
export function signDouyinCallback(timestamp: string, nonce: string, body: Buffer | string, privateKey: KeyObject): string {
  return createSign("RSA-SHA256")
    .update(callbackSigningString(timestamp, nonce, body))
    .sign(privateKey, "base64");
}

export function verifyDouyinCallback(timestamp: string, nonce: string, body: Buffer, signature: string, publicKey: KeyObject): boolean {
  return verifyBase64(callbackSigningString(timestamp, nonce, body), signature, publicKey);
}

function verifyBase64(text: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify("RSA-SHA256").update(text).verify(publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
