import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { AlipayConfigError } from "./errors";

/**
 * App private keys and Alipay public keys, parsed once per process and cached by the SHA-256 of their content:
 * a PEM parse costs far more than a signature, and a rotated key simply parses again.
 *
 * @see https://opendocs.alipay.com/common/02kipk (keys: application private key, Alipay public key)
 */

export type KeyMaterial = string | Buffer;

const CACHE_LIMIT = 256;
const cache = new Map<string, KeyObject>();

function cached(kind: string, material: KeyMaterial, parse: () => KeyObject): KeyObject {
  const id = createHash("sha256").update(kind).update("\0").update(material).digest("hex");
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const value = parse();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, value);
  return value;
}

function textOf(material: KeyMaterial): string {
  if (typeof material !== "string" && !Buffer.isBuffer(material)) {
    throw new AlipayConfigError("alipay-invalid-key", "key must be a string or a Buffer");
  }
  return (typeof material === "string" ? material : material.toString("utf8")).trim();
}

function bareBase64(text: string): Buffer {
  const body = text.replace(/\s+/g, "");
  if (body === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new AlipayConfigError("alipay-invalid-key", "key is neither PEM nor base64");
  }
  return Buffer.from(body, "base64");
}

function assertRsa(key: KeyObject, what: string): KeyObject {
  // RSA2 is the only scheme we sign or verify with; 2048 bits is what Alipay's key tool generates.
  if (key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new AlipayConfigError("alipay-invalid-key", `${what} must be an RSA key of at least 2048 bits`);
  }
  return key;
}

/**
 * The application private key: PKCS#1 or PKCS#8 PEM, or the bare base64 body the Alipay key tool shows
 * (either encoding: the DER is tried as PKCS#8, then as PKCS#1).
 *
 * @see https://opendocs.alipay.com/common/02kipk
 */
export function loadAppPrivateKey(material: KeyMaterial): KeyObject {
  return cached("private", material, () => {
    const text = textOf(material);
    let key: KeyObject | undefined;
    if (text.includes("-----BEGIN ")) {
      try {
        key = createPrivateKey(text);
      } catch {
        key = undefined;
      }
    } else {
      const der = bareBase64(text);
      for (const type of ["pkcs8", "pkcs1"] as const) {
        try {
          key = createPrivateKey({ key: der, format: "der", type });
          break;
        } catch {
          key = undefined;
        }
      }
    }
    if (!key) throw new AlipayConfigError("alipay-invalid-key", "application private key cannot be parsed");
    return assertRsa(key, "application private key");
  });
}

/**
 * The Alipay public key (SPKI PEM or bare base64, as the console shows it), or the key inside an Alipay
 * public certificate (`alipayCertPublicKey_RSA2.crt`) in certificate mode.
 *
 * @see https://opendocs.alipay.com/common/02kdnc (public-key mode and certificate mode)
 */
export function loadAlipayPublicKey(material: KeyMaterial): KeyObject {
  return cached("public", material, () => {
    const text = textOf(material);
    let key: KeyObject | undefined;
    try {
      // A console certificate file may hold the leaf then its intermediate: the leaf (first) is Alipay's key.
      const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
      if (leaf) key = new X509Certificate(leaf[0]).publicKey;
      else if (text.includes("-----BEGIN ")) key = createPublicKey(text);
      else key = createPublicKey({ key: bareBase64(text), format: "der", type: "spki" });
    } catch (error) {
      if (error instanceof AlipayConfigError) throw error;
      key = undefined;
    }
    if (!key) throw new AlipayConfigError("alipay-invalid-key", "Alipay public key cannot be parsed");
    return assertRsa(key, "Alipay public key");
  });
}
