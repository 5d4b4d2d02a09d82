import { SignJWT } from "jose";

/**
 * Tokens minted by an independent JWT implementation in uni-id-common's format, so the router's
 * token layer is checked against the format, not against itself.
 */
export async function mintToken(secret: string, claims: { uid: string; role?: string[]; expiresInSeconds?: number; issuedAt?: number }): Promise<string> {
  const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ uid: claims.uid, role: claims.role ?? [], permission: [], uniIdVersion: "1.0.19" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.expiresInSeconds ?? 7200))
    .sign(new TextEncoder().encode(secret));
}

export const TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef";

export const UNI_ID_TEST_CONFIG = { tokenSecret: TEST_SECRET, tokenExpiresIn: 7200, tokenExpiresThreshold: 1200, maxTokenLength: 10 };
