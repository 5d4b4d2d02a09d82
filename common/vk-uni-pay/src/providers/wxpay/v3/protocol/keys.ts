import { X509Certificate, type KeyObject } from "node:crypto";
import { cachedParse as cached, KeyParseError, loadRsaPrivateKey, loadRsaPublicKey, type KeyMaterial } from "../../../../core/rsa-keys";
import { WxpayV3ConfigError } from "./errors";

/**
 * Merchant keys, WeChat Pay platform certificates and WeChat Pay public keys, parsed once per process.
 *
 * Parsing a PEM costs far more than a signature, and a cloud function instance serves many requests, so
 * every parse is cached by the SHA-256 of its input: the same content parses once, a rotated key parses
 * again. Nothing here decides which key is trusted; that comes from configuration.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml (platform certificates, picked by serial)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012153196 (WeChat Pay public key and its PUB_KEY_ID_)
 */

export type { KeyMaterial } from "../../../../core/rsa-keys";

export interface LoadedCertificate {
  /** Uppercase hex, as WeChat Pay writes it in `serial_no` and `Wechatpay-Serial`. */
  readonly serialNo: string;
  readonly publicKey: KeyObject;
  readonly pem: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** A WeChat Pay public key (public-key mode); `id` is what `Wechatpay-Serial` carries, `PUB_KEY_ID_…`. */
export interface WxpayPublicKey {
  readonly id: string;
  readonly publicKey: KeyObject;
}

export const PUB_KEY_ID_PREFIX = "PUB_KEY_ID_";

/** Provider-neutral parse failures become this module's config error. */
function asConfigError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeyParseError) throw new WxpayV3ConfigError("wxpay-v3-invalid-key", error.message);
    throw error;
  }
}

/**
 * The merchant API private key (`apiclient_key.pem`, PKCS#8; PKCS#1 accepted), cached by content.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function loadPrivateKey(material: KeyMaterial): KeyObject {
  return asConfigError(() => loadRsaPrivateKey(material, "merchant private key"));
}

/**
 * An RSA public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), cached by content.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012153196
 */
export function loadPublicKey(material: KeyMaterial): KeyObject {
  return asConfigError(() => loadRsaPublicKey(material));
}

/**
 * A WeChat Pay public key with its ID; the ID is what selects it, so it must have the documented prefix.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012153196
 */
export function loadWxpayPublicKey(id: string, material: KeyMaterial): WxpayPublicKey {
  if (typeof id !== "string" || !/^PUB_KEY_ID_[0-9A-Za-z]+$/.test(id)) {
    throw new WxpayV3ConfigError("wxpay-v3-invalid-key", "WeChat Pay public key ID must look like PUB_KEY_ID_…");
  }
  return { id, publicKey: loadPublicKey(material) };
}

/**
 * An X.509 certificate (merchant `apiclient_cert.pem` or a platform certificate), cached by content.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function loadCertificate(material: KeyMaterial): LoadedCertificate {
  return cached("certificate", material, () => {
    let x509: X509Certificate;
    try {
      // Configs carry certificates as PEM or as the bare base64 (DER) body pasted from the file.
      const text = (typeof material === "string" ? material : material.toString("utf8")).trim();
      x509 = new X509Certificate(text.includes("-----BEGIN ") ? text : Buffer.from(text.replace(/\s+/g, ""), "base64"));
    } catch {
      throw new WxpayV3ConfigError("wxpay-v3-invalid-certificate", "certificate cannot be parsed");
    }
    return Object.freeze({
      serialNo: x509.serialNumber.toUpperCase(),
      publicKey: asConfigError(() => loadRsaPublicKey(x509.toString(), "certificate key")),
      pem: x509.toString(),
      validFrom: new Date(x509.validFrom),
      validTo: new Date(x509.validTo),
    });
  });
}

/**
 * Serials compare as numbers: OpenSSL, Java and Go differ on leading zeros and case, WeChat Pay on neither.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export function normalizeSerial(serial: string): string {
  return serial
    .trim()
    .toUpperCase()
    .replace(/^0+(?=.)/, "");
}

/** Picks the key that verifies a WeChat Pay signature from the `Wechatpay-Serial` header. */
export interface PlatformKeyLookup {
  /** The public key for this serial, or undefined when unknown (certificate mode: time to refresh). */
  find(serial: string): KeyObject | undefined;
}

export interface PlatformKeyRingInput {
  /** Platform certificates (certificate mode), from `/v3/certificates` or configuration. */
  certificates?: readonly LoadedCertificate[];
  /** WeChat Pay public keys (public-key mode). Both modes may be live at once during migration. */
  publicKeys?: readonly WxpayPublicKey[];
  /** The merchant's own API certificate serial: it never verifies anything WeChat Pay sends. */
  merchantSerialNo?: string;
}

/**
 * A lookup over both verification modes side by side, dispatching on the `PUB_KEY_ID_` prefix as WeChat
 * Pay does while merchants migrate from platform certificates to the public key.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
 */
export function createPlatformKeyRing(input: PlatformKeyRingInput): PlatformKeyLookup {
  const merchant = input.merchantSerialNo ? normalizeSerial(input.merchantSerialNo) : undefined;
  const bySerial = new Map<string, KeyObject>();
  for (const certificate of input.certificates ?? []) {
    const serial = normalizeSerial(certificate.serialNo);
    // Configuring the merchant certificate as a platform certificate would let the merchant's key "verify"
    // WeChat Pay; refuse it loudly rather than skip it silently.
    if (serial === merchant) {
      throw new WxpayV3ConfigError("wxpay-v3-invalid-certificate", "the merchant certificate is not a platform certificate");
    }
    bySerial.set(serial, certificate.publicKey);
  }
  const byId = new Map<string, KeyObject>();
  for (const key of input.publicKeys ?? []) byId.set(key.id, key.publicKey);

  return Object.freeze({
    find(serial: string): KeyObject | undefined {
      if (typeof serial !== "string" || serial === "") return undefined;
      if (serial.startsWith(PUB_KEY_ID_PREFIX)) return byId.get(serial);
      const normalized = normalizeSerial(serial);
      if (normalized === merchant) return undefined;
      return bySerial.get(normalized);
    },
  });
}
