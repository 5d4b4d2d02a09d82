import "reflect-metadata";
import { createHash, createPrivateKey, webcrypto, X509Certificate } from "node:crypto";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { randomSerial, readTextFile, writeSecretFile } from "./files";
import { generateRsaKeyPair, type RsaKeyPair } from "./test-ca";

/**
 * The Alipay sandbox's keys and certificates, shaped like what the Alipay open platform hands out: per app
 * an RSA2 key pair, and in certificate mode an app public-key certificate, an "Alipay public key"
 * certificate and the Alipay root bundle, issued through a root and two intermediates as Alipay issues
 * them. Nothing here is ever trusted outside the data directory.
 * @see https://opendocs.alipay.com/common/056zub (公钥证书模式)
 */

/** Sandbox app ids (16 digits, like the `9021…` ids of Alipay's own sandbox): one per signing mode. */
export const ALIPAY_SANDBOX_KEY_APPID = "9021000000000001";
export const ALIPAY_SANDBOX_CERT_APPID = "9021000000000002";
/** The merchant's PID (`seller_id`): 2088 and 12 digits. */
export const ALIPAY_SANDBOX_SELLER_ID = "2088000000000001";

export interface AlipaySandboxApp {
  appId: string;
  mode: "key" | "cert";
  /** PKCS#1 PEM, as the Alipay key tool produces for non-Java servers. */
  appPrivateKeyPem: string;
  appPublicKeyPem: string;
}

export interface AlipaySandboxKeys {
  sellerId: string;
  keyApp: AlipaySandboxApp;
  certApp: AlipaySandboxApp;
  /** Key mode: the key Alipay signs with, and its public half the merchant configures. */
  alipayPrivateKeyPem: string;
  alipayPublicKeyPem: string;
  /** Certificate mode: the key inside `alipayCertPublicKey_RSA2.crt` (a different key, as at Alipay). */
  alipayCertPrivateKeyPem: string;
  appCertPath: string;
  appCertPem: string;
  alipayPublicCertPath: string;
  alipayPublicCertPem: string;
  alipayRootCertPath: string;
  alipayRootCertPem: string;
  appCertSn: string;
  alipayCertSn: string;
  alipayRootCertSn: string;
}

interface Manifest {
  sellerId: string;
  keyAppId: string;
  certAppId: string;
  appCertSn: string;
  alipayCertSn: string;
  alipayRootCertSn: string;
}

const DAY = 24 * 3600 * 1000;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;

const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
// Alipay's bundle carries a SHA-1 RSA root too; it counts in the root SN, so the sandbox has one.
const RSA_SHA1 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" } as const;
const ECDSA_P384 = { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" } as const;

const CA_NAMES = {
  root: "C=CN, O=vk-pay sandbox, OU=Certification Authority, CN=vk-pay sandbox Alipay Root R1",
  ecRoot: "C=CN, O=vk-pay sandbox, OU=Certification Authority, CN=vk-pay sandbox Alipay Root E1",
  legacyRoot: "C=CN, O=vk-pay sandbox, OU=China Trust Network, CN=vk-pay sandbox Class 2 Root CA - G3",
  appIssuer: "C=CN, O=vk-pay sandbox, OU=Certification Authority, CN=vk-pay sandbox Alipay Class 1 R1",
  alipayIssuer: "C=CN, O=vk-pay sandbox, OU=Certification Authority, CN=vk-pay sandbox Alipay Class 2 R1",
};

// ---------------------------------------------------------------------------------------------------
// Certificate SNs as Alipay computes them

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM file, in file order. */
export function splitPemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

/**
 * `MD5(issuer + serial)`: the issuer's attributes in reverse DER order as `SHORT=value` joined by `,`,
 * the serial in decimal. Of a file with a chain, the first certificate counts.
 * @see https://opendocs.alipay.com/common/057k53 (证书序列号计算)
 */
export function alipayCertSn(pem: string): string {
  const first = splitPemCertificates(pem)[0];
  if (!first) throw new Error("no certificate in the given text");
  const cert = new X509Certificate(first);
  const issuer = cert.issuer.split("\n").reverse().join(",");
  return createHash("md5")
    .update(issuer + BigInt(`0x${cert.serialNumber}`).toString(10), "utf8")
    .digest("hex");
}

/** The signature algorithm OID of a DER certificate: Certificate ::= SEQUENCE { tbs, AlgorithmIdentifier, sig }. */
export function certificateSignatureOid(der: Buffer): string {
  let offset = 0;
  const header = () => {
    const tag = der[offset++];
    let length = der[offset++];
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + der[offset++];
    }
    return { tag, length };
  };
  header(); // Certificate
  const tbs = header();
  offset += tbs.length; // skip tbsCertificate
  header(); // AlgorithmIdentifier
  const oid = header();
  if (oid.tag !== 0x06) throw new Error("certificate signature algorithm is not an OID");
  const bytes = der.subarray(offset, offset + oid.length);
  const arcs = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

/** The root SN: the SNs of the bundle's RSA-signed certificates (OID 1.2.840.113549.1.1.*), joined by `_`. */
export function alipayRootCertSn(bundle: string): string {
  return splitPemCertificates(bundle)
    .filter((pem) => certificateSignatureOid(new X509Certificate(pem).raw).startsWith("1.2.840.113549.1.1"))
    .map(alipayCertSn)
    .join("_");
}

// ---------------------------------------------------------------------------------------------------
// Generation

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

/** PKCS#8 PEM to the PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) Alipay's key tool writes. */
function toPkcs1(privateKeyPem: string): string {
  return createPrivateKey(privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
}

interface Signer {
  name: string;
  key: CryptoKey;
  algorithm: typeof RSA_SHA256 | typeof RSA_SHA1 | typeof ECDSA_P384;
  cert?: x509.X509Certificate;
}

async function rsaSigner(name: string, pair: RsaKeyPair, algorithm: typeof RSA_SHA256 | typeof RSA_SHA1 = RSA_SHA256) {
  const key = await crypto.subtle.importKey("pkcs8", pemBody(pair.privateKeyPem), algorithm, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("spki", pemBody(pair.publicKeyPem), algorithm, true, ["verify"]);
  return { signer: { name, key, algorithm } as Signer, publicKey };
}

async function certificate(options: { subject: string; publicKey: CryptoKey; issuer: Signer; ca: boolean; years: number }): Promise<x509.X509Certificate> {
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca, options.ca ? 1 : undefined, true),
    new x509.KeyUsagesExtension(
      options.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(options.publicKey),
  ];
  if (options.issuer.cert) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.cert));
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(16),
    subject: options.subject,
    issuer: options.issuer.name,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + options.years * 365 * DAY),
    publicKey: options.publicKey,
    signingKey: options.issuer.key,
    signingAlgorithm: options.issuer.algorithm,
    extensions,
  });
}

async function selfSignedRoot(name: string, algorithm: typeof RSA_SHA256 | typeof RSA_SHA1 | typeof ECDSA_P384): Promise<Signer> {
  let key: CryptoKey;
  let publicKey: CryptoKey;
  if (algorithm.name === "ECDSA") {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    key = pair.privateKey;
    publicKey = pair.publicKey;
  } else {
    const imported = await rsaSigner(name, await generateRsaKeyPair(), algorithm);
    key = imported.signer.key;
    publicKey = imported.publicKey;
  }
  const signer: Signer = { name, key, algorithm };
  signer.cert = await certificate({ subject: name, publicKey, issuer: signer, ca: true, years: 30 });
  return signer;
}

async function intermediate(name: string, root: Signer): Promise<Signer & { privateKeyPem: string }> {
  const pair = await generateRsaKeyPair();
  const { signer, publicKey } = await rsaSigner(name, pair);
  signer.cert = await certificate({ subject: name, publicKey, issuer: root, ca: true, years: 20 });
  return { ...signer, privateKeyPem: pair.privateKeyPem };
}

function paths(dir: string, certAppId: string) {
  return {
    manifest: join(dir, "keys.json"),
    keyAppPrivate: join(dir, "key-mode", "app_private_key.pem"),
    keyAppPublic: join(dir, "key-mode", "app_public_key.pem"),
    alipayPrivate: join(dir, "key-mode", "alipay_private_key.pem"),
    alipayPublic: join(dir, "key-mode", "alipay_public_key.pem"),
    certAppPrivate: join(dir, "cert-mode", "app_private_key.pem"),
    certAppPublic: join(dir, "cert-mode", "app_public_key.pem"),
    alipayCertPrivate: join(dir, "cert-mode", "alipay_cert_private_key.pem"),
    // The CA key that issues Alipay's public-key certificates, kept so the sandbox can rotate them.
    alipayIssuerPrivate: join(dir, "cert-mode", "alipay_issuer_private_key.pem"),
    appCert: join(dir, "cert-mode", `appCertPublicKey_${certAppId}.crt`),
    alipayCert: join(dir, "cert-mode", "alipayCertPublicKey_RSA2.crt"),
    rootCert: join(dir, "cert-mode", "alipayRootCert.crt"),
  };
}

function readAll(dir: string): AlipaySandboxKeys | undefined {
  const manifestText = readTextFile(join(dir, "keys.json"));
  if (!manifestText) return undefined;
  const manifest = JSON.parse(manifestText) as Manifest;
  const file = paths(dir, manifest.certAppId);
  const names = [
    file.keyAppPrivate,
    file.keyAppPublic,
    file.alipayPrivate,
    file.alipayPublic,
    file.certAppPrivate,
    file.certAppPublic,
    file.alipayCertPrivate,
    file.appCert,
    file.alipayCert,
    file.rootCert,
  ];
  const texts = names.map(readTextFile);
  if (texts.some((text) => text === undefined)) return undefined;
  const [keyAppPrivate, keyAppPublic, alipayPrivate, alipayPublic, certAppPrivate, certAppPublic, alipayCertPrivate, appCert, alipayCert, rootCert] =
    texts as string[];
  return {
    sellerId: manifest.sellerId,
    keyApp: { appId: manifest.keyAppId, mode: "key", appPrivateKeyPem: keyAppPrivate, appPublicKeyPem: keyAppPublic },
    certApp: { appId: manifest.certAppId, mode: "cert", appPrivateKeyPem: certAppPrivate, appPublicKeyPem: certAppPublic },
    alipayPrivateKeyPem: alipayPrivate,
    alipayPublicKeyPem: alipayPublic,
    alipayCertPrivateKeyPem: alipayCertPrivate,
    appCertPath: file.appCert,
    appCertPem: appCert,
    alipayPublicCertPath: file.alipayCert,
    alipayPublicCertPem: alipayCert,
    alipayRootCertPath: file.rootCert,
    alipayRootCertPem: rootCert,
    appCertSn: manifest.appCertSn,
    alipayCertSn: manifest.alipayCertSn,
    alipayRootCertSn: manifest.alipayRootCertSn,
  };
}

async function create(dir: string): Promise<AlipaySandboxKeys> {
  const [keyApp, certApp, alipay, alipayCert] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()]);
  const root = await selfSignedRoot(CA_NAMES.root, RSA_SHA256);
  const ecRoot = await selfSignedRoot(CA_NAMES.ecRoot, ECDSA_P384);
  const legacyRoot = await selfSignedRoot(CA_NAMES.legacyRoot, RSA_SHA1);
  const appIssuer = await intermediate(CA_NAMES.appIssuer, root);
  const alipayIssuer = await intermediate(CA_NAMES.alipayIssuer, root);

  const importPublic = (pem: string) => crypto.subtle.importKey("spki", pemBody(pem), RSA_SHA256, true, ["verify"]);
  const appCert = await certificate({
    subject: `C=CN, O=vk-pay 沙箱商户, OU=Alipay, CN=${ALIPAY_SANDBOX_SELLER_ID}-${ALIPAY_SANDBOX_CERT_APPID}`,
    publicKey: await importPublic(certApp.publicKeyPem),
    issuer: appIssuer,
    ca: false,
    years: 5,
  });
  const alipayPublicCert = await certificate({
    subject: `C=CN, O=vk-pay 沙箱商户, OU=Alipay, CN=支付宝(中国)网络技术有限公司-${ALIPAY_SANDBOX_SELLER_ID}`,
    publicKey: await importPublic(alipayCert.publicKeyPem),
    issuer: alipayIssuer,
    ca: false,
    years: 5,
  });
  const pem = (cert: x509.X509Certificate) => `${cert.toString("pem")}\n`;
  const appCertPem = pem(appCert);
  // Alipay ships its public-key certificate followed by the intermediate that issued it.
  const alipayPublicCertPem = pem(alipayPublicCert) + pem(alipayIssuer.cert!);
  // The bundle mixes algorithms as Alipay's does: only the RSA-signed roots make up the root SN.
  const rootPem = pem(root.cert!) + pem(ecRoot.cert!) + pem(legacyRoot.cert!);

  const manifest: Manifest = {
    sellerId: ALIPAY_SANDBOX_SELLER_ID,
    keyAppId: ALIPAY_SANDBOX_KEY_APPID,
    certAppId: ALIPAY_SANDBOX_CERT_APPID,
    appCertSn: alipayCertSn(appCertPem),
    alipayCertSn: alipayCertSn(alipayPublicCertPem),
    alipayRootCertSn: alipayRootCertSn(rootPem),
  };
  const file = paths(dir, manifest.certAppId);
  writeSecretFile(file.keyAppPrivate, toPkcs1(keyApp.privateKeyPem));
  writeSecretFile(file.keyAppPublic, keyApp.publicKeyPem);
  writeSecretFile(file.alipayPrivate, alipay.privateKeyPem);
  writeSecretFile(file.alipayPublic, alipay.publicKeyPem);
  writeSecretFile(file.certAppPrivate, toPkcs1(certApp.privateKeyPem));
  writeSecretFile(file.certAppPublic, certApp.publicKeyPem);
  writeSecretFile(file.alipayCertPrivate, alipayCert.privateKeyPem);
  writeSecretFile(file.alipayIssuerPrivate, alipayIssuer.privateKeyPem);
  writeSecretFile(file.appCert, appCertPem);
  writeSecretFile(file.alipayCert, alipayPublicCertPem);
  writeSecretFile(file.rootCert, rootPem);
  // The manifest goes last: its presence means every file above is complete.
  writeSecretFile(file.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return readAll(dir)!;
}

/** A newly issued "Alipay public key" certificate: the file as Alipay serves it (leaf, then its issuer), its key and SN. */
export interface IssuedAlipayCert {
  certPem: string;
  privateKeyPem: string;
  sn: string;
}

/**
 * Issues a new Alipay public-key certificate (new key, new serial) under the same intermediate, as Alipay
 * does when it rotates the certificate it signs with; the root bundle merchants configured stays valid.
 * @see https://opendocs.alipay.com/common/02kdnc (证书更新)
 */
export async function issueAlipayPublicCert(dataDir: string): Promise<IssuedAlipayCert> {
  const keys = await loadOrCreateAlipaySandboxKeys(dataDir);
  const file = paths(join(dataDir, "sandbox", "alipay"), keys.certApp.appId);
  const issuerKeyPem = readTextFile(file.alipayIssuerPrivate);
  if (!issuerKeyPem)
    throw new Error(`the Alipay sandbox keys under ${join(dataDir, "sandbox", "alipay")} predate certificate rotation; delete that folder to regenerate them`);
  const issuerPem = splitPemCertificates(keys.alipayPublicCertPem)[1];
  if (!issuerPem) throw new Error("the sandbox's alipayCertPublicKey_RSA2.crt lacks its intermediate certificate");
  const issuerCert = new x509.X509Certificate(issuerPem);
  const issuer: Signer = {
    name: issuerCert.subject,
    key: await crypto.subtle.importKey("pkcs8", pemBody(issuerKeyPem), RSA_SHA256, false, ["sign"]),
    algorithm: RSA_SHA256,
    cert: issuerCert,
  };
  const pair = await generateRsaKeyPair();
  const leaf = await certificate({
    subject: new x509.X509Certificate(splitPemCertificates(keys.alipayPublicCertPem)[0]!).subject,
    publicKey: await crypto.subtle.importKey("spki", pemBody(pair.publicKeyPem), RSA_SHA256, true, ["verify"]),
    issuer,
    ca: false,
    years: 5,
  });
  const certPem = `${leaf.toString("pem")}\n${issuerPem}\n`;
  return { certPem, privateKeyPem: pair.privateKeyPem, sn: alipayCertSn(certPem) };
}

const loading = new Map<string, Promise<AlipaySandboxKeys>>();

/**
 * The Alipay sandbox's keys under `<dataDir>/sandbox/alipay/`: generated on first use (files mode 0600),
 * read back on every later run so configured keys, certificates and SNs stay valid.
 */
export function loadOrCreateAlipaySandboxKeys(dataDir: string): Promise<AlipaySandboxKeys> {
  const dir = join(dataDir, "sandbox", "alipay");
  const pending = loading.get(dir) ?? Promise.resolve().then(() => readAll(dir) ?? create(dir));
  loading.set(dir, pending);
  pending.catch(() => loading.delete(dir));
  return pending;
}

/** The bare base64 body of a PEM: what the Alipay console and key tool show and people paste. */
export function pemToBareBase64(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

export interface AlipaySandboxConfigOptions {
  /** Certificate mode (the cert-mode app) instead of key mode (the key-mode app). */
  certMode?: boolean;
  /** Certificate mode: inline `*Content` (default) or `*Path` pointing at the files under the data dir. */
  certSource?: "content" | "path";
}

/**
 * One `alipay` sub-config of uni-pay's config for the sandbox (`baseUrl` e.g.
 * `http://127.0.0.1:8787/__sandbox/alipay`, which replaces `https://openapi.alipay.com`).
 */
export function alipaySandboxConfig(keys: AlipaySandboxKeys, baseUrl: string, options: AlipaySandboxConfigOptions = {}): Record<string, unknown> {
  if (!options.certMode) {
    return {
      appId: keys.keyApp.appId,
      privateKey: pemToBareBase64(keys.keyApp.appPrivateKeyPem),
      alipayPublicKey: pemToBareBase64(keys.alipayPublicKeyPem),
      sellerId: keys.sellerId,
      sandbox: false,
      baseUrl,
    };
  }
  const certs =
    options.certSource === "path"
      ? { appCertPath: keys.appCertPath, alipayPublicCertPath: keys.alipayPublicCertPath, alipayRootCertPath: keys.alipayRootCertPath }
      : { appCertContent: keys.appCertPem, alipayPublicCertContent: keys.alipayPublicCertPem, alipayRootCertContent: keys.alipayRootCertPem };
  return { appId: keys.certApp.appId, privateKey: pemToBareBase64(keys.certApp.appPrivateKeyPem), ...certs, sellerId: keys.sellerId, sandbox: false, baseUrl };
}
