import jwt from "jsonwebtoken";
import { UniIdError } from "./errors";
import type { TokenPayload, VerifiedPayload } from "./types";

/** The version stamped into tokens; ≥ 1.0.10 means refresh checks the user's `token` list. */
export const UNI_ID_VERSION = "1.0.19";

/** Only HS256 is ever accepted, so `alg: none` and algorithm-confusion tokens fail before any claim is read. */
const ALGORITHMS: jwt.Algorithm[] = ["HS256"];

export function signToken(claims: { uid: string; role: string[]; permission: string[] } & Record<string, unknown>, secret: string, iat: number, expiresIn: number): { token: string; payload: TokenPayload } {
  // iat/exp come from the injected clock, so they are set here rather than by jsonwebtoken's Date.now().
  const payload: TokenPayload = { ...claims, uniIdVersion: UNI_ID_VERSION, iat, exp: iat + expiresIn };
  const token = jwt.sign(payload, secret, { algorithm: "HS256", header: { alg: "HS256", typ: "JWT" } });
  return { token, payload };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Signature first (jsonwebtoken), then the claims uni-id relies on. `role`/`permission` may be absent in
 * tokens from older versions (the caller then reads them from the database) but never malformed.
 * @see https://doc.dcloud.net.cn/uniCloud/uni-id/cloud-api.html#check-token
 */
export function verifyToken(token: unknown, secret: string, nowSeconds: number): VerifiedPayload {
  if (typeof token !== "string" || token === "") throw new UniIdError("uni-id-check-token-failed");
  let decoded: jwt.Jwt;
  try {
    decoded = jwt.verify(token, secret, { algorithms: ALGORITHMS, complete: true, clockTimestamp: nowSeconds });
  } catch (error) {
    // Only a correctly signed token can be reported as expired; anything else is simply invalid.
    if (error instanceof jwt.TokenExpiredError) throw new UniIdError("uni-id-token-expired");
    throw new UniIdError("uni-id-check-token-failed");
  }
  const { header, payload } = decoded;
  if (header.typ !== "JWT" || payload === null || typeof payload !== "object") throw new UniIdError("uni-id-check-token-failed");
  const claims = payload as Record<string, unknown>;
  if (typeof claims.uid !== "string" || claims.uid === "") throw new UniIdError("uni-id-check-token-failed");
  // jsonwebtoken only enforces exp when present: a token without one would never expire.
  if (typeof claims.exp !== "number" || typeof claims.iat !== "number") throw new UniIdError("uni-id-check-token-failed");
  if (claims.role !== undefined && !isStringArray(claims.role)) throw new UniIdError("uni-id-check-token-failed");
  if (claims.permission !== undefined && !isStringArray(claims.permission)) throw new UniIdError("uni-id-check-token-failed");
  return claims as VerifiedPayload;
}

/** `a.b.c` ordering; tokens without a version predate the token list. */
export function versionAtLeast(version: unknown, minimum: string): boolean {
  if (typeof version !== "string") return false;
  const have = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  const want = minimum.split(".").map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i];
  }
  return true;
}
