import { constants, sign, verify, type KeyObject } from "node:crypto";

/**
 * SHA256WithRSA/PSS as Huawei Payment Kit signs merchant requests and `orderStr`: MGF1 with SHA-256 and a
 * salt as long as the digest (32 bytes; the official Go sample's `PSSSaltLengthEqualsHash`, the Python
 * sample's `PSS.DIGEST_LENGTH`), base64.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview (签名算法)
 */
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

export function rsaPssSign(content: string, privateKey: KeyObject): string {
  return sign("sha256", Buffer.from(content, "utf8"), { key: privateKey, ...PSS }).toString("base64");
}

export function rsaPssVerify(content: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify("sha256", Buffer.from(content, "utf8"), { key: publicKey, ...PSS }, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
