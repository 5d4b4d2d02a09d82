/**
 * A PKCS#12 (`apiclient_cert.p12`) builder for the sandbox merchants: certificate + PBES2-encrypted key,
 * MAC'd with HMAC-SHA256. WeChat's own `.p12` files use RC2-40/3DES, which OpenSSL 3 (Node ≥ 17) refuses
 * without the legacy provider; this one uses only algorithms OpenSSL 3 loads by default, so the library's
 * `pfx` path can be exercised for real. The password is the mch_id, as WeChat's.
 * @see https://www.rfc-editor.org/rfc/rfc7292 (PKCS #12 v1.1; Appendix B: the MAC key derivation)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=4_3 (商户证书)
 */
import { createHash, createHmac, createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { ContentInfo } from "@peculiar/asn1-cms";
import {
  AuthenticatedSafe,
  CertBag,
  MacData,
  PFX,
  PKCS12Attribute,
  SafeBag,
  SafeContents,
  id_certBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
} from "@peculiar/asn1-pfx";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

const ID_DATA = "1.2.840.113549.1.7.1";
const ID_SHA256 = "2.16.840.1.101.3.4.2.1";
const ID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const MAC_ITERATIONS = 2048;

const der = (value: unknown) => Buffer.from(AsnConvert.serialize(value));
const toArrayBuffer = (buffer: Buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
const octets = (buffer: Buffer) => toArrayBuffer(der(new OctetString(toArrayBuffer(buffer))));

/** RFC 7292 B.2 with SHA-256 (u = 32, v = 64): the MAC key from a BMPString password. */
function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const u = 32;
  const v = 64;
  const bmp = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (source: Buffer) => {
    const out = Buffer.alloc(source.length === 0 ? 0 : v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length];
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(bmp)]);
  const D = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash("sha256").update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash("sha256").update(A).digest();
    blocks.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      // I_j = (I_j + B + 1) mod 2^(8v), big-endian
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function dataContent(inner: Buffer): ContentInfo {
  return new ContentInfo({ contentType: ID_DATA, content: octets(inner) });
}

/** DER of a `.p12` holding `certPem` and `privateKeyPem`, both protected by `password`. */
export function buildPkcs12(certPem: string, privateKeyPem: string, password: string): Buffer {
  const certDer = Buffer.from(new X509Certificate(certPem).raw);
  // Assigned after construction: PKCS12Attribute's constructor drops its params (asn1-pfx 2.x).
  const localKeyId = Object.assign(new PKCS12Attribute(), { attrId: ID_LOCAL_KEY_ID, attrValues: [octets(createHash("sha1").update(certDer).digest())] });
  const certBag = new SafeBag({
    bagId: id_certBag,
    bagValue: toArrayBuffer(der(new CertBag({ certId: id_x509Certificate, certValue: octets(certDer) }))),
    bagAttributes: [localKeyId],
  });
  // Node writes EncryptedPrivateKeyInfo with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC): the shrouded key bag as is.
  const shrouded = createPrivateKey(privateKeyPem).export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: password });
  const keyBag = new SafeBag({ bagId: id_pkcs8ShroudedKeyBag, bagValue: toArrayBuffer(shrouded), bagAttributes: [localKeyId] });
  const authSafe = der(new AuthenticatedSafe([dataContent(der(new SafeContents([certBag]))), dataContent(der(new SafeContents([keyBag])))]));
  const salt = randomBytes(16);
  const mac = createHmac("sha256", pkcs12Kdf(password, salt, 3, MAC_ITERATIONS, 32))
    .update(authSafe)
    .digest();
  const pfx = new PFX({
    version: 3,
    authSafe: dataContent(authSafe),
    macData: new MacData({
      mac: new DigestInfo({
        digestAlgorithm: new AlgorithmIdentifier({ algorithm: ID_SHA256, parameters: null }),
        digest: new OctetString(toArrayBuffer(mac)),
      }),
      macSalt: new OctetString(toArrayBuffer(salt)),
      iterations: MAC_ITERATIONS,
    }),
  });
  return der(pfx);
}
