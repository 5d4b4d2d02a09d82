import { createHmac } from "node:crypto";
import jsonwebtoken from "jsonwebtoken";

/**
 * The tests' own view of uni-id tokens, independent of the stand-in (which uses jose): a hand-made
 * HMAC signer that can put anything in the header, and jsonwebtoken to verify and decode.
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const HASH: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  const hash = HASH[String(header.alg)] ?? "sha256";
  return `${unsigned}.${createHmac(hash, secret).update(unsigned).digest("base64url")}`;
}

export function verifyJwt(token: string, secret: string, nowMs = Date.now()): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const decoded = jsonwebtoken.verify(token, secret, { algorithms: ["HS256"], complete: true, clockTimestamp: Math.floor(nowMs / 1000) });
  return { header: decoded.header as unknown as Record<string, unknown>, payload: decoded.payload as Record<string, unknown> };
}

export function decodeJwt(token: string): Record<string, any> {
  return jsonwebtoken.decode(token) as Record<string, any>;
}
