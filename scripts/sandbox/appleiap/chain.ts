import "reflect-metadata";
import { createPrivateKey, KeyObject, sign, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { randomSerial } from "../pki";

/**
 * The Apple sandbox's own signing chain: an ECDSA P-256 root, an intermediate and a leaf shaped like the
 * App Store's (the intermediate a CA with Apple's WWDR marker OID 1.2.840.113635.100.6.2.1, the leaf with
 * the receipt-signing marker 1.2.840.113635.100.6.11.1), so the library's verifier runs unchanged on the
 * sandbox's JWS once its root is configured in `trustedRootCertPaths`. Tests also use it to forge chains
 * (no marker, wrong root, expired leaf).
 *
 * @see https://www.apple.com/certificateauthority/
 */

export const APPLE_LEAF_MARKER_OID = "1.2.840.113635.100.6.11.1";
export const APPLE_INTERMEDIATE_MARKER_OID = "1.2.840.113635.100.6.2.1";

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ECDSA_KEY = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY = 24 * 3600 * 1000;

export interface AppleChainOptions {
  rootName?: string;
  /** Validity of the leaf (the root and intermediate span it by a day either side). */
  notBefore?: Date;
  notAfter?: Date;
  /** Leave out a marker OID, to forge a chain Apple's check must refuse. */
  leafMarker?: boolean;
  intermediateMarker?: boolean;
  /** Issue the chain under this existing root instead of a new one. */
  root?: AppleChainRoot;
  /** The OCSP responder the leaf and the intermediate name in Authority Information Access (online checks). */
  ocspUrl?: string;
}

export interface AppleChainRoot {
  certDer: Buffer;
  name: string;
  keys: webcrypto.CryptoKeyPair;
  notBefore: Date;
  notAfter: Date;
}

export interface AppleTestChain {
  root: AppleChainRoot;
  intermediateDer: Buffer;
  leafDer: Buffer;
  leafPrivateKey: KeyObject;
  /** What signs OCSP answers about the leaf (the intermediate's key) and about the intermediate (the root's). */
  intermediatePrivateKey: KeyObject;
  rootPrivateKey: KeyObject;
  /** With `ocspUrl`: a delegated OCSP responder per issuer (EKU id-kp-OCSPSigning), as Apple's responders sign. */
  responders?: { leaf: OcspResponderCert; intermediate: OcspResponderCert };
}

export interface OcspResponderCert {
  certDer: Buffer;
  privateKey: KeyObject;
}

async function createResponder(issuerName: string, issuerKey: webcrypto.CryptoKey, notBefore: Date, notAfter: Date): Promise<OcspResponderCert> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=vk-pay sandbox OCSP responder ${randomSerial(4)}, O=vk-pay sandbox, C=CN`,
    issuer: issuerName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.ocspSigning]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return { certDer: Buffer.from(cert.rawData), privateKey: KeyObject.from(keys.privateKey) };
}

function marker(oid: string): x509.Extension {
  // Apple's markers carry an ASN.1 NULL; only their presence is checked.
  return new x509.Extension(oid, false, new Uint8Array([0x05, 0x00]));
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ECDSA_KEY, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

export async function createAppleRoot(name = "CN=vk-pay sandbox Apple root — never trust in production, O=vk-pay sandbox, C=CN"): Promise<AppleChainRoot> {
  const keys = await generateKeys();
  const now = Date.now();
  const notBefore = new Date(now - 20 * 365 * DAY);
  const notAfter = new Date(now + 20 * 365 * DAY);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return { certDer: Buffer.from(cert.rawData), name, keys, notBefore, notAfter };
}

export async function createAppleTestChain(options: AppleChainOptions = {}): Promise<AppleTestChain> {
  const root = options.root ?? (await createAppleRoot(options.rootName));
  const notBefore = options.notBefore ?? new Date(Date.now() - 365 * DAY);
  const notAfter = options.notAfter ?? new Date(Date.now() + 5 * 365 * DAY);
  const intermediateKeys = await generateKeys();
  const intermediateName = "CN=vk-pay sandbox Apple WWDR intermediate, O=vk-pay sandbox, C=CN";
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: intermediateName,
    issuer: root.name,
    notBefore: new Date(Math.max(root.notBefore.getTime(), notBefore.getTime() - DAY)),
    notAfter: new Date(Math.min(root.notAfter.getTime(), notAfter.getTime() + DAY)),
    publicKey: intermediateKeys.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ...(options.intermediateMarker === false ? [] : [marker(APPLE_INTERMEDIATE_MARKER_OID)]),
      ...(options.ocspUrl ? [new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName("url", options.ocspUrl)] })] : []),
    ],
  });
  const leafKeys = await generateKeys();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=vk-pay sandbox App Store receipt signing, O=vk-pay sandbox, C=CN",
    issuer: intermediateName,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...(options.leafMarker === false ? [] : [marker(APPLE_LEAF_MARKER_OID)]),
      ...(options.ocspUrl ? [new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName("url", options.ocspUrl)] })] : []),
    ],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey));
  const responders = options.ocspUrl
    ? {
        leaf: await createResponder(intermediateName, intermediateKeys.privateKey, notBefore, notAfter),
        intermediate: await createResponder(root.name, root.keys.privateKey, notBefore, notAfter),
      }
    : undefined;
  return {
    root,
    intermediateDer: Buffer.from(intermediate.rawData),
    leafDer: Buffer.from(leaf.rawData),
    leafPrivateKey: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }),
    intermediatePrivateKey: KeyObject.from(intermediateKeys.privateKey),
    rootPrivateKey: KeyObject.from(root.keys.privateKey),
    ...(responders ? { responders } : {}),
  };
}

/** What signing needs: the chain's certificates and the leaf's key (a chain loaded from disk has no root key). */
export type AppleSigningChain = Pick<AppleTestChain, "leafDer" | "intermediateDer" | "leafPrivateKey"> & { root: { certDer: Buffer } };

/** A compact JWS as the App Store signs one: ES256 (r‖s), `x5c` = leaf, intermediate, root. */
export function signAppleJws(chain: AppleSigningChain, payload: unknown, header: Record<string, unknown> = {}): string {
  const protectedHeader = { alg: "ES256", x5c: [chain.leafDer, chain.intermediateDer, chain.root.certDer].map((der) => der.toString("base64")), ...header };
  const signingInput = `${Buffer.from(JSON.stringify(protectedHeader)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  const signature = sign("sha256", Buffer.from(signingInput), { key: chain.leafPrivateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}
