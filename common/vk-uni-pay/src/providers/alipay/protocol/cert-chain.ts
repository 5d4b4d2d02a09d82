import { X509Certificate } from "node:crypto";
import { AlipaySignatureError } from "./errors";

/**
 * Certificate mode's trust anchor: an Alipay public-key certificate that did not come from the merchant's
 * own configuration (one downloaded after a rotation) is used only if it chains, through the
 * intermediates the file itself carries, to a certificate of the configured root bundle, and every link is
 * within its validity period. This is what Alipay's Java SDK checks (`AntCertificationUtil.isTrusted`)
 * before it adopts a downloaded certificate.
 *
 * @see https://opendocs.alipay.com/common/02kdnc (公钥证书方式)
 * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download
 */

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Leaf, at most a few intermediates, root: a longer chain is not one Alipay issues. */
const MAX_DEPTH = 4;

function untrusted(message: string): AlipaySignatureError {
  return new AlipaySignatureError("alipay-signature-invalid", `Alipay certificate is not trusted: ${message}`);
}

/** Every certificate of a PEM text, in file order. */
export function parseAlipayCertificates(pem: string | Buffer): X509Certificate[] {
  const blocks = (typeof pem === "string" ? pem : pem.toString("utf8")).match(PEM_BLOCK) ?? [];
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw untrusted("a certificate cannot be parsed");
    }
  });
}

function inForce(certificate: X509Certificate, nowMs: number): boolean {
  return Date.parse(certificate.validFrom) <= nowMs && nowMs <= Date.parse(certificate.validTo);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * The leaf (first certificate) of `pem` once its chain to `roots` holds at `nowMs`; throws otherwise.
 */
export function verifyAlipayCertChain(pem: string | Buffer, roots: readonly X509Certificate[], nowMs: number): X509Certificate {
  const [leaf, ...carried] = parseAlipayCertificates(pem);
  if (!leaf) throw untrusted("no certificate");
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!inForce(current, nowMs)) throw untrusted(`${current.subject.split("\n").pop()} is outside its validity period`);
    const root = roots.find((candidate) => issuedBy(current, candidate));
    if (root) {
      if (!inForce(root, nowMs)) throw untrusted("the root certificate is outside its validity period");
      return leaf;
    }
    const next = carried.find((candidate) => candidate.ca && issuedBy(current, candidate));
    if (!next) throw untrusted("it does not chain to the configured root certificate");
    current = next;
  }
  throw untrusted("its chain is too long");
}
