/**
 * The sandbox's own checks, written from WeChat's pages with node:crypto alone (not the library's code), so
 * a mistake shared by both cannot pass unnoticed.
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 * @see https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
import { createCipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const hmacSha256Hex = (key: string, message: string) => createHmac("sha256", key).update(message).digest("hex");

export function sameHex(expected: string, received: string | null | undefined): boolean {
  return typeof received === "string" && received.length === expected.length && timingSafeEqual(Buffer.from(received.toLowerCase()), Buffer.from(expected));
}

/** sha1 of the parts sorted and joined, the message push's signature and msg_signature. */
export const pushSignature = (...parts: string[]) =>
  createHash("sha1")
    .update([...parts].sort().join(""))
    .digest("hex");

/** random(16) ‖ length(4) ‖ message ‖ appid, padded to 32-byte blocks, AES-256-CBC with IV = key[0..16). */
export function encryptPush(encodingAESKey: string, appId: string, message: string): string {
  const key = Buffer.from(`${encodingAESKey}=`, "base64");
  const text = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  const plain = Buffer.concat([randomBytes(16), length, text, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
}
