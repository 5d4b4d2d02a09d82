import { createCipheriv, createDecipheriv } from "node:crypto";
import { loadPayConfig } from "../core/config";
import { ConfigError, ValidationError } from "../core/errors";

/**
 * `vkPay.crypto.aes`: vk-uni-pay's cross-language format for handing data to another function or a
 * Java/PHP back end — AES-256-ECB, PKCS#7 padding, base64, keyed by `notifyKey` cut to 32 characters.
 * ECB is what the other side implements; the data is a notification already verified here.
 */
function keyOf(notifyKey: unknown): Buffer {
  if (typeof notifyKey !== "string" || notifyKey.length < 32) throw new ConfigError("notify-key-missing", "请在 uni-pay/config.js 中配置至少32位的 notifyKey");
  return Buffer.from(notifyKey.slice(0, 32), "utf8");
}

export function encrypt({ data }: { data: unknown }, notifyKey: unknown = loadPayConfig().notifyKey): string {
  const cipher = createCipheriv("aes-256-ecb", keyOf(notifyKey), null);
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return Buffer.concat([cipher.update(text, "utf8"), cipher.final()]).toString("base64");
}

/** Throws on a wrong key or damaged text, as vk-uni-pay's does; JSON comes back parsed. */
export function decrypt({ data }: { data: string }, notifyKey: unknown = loadPayConfig().notifyKey): unknown {
  if (typeof data !== "string" || !data) throw new ValidationError(-1, "data-invalid", "data必须是加密后的字符串");
  const decipher = createDecipheriv("aes-256-ecb", keyOf(notifyKey), null);
  const text = Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
