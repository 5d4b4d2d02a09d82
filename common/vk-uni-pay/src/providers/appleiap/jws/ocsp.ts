import { createHash, verify as verifySignature, X509Certificate } from "node:crypto";
import type { ProviderRuntime } from "../../../kernel/contract";
import { children, dottedOid, encodeTlv, encodingOf, readTlv, type Tlv } from "./der-extensions";
import type { RevocationCheck } from "./verifier";
import { AppleVerificationError } from "./verification-error";

/**
 * Online revocation checking of the App Store chain, as Apple's SignedDataVerifier does it with online
 * checks on: an OCSP request (RFC 6960, SHA-256 CertID) for the leaf against the intermediate and for the
 * intermediate against the root, sent to the URL in the certificate's Authority Information Access; the
 * answer must be signed by the issuer (or a responder certificate the issuer made for OCSP signing), name
 * this certificate, say `good`, and be current within 60 s.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960
 * @see https://github.com/apple/app-store-server-library-node/blob/main/jws_verification.ts
 */

const SHA256_OID = Buffer.from("0609608648016503040201", "hex");
const OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1";
const OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
const MAX_SKEW_MS = 60_000;
const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
};

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const NULL = Buffer.from([0x05, 0x00]);

function failure(detail: string): never {
  throw new AppleVerificationError("FAILURE", `OCSP: ${detail}`);
}

/** TBSCertificate's fields, with the optional `[0] version` skipped so indexes are the same for every certificate. */
function tbsFields(der: Buffer): Tlv[] {
  const [tbs] = children(der, readTlv(der, 0, der.length));
  const fields = children(der, tbs!);
  return fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
}

/** The CertID of `certificate` as issued by `issuer`, with SHA-256 as Apple's library sends it. */
export function ocspCertId(certificate: X509Certificate, issuer: X509Certificate): Buffer {
  const issuerFields = tbsFields(issuer.raw);
  const subjectName = encodingOf(issuer.raw, issuerFields[4]!);
  const [, keyBits] = children(issuer.raw, issuerFields[5]!);
  const issuerKey = issuer.raw.subarray(keyBits!.start + 1, keyBits!.end);
  const serial = encodingOf(certificate.raw, tbsFields(certificate.raw)[0]!);
  const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest();
  return encodeTlv(
    SEQUENCE,
    Buffer.concat([
      encodeTlv(SEQUENCE, Buffer.concat([SHA256_OID, NULL])),
      encodeTlv(OCTET_STRING, sha256(subjectName)),
      encodeTlv(OCTET_STRING, sha256(issuerKey)),
      serial,
    ]),
  );
}

export function ocspRequest(certId: Buffer): Buffer {
  // OCSPRequest { tbsRequest { requestList { Request { reqCert } } } }
  return encodeTlv(SEQUENCE, encodeTlv(SEQUENCE, encodeTlv(SEQUENCE, encodeTlv(SEQUENCE, certId))));
}

function generalizedTime(der: Buffer, tlv: Tlv): number {
  const text = der.subarray(tlv.start, tlv.end).toString("ascii");
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  if (tlv.tag !== 0x18 || !match) failure("a time is not a GeneralizedTime");
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

function signerOf(candidates: X509Certificate[], issuer: X509Certificate, now: number): X509Certificate[] {
  return candidates.filter((candidate) => {
    if (candidate.raw.equals(issuer.raw)) return true;
    // A delegated responder: issued by the issuer for OCSP signing, and valid now.
    const delegated = candidate.checkIssued(issuer) && candidate.verify(issuer.publicKey) && (candidate.keyUsage ?? []).includes(OCSP_SIGNING);
    return delegated && Date.parse(candidate.validFrom) <= now + MAX_SKEW_MS && Date.parse(candidate.validTo) >= now - MAX_SKEW_MS;
  });
}

/** Checks an OCSP answer (DER) for `certId`, at `now`; throws an AppleVerificationError unless the certificate is good. */
export function checkOcspResponse(answer: Buffer, certId: Buffer, issuer: X509Certificate, now: number): void {
  try {
    const top = children(answer, readTlv(answer, 0, answer.length));
    const status = top[0];
    if (!status || status.tag !== 0x0a || answer[status.start] !== 0) failure(`responseStatus ${status ? answer[status.start] : "missing"}`);
    const bytes = children(answer, children(answer, top[1]!)[0]!);
    if (dottedOid(answer.subarray(bytes[0]!.start, bytes[0]!.end)) !== OCSP_BASIC) failure("not a basic OCSP response");
    const basic = answer.subarray(bytes[1]!.start, bytes[1]!.end);
    const [tbs, algorithm, signatureBits, certsField] = children(basic, readTlv(basic, 0, basic.length));
    const hash = SIGNATURE_HASHES[dottedOid(basic.subarray(children(basic, algorithm!)[0]!.start, children(basic, algorithm!)[0]!.end))];
    if (!hash) failure("unsupported signature algorithm");
    const carried = certsField ? children(basic, children(basic, certsField)[0]!).map((cert) => new X509Certificate(encodingOf(basic, cert))) : [];
    const signed = encodingOf(basic, tbs!);
    const signature = basic.subarray(signatureBits!.start + 1, signatureBits!.end);
    if (!signerOf([issuer, ...carried], issuer, now).some((signer) => verifySignature(hash, signed, signer.publicKey, signature)))
      failure("not signed by the issuer or its OCSP responder");
    const data = children(basic, tbs!);
    const responses = data.find((field, index) => index > 0 && field.tag === SEQUENCE && children(basic, field).every((entry) => entry.tag === SEQUENCE));
    for (const single of responses ? children(basic, responses) : []) {
      const [id, certStatus, thisUpdate, next] = children(basic, single);
      if (!encodingOf(basic, id!).equals(certId)) continue;
      if (certStatus!.tag !== 0x80) failure(certStatus!.tag === 0xa1 ? "the certificate is revoked" : "the certificate's status is unknown");
      if (generalizedTime(basic, thisUpdate!) > now + MAX_SKEW_MS) failure("the answer is from the future");
      if (next?.tag === 0xa0 && generalizedTime(basic, children(basic, next)[0]!) < now - MAX_SKEW_MS) failure("the answer is out of date");
      return;
    }
    failure("no answer for this certificate");
  } catch (error) {
    if (error instanceof AppleVerificationError) throw error;
    failure("the answer is not a readable OCSP response");
  }
}

/** A good answer is trusted for 15 minutes, as Apple's library caches a verified chain, so a burst of notifications costs one round trip. */
const GOOD_FOR_MS = 15 * 60_000;
const MAX_CACHED = 32;
const goodUntil = new Map<string, number>();

/** The RevocationCheck the verifier runs online: one OCSP round trip per certificate, through the library's HTTP client. */
export function ocspRevocationCheck(runtime: ProviderRuntime, timeoutMs = 30_000): RevocationCheck {
  return async (certificate, issuer) => {
    const key = `${certificate.fingerprint256}|${issuer.fingerprint256}`;
    if ((goodUntil.get(key) ?? 0) > runtime.now()) return;
    const url = /^OCSP - URI:(.+)$/m.exec(certificate.infoAccess ?? "")?.[1]?.trim();
    if (!url) throw new AppleVerificationError("INVALID_CERTIFICATE", "OCSP: the certificate names no responder");
    const certId = ocspCertId(certificate, issuer);
    let response;
    try {
      response = await runtime.request(url, {
        method: "POST",
        headers: { "Content-Type": "application/ocsp-request" },
        content: ocspRequest(certId),
        timeout: timeoutMs,
      });
    } catch {
      throw new AppleVerificationError("RETRYABLE_VERIFICATION_FAILURE", "OCSP: the responder cannot be reached");
    }
    if (response.status < 200 || response.status >= 300)
      throw new AppleVerificationError("RETRYABLE_VERIFICATION_FAILURE", `OCSP: the responder answered HTTP ${response.status}`);
    checkOcspResponse(response.data, certId, issuer, runtime.now());
    if (goodUntil.size >= MAX_CACHED) goodUntil.clear();
    goodUntil.set(key, runtime.now() + GOOD_FOR_MS);
  };
}
