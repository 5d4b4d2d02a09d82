import { createSecretKey, type KeyObject } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { UniIdError } from "./errors";
import type { TokenPayload, VerifiedPayload } from "./types";

/** The version stamped into tokens; ≥ 1.0.10 means refresh checks the user's `token` list. */
export const UNI_ID_VERSION = "1.0.19";

/** Only HS256 is ever accepted, so `alg: none` and algorithm-confusion tokens fail before any claim is read. */
const ALGORITHMS = ["HS256"];

const keys = new Map<string, KeyObject>();

/** The secret as a key object, made once per secret (a process may serve several app configs). */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}

export async function signToken(
  claims: { uid: string; role: string[]; permission: string[] } & Record<string, unknown>,
  secret: string,
  iat: number,
  expiresIn: number,
): Promise<{ token: string; payload: TokenPayload }> {
  // iat/exp come from the injected clock, so they are part of the payload rather than set by the library.
  const payload: TokenPayload = { ...claims, uniIdVersion: UNI_ID_VERSION, iat, exp: iat + expiresIn };
  const token = await new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(keyOf(secret));
  return { token, payload };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Signature first (jose), then the claims uni-id relies on. `role`/`permission` may be absent in tokens
 * from older versions (the caller then reads them from the database) but never malformed.
 * @see https://doc.dcloud.net.cn/uniCloud/uni-id/cloud-api.html#check-token
 */
export async function verifyToken(token: unknown, secret: string, nowSeconds: number): Promise<VerifiedPayload> {
  if (typeof token !== "string" || token === "") throw new UniIdError("uni-id-check-token-failed");
  let verified;
  try {
    verified = await jwtVerify(token, keyOf(secret), { algorithms: ALGORITHMS, currentDate: new Date(nowSeconds * 1000), requiredClaims: ["exp", "iat"] });
  } catch (error) {
    // Only a correctly signed token can be reported as expired; anything else is simply invalid.
    if (error instanceof errors.JWTExpired) throw new UniIdError("uni-id-token-expired");
    throw new UniIdError("uni-id-check-token-failed");
  }
  const { protectedHeader, payload } = verified;
  if (protectedHeader.typ !== "JWT") throw new UniIdError("uni-id-check-token-failed");
  const claims = payload as Record<string, unknown>;
  if (typeof claims.uid !== "string" || claims.uid === "") throw new UniIdError("uni-id-check-token-failed");
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
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  }
  return true;
}
