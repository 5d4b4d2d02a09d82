import type { KeyObject } from "node:crypto";
import { KeyParseError, loadRsaPrivateKey, loadRsaPublicKey, type KeyMaterial } from "../../../core/rsa-keys";
import { AlipayConfigError } from "./errors";

/**
 * App private keys and Alipay public keys, parsed (and cached) by the shared RSA key loader.
 *
 * @see https://opendocs.alipay.com/common/02kipk (keys: application private key, Alipay public key)
 */

export type { KeyMaterial } from "../../../core/rsa-keys";

function asConfigError(parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeyParseError) throw new AlipayConfigError("alipay-invalid-key", error.message);
    throw error;
  }
}

/**
 * The application private key: PKCS#1 or PKCS#8 PEM, or the bare base64 body the Alipay key tool shows.
 *
 * @see https://opendocs.alipay.com/common/02kipk
 */
export function loadAppPrivateKey(material: KeyMaterial): KeyObject {
  return asConfigError(() => loadRsaPrivateKey(material, "application private key"));
}

/**
 * The Alipay public key (SPKI PEM or bare base64, as the console shows it), or the key inside an Alipay
 * public certificate (`alipayCertPublicKey_RSA2.crt`) in certificate mode.
 *
 * @see https://opendocs.alipay.com/common/02kdnc (public-key mode and certificate mode)
 */
export function loadAlipayPublicKey(material: KeyMaterial): KeyObject {
  return asConfigError(() => loadRsaPublicKey(material, "Alipay public key"));
}
