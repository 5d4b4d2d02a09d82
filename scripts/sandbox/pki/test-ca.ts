import "reflect-metadata";
import { generateKeyPair, webcrypto, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { randomSerial, readTextFile, writeSecretFile } from "./files";

/**
 * The sandboxes' own certificate authority. Its certificates only ever reach the library through the
 * config `npm start` writes under the data directory; nothing in the built plugin trusts it.
 */
export const TEST_ROOT_NAME = "CN=vk-pay sandbox test root — never trust in production, O=vk-pay sandbox, C=CN";

const generateRsa = promisify(generateKeyPair);
const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
// @peculiar/x509 is typed against the DOM's Crypto, which this Node-only build does not declare.
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface TestCa {
  certPem: string;
  privateKeyPem: string;
  certPath: string;
}

export interface IssueOptions {
  /** A distinguished name, e.g. `CN=1900000001, O=vk-pay sandbox, C=CN`. */
  subject: string;
  /** Uppercase hex. */
  serial: string;
  publicKeyPem: string;
  notBefore: Date;
  notAfter: Date;
  /** A TLS server certificate: these DNS names and IP addresses as subjectAltName, with serverAuth. */
  serverNames?: { dns?: string[]; ip?: string[] };
}

export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateRsa("rsa", { modulusLength: 2048, publicExponent: 0x10001 });
  return {
    privateKeyPem: (privateKey as KeyObject).export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: (publicKey as KeyObject).export({ type: "spki", format: "pem" }).toString(),
  };
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function importSigningKey(privateKeyPem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pemBody(privateKeyPem), RSA_SHA256, false, ["sign"]);
}

function importPublicKey(publicKeyPem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", pemBody(publicKeyPem), RSA_SHA256, true, ["verify"]);
}

async function createRootCertificate(keys: RsaKeyPair): Promise<string> {
  const now = Date.now();
  const publicKey = await importPublicKey(keys.publicKeyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: TEST_ROOT_NAME,
    issuer: TEST_ROOT_NAME,
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + 20 * 365 * 24 * 3600 * 1000),
    publicKey,
    signingKey: await importSigningKey(keys.privateKeyPem),
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return cert.toString("pem");
}

const loading = new Map<string, Promise<TestCa>>();

/** The test root under `<dataDir>/sandbox/ca/`, created on first use and reused afterwards. */
export function loadOrCreateTestCa(dataDir: string): Promise<TestCa> {
  const dir = join(dataDir, "sandbox", "ca");
  const pending = loading.get(dir) ?? createOrRead(dir);
  loading.set(dir, pending);
  pending.catch(() => loading.delete(dir));
  return pending;
}

async function createOrRead(dir: string): Promise<TestCa> {
  const certPath = join(dir, "root-cert.pem");
  const keyPath = join(dir, "root-key.pem");
  const certPem = readTextFile(certPath);
  const privateKeyPem = readTextFile(keyPath);
  if (certPem && privateKeyPem) return { certPem, privateKeyPem, certPath };
  const keys = await generateRsaKeyPair();
  const created = await createRootCertificate(keys);
  // Key first: a certificate without its key would be unusable, the reverse is merely regenerated.
  writeSecretFile(keyPath, keys.privateKeyPem);
  writeSecretFile(certPath, created);
  return { certPem: created, privateKeyPem: keys.privateKeyPem, certPath };
}

/** An end-entity RSA certificate signed by the test root (SHA256withRSA), as PEM. */
export async function issueCertificate(ca: TestCa, options: IssueOptions): Promise<string> {
  const issuer = new x509.X509Certificate(ca.certPem);
  const publicKey = await importPublicKey(options.publicKeyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial,
    subject: options.subject,
    issuer: issuer.subject,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    publicKey,
    signingKey: await importSigningKey(ca.privateKeyPem),
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
      // Clients check the name against subjectAltName only; the CN of a server certificate is ignored.
      ...(options.serverNames
        ? [
            new x509.SubjectAlternativeNameExtension([
              ...(options.serverNames.dns ?? []).map((value) => ({ type: "dns" as const, value })),
              ...(options.serverNames.ip ?? []).map((value) => ({ type: "ip" as const, value })),
            ]),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          ]
        : []),
    ],
  });
  return cert.toString("pem");
}
