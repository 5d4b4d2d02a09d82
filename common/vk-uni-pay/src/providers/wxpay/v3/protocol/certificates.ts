import { WxpayV3CryptoError, WxpayV3ValidationError } from "./errors";
import { loadCertificate, normalizeSerial } from "./keys";
import { decryptResource } from "./resource";

/**
 * Decrypting `GET /v3/certificates`. This does not verify the response signature: the caller verifies the
 * response with one of the certificates it contains only after this step, because in certificate mode the
 * list is the only source of the key (WeChat Pay's own SDKs bootstrap the same way).
 *
 * @see https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/decryption-certificate.html
 * @see https://wechatpay-api.gitbook.io/wechatpay-api-v3/jie-kou-wen-dang/ping-tai-zheng-shu
 */

export interface PlatformCertificateRecord {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  /** The decrypted platform certificate. */
  pem: string;
}

function readEntry(entry: unknown): { serial_no: string; effective_time: string; expire_time: string; encrypt_certificate: unknown } {
  if (typeof entry !== "object" || entry === null) throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "certificate entry is not an object");
  const e = entry as Record<string, unknown>;
  for (const field of ["serial_no", "effective_time", "expire_time"] as const) {
    if (typeof e[field] !== "string" || e[field] === "") {
      throw new WxpayV3ValidationError("wxpay-v3-invalid-input", `certificate entry lacks ${field}`);
    }
  }
  return e as ReturnType<typeof readEntry>;
}

/**
 * Decrypts every entry and checks that each certificate really carries the serial the list claims: a
 * mismatch would file a key under the wrong `Wechatpay-Serial`.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/decryption-certificate.html
 */
export function decryptCertificates(response: unknown, apiV3Key: string | Buffer): PlatformCertificateRecord[] {
  const data = typeof response === "object" && response !== null ? (response as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "certificates response has no data array");
  return data.map((raw) => {
    const entry = readEntry(raw);
    const pem = decryptResource(entry.encrypt_certificate, apiV3Key);
    let serial: string;
    try {
      serial = loadCertificate(pem).serialNo;
    } catch {
      throw new WxpayV3CryptoError("wxpay-v3-certificate-serial-mismatch", `certificate ${entry.serial_no.slice(0, 64)} did not decrypt to a certificate`);
    }
    if (normalizeSerial(serial) !== normalizeSerial(entry.serial_no)) {
      throw new WxpayV3CryptoError("wxpay-v3-certificate-serial-mismatch", `certificate listed as ${entry.serial_no.slice(0, 64)} has serial ${serial}`);
    }
    return { serial_no: entry.serial_no, effective_time: entry.effective_time, expire_time: entry.expire_time, pem };
  });
}
