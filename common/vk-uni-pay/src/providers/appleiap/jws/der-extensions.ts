/**
 * The extension OIDs of an X.509 certificate. node:crypto's X509Certificate exposes no extensions beyond
 * a few named ones, and Apple's chain check needs two of Apple's own (RFC 5280 §4.1: Certificate →
 * TBSCertificate → `[3] EXPLICIT Extensions`, each Extension a SEQUENCE starting with its OID).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */

export interface Tlv {
  tag: number;
  /** Where the tag byte is. */
  header: number;
  /** Where the contents start and end (exclusive). */
  start: number;
  end: number;
}

export function readTlv(der: Buffer, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error("truncated DER");
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 4 || start + bytes > limit) throw new Error("bad DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new Error("truncated DER");
  return { tag, header: at, start, end };
}

export function children(der: Buffer, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = readTlv(der, at, parent.end);
    list.push(child);
    at = child.end;
  }
  return list;
}

/** Dotted form of a DER OBJECT IDENTIFIER's contents (X.690 §8.19). */
export function dottedOid(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const [first = 0, ...rest] = arcs;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join(".");
}

const SEQUENCE = 0x30;
const OID = 0x06;
const EXTENSIONS = 0xa3;

/** Every extension OID the certificate carries; throws on a certificate that is not well-formed DER. */
export function certificateExtensionOids(der: Buffer): Set<string> {
  const certificate = readTlv(der, 0, der.length);
  if (certificate.tag !== SEQUENCE) throw new Error("not a certificate");
  const [tbs] = children(der, certificate);
  if (!tbs || tbs.tag !== SEQUENCE) throw new Error("not a certificate");
  const oids = new Set<string>();
  for (const field of children(der, tbs)) {
    if (field.tag !== EXTENSIONS) continue;
    const [list] = children(der, field);
    for (const extension of list ? children(der, list) : []) {
      const [id] = children(der, extension);
      if (id?.tag === OID) oids.add(dottedOid(der.subarray(id.start, id.end)));
    }
  }
  return oids;
}

/** The whole encoding (tag, length and contents) of a TLV read from `der`. */
export function encodingOf(der: Buffer, tlv: Tlv): Buffer {
  return der.subarray(tlv.header, tlv.end);
}

/** A DER TLV with `contents`, for the few structures the library writes (an OCSP request). */
export function encodeTlv(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), contents]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), contents]);
}
