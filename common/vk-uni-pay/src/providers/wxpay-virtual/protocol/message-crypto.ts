import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Mini-program message push (消息推送), the channel xpay's notifications arrive on.
 * - The GET check and plain-mode pushes are signed with sha1 over the sorted strings [token, timestamp, nonce].
 * - Safe mode adds `msg_signature`, sha1 over the sorted [token, timestamp, nonce, Encrypt]; the page says
 *   not to verify safe-mode pushes with `signature`.
 * - `Encrypt` is AES-256-CBC with key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, and
 *   PKCS#7 padding to 32-byte blocks (not AES's 16); the plaintext is random(16) ‖ length(4, big-endian)
 *   ‖ message ‖ appid, and the appid must be ours.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */

/** A push that fails any check: its reason is for the log (English), never a client. */
export class MessagePushError extends Error {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
    this.name = "MessagePushError";
  }
}

const BLOCK = 32;

/** sha1 of the strings sorted as strings and joined: the `signature` (3 parts) or `msg_signature` (4 parts). */
export function messageSignature(token: string, timestamp: string, nonce: string, encrypt?: string): string {
  const parts = encrypt === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypt];
  return createHash("sha1").update(parts.sort().join(""), "utf8").digest("hex");
}

/**
 * The strings a signature covers with the token left out, sorted and joined the same way: what the
 * notification log hashes, since the signed text itself holds the token.
 */
export function messageSignedParts(timestamp: string, nonce: string, encrypt?: string): string {
  return (encrypt === undefined ? [timestamp, nonce] : [timestamp, nonce, encrypt]).sort().join("");
}

/** Constant-time check of a received sha1 signature. */
export function sameMessageSignature(expected: string, received: unknown): boolean {
  if (typeof received !== "string" || !/^[0-9a-f]{40}$/i.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected, "utf8"), Buffer.from(received.toLowerCase(), "utf8"));
}

/** The 32-byte AES key an EncodingAESKey (43 characters of base64) stands for. */
export function messageAesKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAESKey)) throw new MessagePushError("aes-key-invalid", "EncodingAESKey must be 43 base64 characters");
  const key = Buffer.from(`${encodingAESKey}=`, "base64");
  if (key.length !== 32) throw new MessagePushError("aes-key-invalid", "EncodingAESKey does not decode to 32 bytes");
  return key;
}

/** Decrypts `Encrypt` and checks that the appid it ends with is `appId`; answers the message. */
export function decryptMessage(encodingAESKey: string, encrypt: string, appId: string): string {
  const key = messageAesKey(encodingAESKey);
  const compact = encrypt.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new MessagePushError("encrypt-malformed", "Encrypt is not base64");
  const cipherText = Buffer.from(compact, "base64");
  if (cipherText.length === 0 || cipherText.length % BLOCK !== 0)
    throw new MessagePushError("encrypt-malformed", "Encrypt is not a whole number of 32-byte blocks");
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    throw new MessagePushError("decrypt-failed", "Encrypt does not decrypt");
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || !plain.subarray(plain.length - pad).every((byte) => byte === pad)) {
    throw new MessagePushError("padding-invalid", "Encrypt has no valid 32-byte PKCS#7 padding");
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw new MessagePushError("encrypt-malformed", "decrypted content is too short");
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) throw new MessagePushError("encrypt-malformed", "decrypted length exceeds the content");
  const sender = content.subarray(20 + length).toString("utf8");
  if (sender !== appId) throw new MessagePushError("appid-mismatch", `the push was encrypted for app ${sender.slice(0, 32)}, not ours`);
  return content.subarray(20, 20 + length).toString("utf8");
}

/** Encrypts a message for `appId` (the sandbox's pushes, and an encrypted reply); `random` is 16 bytes. */
export function encryptMessage(encodingAESKey: string, appId: string, message: string, random: Buffer = randomBytes(16)): string {
  const key = messageAesKey(encodingAESKey);
  if (random.length !== 16) throw new MessagePushError("random-invalid", "the random prefix must be 16 bytes");
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const content = Buffer.concat([random, length, body, Buffer.from(appId, "utf8")]);
  const pad = BLOCK - (content.length % BLOCK);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
}

/** The safe-mode encrypted reply package: `{Encrypt, MsgSignature, TimeStamp, Nonce}` (Nonce echoes the push's). */
export interface EncryptedReply {
  Encrypt: string;
  MsgSignature: string;
  TimeStamp: number;
  Nonce: string;
}

export function encryptReply(
  keys: { token: string; encodingAESKey: string; appId: string },
  message: string,
  at: { timestamp: number; nonce: string; random?: Buffer },
): EncryptedReply {
  const Encrypt = encryptMessage(keys.encodingAESKey, keys.appId, message, at.random);
  return { Encrypt, MsgSignature: messageSignature(keys.token, String(at.timestamp), at.nonce, Encrypt), TimeStamp: at.timestamp, Nonce: at.nonce };
}
