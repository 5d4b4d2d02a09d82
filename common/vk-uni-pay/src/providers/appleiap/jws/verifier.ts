import { X509Certificate, verify as verifySignature } from "node:crypto";
import { certificateExtensionOids } from "./der-extensions";
import { payloadFits, type AppleEnvironment, type AppleNotification, type AppleRenewalInfo, type AppleTransaction, type PayloadKind } from "./payloads";
import { AppleVerificationError, type AppleVerificationStatus } from "./verification-error";
import { checkedTextSha256, withEvidence, type SignatureEvidence } from "../../../core/errors";

/**
 * App Store signed data (StoreKit 2 `jwsRepresentation`, Server API answers, Server Notifications V2),
 * verified the way Apple's own SignedDataVerifier does it, in the same order and with the same verdicts:
 * payload shape, the `x5c` chain to a trusted root with Apple's marker OIDs, certificate dates, the ES256
 * signature, then the app's identity and environment.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/jwstransaction
 * @see https://developer.apple.com/documentation/appstoreservernotifications/signedpayload
 * @see https://github.com/apple/app-store-server-library-node/blob/main/jws_verification.ts
 */

/** Apple's "Mac App Store and iTunes Store Receipt Signing" marker, which every App Store leaf carries. */
export const APPLE_LEAF_OID = "1.2.840.113635.100.6.11.1";
/** Apple's "Worldwide Developer Relations" intermediate marker. */
export const APPLE_INTERMEDIATE_OID = "1.2.840.113635.100.6.2.1";
/** The clock skew Apple's library allows on certificate dates. */
const MAX_SKEW_MS = 60_000;

/** An online revocation check of one certificate against its issuer; throws an AppleVerificationError. */
export type RevocationCheck = (certificate: X509Certificate, issuer: X509Certificate) => Promise<void>;

export interface AppleVerifierOptions {
  /** Apple Root CA - G3, plus only the roots the merchant configured explicitly. */
  roots: readonly X509Certificate[];
  environment: AppleEnvironment;
  bundleId: string;
  /** Required in Production, as in Apple's library: a notification for another app of the same bundle is refused. */
  appAppleId?: number;
  /**
   * On: certificates are checked at the current time, with `revocation` when one is given (live traffic).
   * Off: at the payload's `signedDate` (stored or replayed data, whose leaf may have expired since).
   */
  onlineChecks: boolean;
  now(): number;
  revocation?: RevocationCheck;
  /**
   * Offline only, and a departure from Apple's library: a notification without `signedDate` (older
   * sandbox notifications) is checked at its inner transaction's `signedDate` rather than now, so a
   * recorded notification can be verified after its leaf expired.
   */
  innerDateFallback?: boolean;
}

interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

function refuse(status: AppleVerificationStatus, detail: string): never {
  throw new AppleVerificationError(status, detail);
}

function decodeJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

function decode(jws: unknown): DecodedJws {
  const parts = typeof jws === "string" ? jws.split(".") : [];
  if (parts.length !== 3) refuse("VERIFICATION_FAILURE", "not a compact JWS of three parts");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeJson(headerPart);
    payload = decodeJson(payloadPart);
  } catch {
    refuse("VERIFICATION_FAILURE", "header or payload is not base64url JSON");
  }
  if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    refuse("VERIFICATION_FAILURE", "header or payload is not a JSON object");
  }
  return {
    header: header as Record<string, unknown>,
    payload: payload as Record<string, unknown>,
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, "base64url"),
  };
}

/** Leaf and intermediate from `x5c`; the third entry is never trusted, the root comes from configuration. */
function chainOf(header: Record<string, unknown>): [X509Certificate, X509Certificate] {
  const x5c = header.x5c;
  if (!Array.isArray(x5c)) refuse("INVALID_CERTIFICATE", "the header has no x5c chain");
  // Apple's library raises INVALID_CHAIN_LENGTH here but re-wraps it as INVALID_CERTIFICATE; the verdict is the latter.
  if (x5c.length !== 3) refuse("INVALID_CERTIFICATE", `x5c holds ${x5c.length} certificates, not 3`);
  try {
    return [new X509Certificate(Buffer.from(String(x5c[0]), "base64")), new X509Certificate(Buffer.from(String(x5c[1]), "base64"))];
  } catch {
    refuse("INVALID_CERTIFICATE", "an x5c certificate cannot be parsed");
  }
}

function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.issuer === parent.subject && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

function hasExtension(certificate: X509Certificate, oid: string): boolean {
  try {
    return certificateExtensionOids(certificate.raw).has(oid);
  } catch {
    return false;
  }
}

function assertInForce(certificate: X509Certificate, at: number, role: string): void {
  if (Date.parse(certificate.validFrom) > at + MAX_SKEW_MS || Date.parse(certificate.validTo) < at - MAX_SKEW_MS) {
    refuse("INVALID_CERTIFICATE", `the ${role} certificate is not valid at ${new Date(at).toISOString()}`);
  }
}

function innerSignedDate(payload: Record<string, unknown>): number | undefined {
  const data = payload.data as Record<string, unknown> | undefined;
  const inner = data?.signedTransactionInfo ?? data?.signedRenewalInfo;
  if (typeof inner !== "string") return undefined;
  try {
    const signedDate = (decodeJson(inner.split(".")[1] ?? "") as Record<string, unknown>).signedDate;
    return typeof signedDate === "number" ? signedDate : undefined;
  } catch {
    return undefined;
  }
}

interface TrustedChain {
  leaf: X509Certificate;
  intermediate: X509Certificate;
  root: X509Certificate;
}

/**
 * Chains already proven, by their exact `x5c` text. Apple signs every notification of a period with the
 * same leaf and intermediate, and one notification carries two or three JWS values: parsing both
 * certificates and checking two signatures over them each time was most of a notification's cost. Only
 * what depends on nothing but those bytes and the root is remembered (the signatures between them and the
 * marker extensions); dates, revocation and the payload's own signature are checked on every JWS.
 */
const provenChains = new Map<string, TrustedChain>();
const PROVEN_CHAINS_KEPT = 32;

/** The text a proven chain is remembered by: leaf and intermediate as sent (base64 has no "."); none for an x5c chainOf() refuses. */
function chainKey(header: Record<string, unknown>): string | undefined {
  const x5c = header.x5c;
  return Array.isArray(x5c) && x5c.length === 3 && typeof x5c[0] === "string" && typeof x5c[1] === "string" ? `${x5c[0]}.${x5c[1]}` : undefined;
}

function trustedChain(header: Record<string, unknown>, roots: readonly X509Certificate[], evidence: SignatureEvidence): TrustedChain {
  const key = chainKey(header);
  const proven = key === undefined ? undefined : provenChains.get(key);
  // A chain proven against a root this verifier does not trust proves nothing here.
  if (proven && roots.includes(proven.root)) {
    evidence.keyId = proven.leaf.serialNumber;
    return proven;
  }
  const [leaf, intermediate] = chainOf(header);
  evidence.keyId = leaf.serialNumber;
  const root = roots.find((candidate) => signedBy(intermediate, candidate));
  const chained = root !== undefined && signedBy(leaf, intermediate) && intermediate.ca;
  if (!chained) refuse("VERIFICATION_FAILURE", "x5c does not chain to a trusted root");
  if (!hasExtension(leaf, APPLE_LEAF_OID) || !hasExtension(intermediate, APPLE_INTERMEDIATE_OID))
    refuse("VERIFICATION_FAILURE", "x5c lacks Apple's certificate markers");
  const chain = { leaf, intermediate, root };
  if (key !== undefined) {
    if (provenChains.size >= PROVEN_CHAINS_KEPT) provenChains.delete(provenChains.keys().next().value!);
    provenChains.set(key, chain);
  }
  return chain;
}

export class AppleSignedDataVerifier {
  private readonly options: AppleVerifierOptions;

  constructor(options: AppleVerifierOptions) {
    if (options.environment === "Production" && options.appAppleId === undefined) {
      throw new Error("appAppleId is required to verify Production data");
    }
    this.options = options;
  }

  get environment(): AppleEnvironment {
    return this.options.environment;
  }

  /** A signed transaction (StoreKit 2, Get Transaction Info, a notification's `signedTransactionInfo`). */
  async verifyTransaction(jws: unknown): Promise<AppleTransaction> {
    const transaction = (await this.verifyJws(jws, "transaction")) as AppleTransaction;
    if (transaction.bundleId !== this.options.bundleId) refuse("INVALID_APP_IDENTIFIER", `bundleId ${transaction.bundleId} is not ${this.options.bundleId}`);
    this.assertEnvironment(transaction.environment);
    return transaction;
  }

  /** A subscription's `signedRenewalInfo`: Apple checks its environment only, it carries no bundle id. */
  async verifyRenewalInfo(jws: unknown): Promise<AppleRenewalInfo> {
    const renewal = (await this.verifyJws(jws, "renewalInfo")) as AppleRenewalInfo;
    this.assertEnvironment(renewal.environment);
    return renewal;
  }

  /** A Server Notification V2 `signedPayload`; its inner JWS values are verified separately by the caller. */
  async verifyNotification(jws: unknown): Promise<AppleNotification> {
    const notification = (await this.verifyJws(jws, "notification")) as AppleNotification;
    const identity = notification.data ?? notification.summary ?? notification.externalPurchaseToken ?? notification.appData;
    let environment = identity?.environment;
    if (!notification.data && !notification.summary && notification.externalPurchaseToken) {
      environment = notification.externalPurchaseToken.externalPurchaseId?.startsWith("SANDBOX") ? "Sandbox" : "Production";
    }
    const wrongApp = this.options.environment === "Production" && identity?.appAppleId !== this.options.appAppleId;
    if (identity?.bundleId !== this.options.bundleId || wrongApp)
      refuse("INVALID_APP_IDENTIFIER", `notification for ${identity?.bundleId} / ${identity?.appAppleId}`);
    this.assertEnvironment(environment);
    return notification;
  }

  private assertEnvironment(environment: string | undefined): void {
    if (environment !== this.options.environment) refuse("INVALID_ENVIRONMENT", `signed for ${environment}, verifier is ${this.options.environment}`);
  }

  private effectiveDate(kind: PayloadKind, payload: Record<string, unknown>): number {
    if (this.options.onlineChecks) return this.options.now();
    if (typeof payload.signedDate === "number") return payload.signedDate;
    const fallback = kind === "notification" && this.options.innerDateFallback ? innerSignedDate(payload) : undefined;
    return fallback ?? this.options.now();
  }

  private async verifyJws(jws: unknown, kind: PayloadKind): Promise<Record<string, unknown>> {
    const decoded = decode(jws);
    // Every refusal from here on says what the JWS named: its signedDate and alg, the leaf certificate's
    // serial once the chain is read (a refused chain names the leaf it refused), and the signing input's
    // hash, which is only computed when something is refused.
    const evidence: SignatureEvidence = {
      ...(typeof decoded.payload.signedDate === "number" ? { signedAt: decoded.payload.signedDate } : {}),
      ...(typeof decoded.header.alg === "string" ? { algorithm: decoded.header.alg.slice(0, 16) } : {}),
    };
    try {
      return await this.verifyDecoded(decoded, kind, evidence);
    } catch (error) {
      if (!(error instanceof AppleVerificationError)) throw error;
      throw withEvidence(error, { ...evidence, checkedTextSha256: checkedTextSha256(Buffer.from(decoded.signingInput, "ascii")) });
    }
  }

  private async verifyDecoded(decoded: DecodedJws, kind: PayloadKind, evidence: SignatureEvidence): Promise<Record<string, unknown>> {
    if (!payloadFits(kind, decoded.payload)) refuse("FAILURE", `the ${kind} payload does not have Apple's documented shape`);
    const { leaf, intermediate, root } = trustedChain(decoded.header, this.options.roots, evidence);
    const at = this.effectiveDate(kind, decoded.payload);
    assertInForce(leaf, at, "leaf");
    assertInForce(intermediate, at, "intermediate");
    assertInForce(root, at, "root");
    if (this.options.onlineChecks && this.options.revocation) {
      await Promise.all([this.options.revocation(leaf, intermediate), this.options.revocation(intermediate, root)]);
    }
    if (decoded.header.alg !== "ES256") refuse("VERIFICATION_FAILURE", `alg ${String(decoded.header.alg)} is not ES256`);
    let valid = false;
    try {
      valid = verifySignature("sha256", Buffer.from(decoded.signingInput, "ascii"), { key: leaf.publicKey, dsaEncoding: "ieee-p1363" }, decoded.signature);
    } catch {
      // A leaf key of another type, or a signature of the wrong size, is a failed verification like any other.
    }
    if (!valid) refuse("VERIFICATION_FAILURE", "the ES256 signature does not verify");
    return decoded.payload;
  }
}
