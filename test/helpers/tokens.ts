import { signJwt } from "./jwt";

/**
 * Tokens minted by the tests' own HS256 signer in uni-id-common's format, so the router's token layer
 * is checked against the format, not against itself.
 */
export async function mintToken(secret: string, claims: { uid: string; role?: string[]; expiresInSeconds?: number; issuedAt?: number }): Promise<string> {
  const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  return signJwt(
    { alg: "HS256", typ: "JWT" },
    { uid: claims.uid, role: claims.role ?? [], permission: [], uniIdVersion: "1.0.19", iat, exp: iat + (claims.expiresInSeconds ?? 7200) },
    secret,
  );
}

export const TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef";

export const UNI_ID_TEST_CONFIG = { tokenSecret: TEST_SECRET, tokenExpiresIn: 7200, tokenExpiresThreshold: 1200, maxTokenLength: 10 };
