import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

/**
 * RSA keys as merchants paste them into uni-pay/config.js — PEM (PKCS#8 or PKCS#1, SPKI, or a
 * certificate) or the bare base64 body a key tool shows — parsed once per process for every provider.
 * A PEM parse costs far more than a signature, so parses are cached by the SHA-256 of their input: the
 * same content parses once, a rotated key parses again. Which key is trusted is configuration's business.
 */
export type KeyMaterial = string | Buffer;

/** Thrown with a developer-facing reason; each provider turns it into its own config error. */
export class KeyParseError extends Error {}

// Bounded so a process that sees many rotated keys and certificates cannot grow without limit.
const CACHE_LIMIT = 512;
const cache = new Map<string, unknown>();

export function cachedParse<T>(kind: string, material: KeyMaterial, parse: () => T): T {
  const id = createHash("sha256").update(kind).update("\0").update(material).digest("hex");
  const hit = cache.get(id);
  if (hit !== undefined) return hit as T;
  const value = parse();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, value);
  return value;
}

function textOf(material: KeyMaterial): string {
  if (typeof material !== "string" && !Buffer.isBuffer(material)) throw new KeyParseError("key must be a string or a Buffer");
  return (typeof material === "string" ? material : material.toString("utf8")).trim();
}

function bareBase64(text: string): Buffer {
  const body = text.replace(/\s+/g, "");
  if (body === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new KeyParseError("key is neither PEM nor base64");
  return Buffer.from(body, "base64");
}

// Every provider here signs and verifies with RSA-2048 or larger (WeChat's SHA256-RSA2048, Alipay's RSA2).
function assertRsa(key: KeyObject | undefined, what: string): KeyObject {
  if (!key) throw new KeyParseError(`${what} cannot be parsed`);
  if (key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new KeyParseError(`${what} must be an RSA key of at least 2048 bits`);
  }
  return key;
}

function attempt(parse: () => KeyObject): KeyObject | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

/** A private key: PEM (PKCS#8 or PKCS#1), or a bare base64 DER body tried as PKCS#8, then PKCS#1. */
export function loadRsaPrivateKey(material: KeyMaterial, what = "private key"): KeyObject {
  return cachedParse("rsa-private", material, () => {
    const text = textOf(material);
    if (text.includes("-----BEGIN "))
      return assertRsa(
        attempt(() => createPrivateKey(text)),
        what,
      );
    const der = bareBase64(text);
    const key =
      attempt(() => createPrivateKey({ key: der, format: "der", type: "pkcs8" })) ??
      attempt(() => createPrivateKey({ key: der, format: "der", type: "pkcs1" }));
    return assertRsa(key, what);
  });
}

/**
 * A public key: PEM (SPKI or PKCS#1), a certificate (its first, leaf, certificate: console files may
 * carry the intermediate after it), or a bare base64 SPKI body.
 */
export function loadRsaPublicKey(material: KeyMaterial, what = "public key"): KeyObject {
  return cachedParse("rsa-public", material, () => {
    const text = textOf(material);
    const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
    if (leaf)
      return assertRsa(
        attempt(() => new X509Certificate(leaf[0]).publicKey),
        what,
      );
    if (text.includes("-----BEGIN "))
      return assertRsa(
        attempt(() => createPublicKey(text)),
        what,
      );
    return assertRsa(
      attempt(() => createPublicKey({ key: bareBase64(text), format: "der", type: "spki" })),
      what,
    );
  });
}
