import { createHash, X509Certificate } from "node:crypto";
import { AlipayConfigError } from "./errors";

/**
 * Certificate mode: `app_cert_sn`, `alipay_root_cert_sn` and the `alipay_cert_sn` a response carries.
 *
 * @see https://opendocs.alipay.com/common/02kdnc (公钥证书方式)
 * @see https://opendocs.alipay.com/common/056zub (证书 SN 计算)
 */

/** The RSA PKCS#1 signature algorithm arc, 1.2.840.113549.1.1, as DER OID content bytes. */
const RSA_SIGNATURE_ARC = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01]);

/**
 * SN of one certificate (the first one of the file): lowercase hex MD5 of the issuer DN in Alipay's order (the reverse of the DER
 * sequence, `SHORT=value` joined by `,`, which is what Java's `getIssuerX500Principal().getName()` yields for
 * these certificates) followed by the serial number in decimal.
 *
 * @see https://opendocs.alipay.com/common/056zub
 */
export function getAlipayCertSn(certificatePem: string | Buffer): string {
  const certificate = parseOne(certificatePem);
  return snOf(certificate);
}

/**
 * `alipay_root_cert_sn`: the SNs of the RSA-signed certificates of the root bundle, in file order, joined by
 * `_`. The SM2 and ECDSA roots are skipped because Alipay's own SDKs (Java `AntCertificationUtil`, alipay-sdk
 * `getRootCertSN`) keep only signature algorithms under 1.2.840.113549.1.1, and the gateway compares
 * against that same string.
 *
 * @see https://opendocs.alipay.com/common/056zub
 */
export function getAlipayRootCertSn(bundlePem: string | Buffer): string {
  const sns = splitPem(bundlePem)
    .map(parseBlock)
    .filter((certificate) => isRsaSigned(certificate.raw))
    .map(snOf);
  if (sns.length === 0) {
    throw new AlipayConfigError("alipay-invalid-certificate", "root certificate bundle has no RSA-signed certificate");
  }
  return sns.join("_");
}

/**
 * The issuer DN string that enters the SN, exposed so a failing SN can be diagnosed from logs.
 *
 * @see https://opendocs.alipay.com/common/056zub
 */
export function alipayIssuerString(certificate: X509Certificate): string {
  return certificate.issuer.split("\n").reverse().join(",");
}

function snOf(certificate: X509Certificate): string {
  const serial = BigInt(`0x${certificate.serialNumber}`).toString(10);
  return createHash("md5")
    .update(alipayIssuerString(certificate) + serial, "utf8")
    .digest("hex");
}

function splitPem(input: string | Buffer): string[] {
  const text = typeof input === "string" ? input : input.toString("utf8");
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new AlipayConfigError("alipay-invalid-certificate", "no PEM certificate found");
  return blocks;
}

function parseBlock(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new AlipayConfigError("alipay-invalid-certificate", "certificate cannot be parsed");
  }
}

function parseOne(input: string | Buffer): X509Certificate {
  // The console's alipayCertPublicKey_RSA2.crt may carry its intermediate after the leaf; like Alipay's
  // SDKs, the SN is the leaf's, the first block.
  return parseBlock(splitPem(input)[0]!);
}

/** DER header at `at`: content start and length. Only definite lengths occur in X.509 DER. */
function header(der: Buffer, at: number): { tag: number; start: number; length: number } {
  const tag = der[at];
  const first = der[at + 1];
  if (tag === undefined || first === undefined) throw badDer();
  if (first < 0x80) return { tag, start: at + 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw badDer();
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { tag, start: at + 2 + count, length };
}

/**
 * Node's X509Certificate does not expose the signature algorithm, so read it from
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, … }, signature }.
 */
function isRsaSigned(der: Buffer): boolean {
  const certificate = header(der, 0);
  const tbs = header(der, certificate.start);
  const algorithm = header(der, tbs.start + tbs.length);
  const oid = header(der, algorithm.start);
  if (certificate.tag !== 0x30 || tbs.tag !== 0x30 || algorithm.tag !== 0x30 || oid.tag !== 0x06) throw badDer();
  const content = der.subarray(oid.start, oid.start + oid.length);
  return content.length === RSA_SIGNATURE_ARC.length + 1 && content.subarray(0, RSA_SIGNATURE_ARC.length).equals(RSA_SIGNATURE_ARC);
}

function badDer(): AlipayConfigError {
  return new AlipayConfigError("alipay-invalid-certificate", "certificate DER is malformed");
}
