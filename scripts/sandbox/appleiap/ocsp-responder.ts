import { sign, X509Certificate, type KeyObject } from "node:crypto";

/**
 * An OCSP responder for the sandbox chain (RFC 6960 §4.2), written from the RFC: it reads the CertID of
 * a request, answers it `good` or `revoked` by the certificate's serial, and signs the BasicOCSPResponse
 * with the issuer's key (ecdsa-with-SHA256), naming the issuer as responder.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2.1
 */

function tlv(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), contents]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const time = (ms: number) => tlv(0x18, Buffer.from(new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z", "ascii"));

/** Offset and length of the TLV at `at`. */
function read(der: Buffer, at: number): { start: number; end: number } {
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return { start, end: start + length };
}

/** The first Request's CertID, whole (OCSPRequest → tbsRequest → requestList → Request → reqCert). */
export function requestedCertId(request: Buffer): Buffer {
  let at = 0;
  for (let depth = 0; depth < 4; depth++) at = read(request, at).start;
  return request.subarray(at, read(request, at).end);
}

/** The serialNumber INTEGER inside a CertID (its fourth element), as DER. */
function serialOf(certId: Buffer): Buffer {
  let at = read(certId, 0).start;
  for (let i = 0; i < 3; i++) at = read(certId, at).end;
  return certId.subarray(at, read(certId, at).end);
}

/** The serial a certificate's CertID carries, for the responder's status table. */
export function serialHex(certificate: X509Certificate): string {
  return certificate.serialNumber.toUpperCase();
}

export interface OcspAnswer {
  issuer: X509Certificate;
  /** The responder: the issuer itself, or a certificate it issued for OCSP signing (then carried in `certs`). */
  signer: X509Certificate;
  signerKey: KeyObject;
  /** By serial (uppercase hex): revoked ones; every other certificate is good. */
  revoked: ReadonlySet<string>;
  now: number;
}

export function ocspResponse(request: Buffer, answer: OcspAnswer): Buffer {
  const certId = requestedCertId(request);
  const serialDer = serialOf(certId);
  const serial = serialDer.subarray(read(serialDer, 0).start).toString("hex").toUpperCase().replace(/^00/, "");
  const status = answer.revoked.has(serial) ? tlv(0xa1, time(answer.now - 3600_000)) : Buffer.from([0x80, 0x00]);
  const single = seq(certId, status, time(answer.now - 60_000), tlv(0xa0, time(answer.now + 3600_000)));
  // responderID byName: the signer's subject, taken from its own DER (TBSCertificate field 6 after the version).
  const raw = answer.signer.raw;
  const tbs = read(raw, read(raw, 0).start);
  let at = tbs.start;
  const fields: Array<{ at: number; end: number }> = [];
  while (at < tbs.end) {
    const { end } = read(raw, at);
    fields.push({ at, end });
    at = end;
  }
  const subject = fields[raw[fields[0]!.at] === 0xa0 ? 5 : 4]!;
  const responseData = seq(tlv(0xa1, raw.subarray(subject.at, subject.end)), time(answer.now), seq(single));
  const signature = sign("sha256", responseData, answer.signerKey);
  const ecdsaWithSha256 = seq(Buffer.from("06082a8648ce3d040302", "hex"));
  const basic = seq(responseData, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])), tlv(0xa0, seq(raw)));
  const basicOid = Buffer.from("06092b0601050507300101", "hex");
  return seq(Buffer.from([0x0a, 0x01, 0x00]), tlv(0xa0, seq(basicOid, tlv(0x04, basic))));
}
