import { constants, createPublicKey, verify, type KeyObject } from "node:crypto";
import { sm2Sign } from "../../../common/vk-uni-pay/src/providers/huawei/protocol";

/**
 * The sandbox's side of Huawei's signatures, written from the 公共说明 page rather than from the library's
 * code: the sort-and-join rule, SHA256WithRSA/PSS (salt 32) for what merchants send, and SM2 for what the
 * platform sends (the SM2 arithmetic is shared: it is checked against the GB/T 32918 worked example).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview
 */
export function signingString(fields: Record<string, unknown>, keepSign = false): string {
  const parts: string[] = [];
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key];
    if ((key === "sign" && !keepSign) || value === null || value === undefined) continue;
    parts.push(`${key}=${flatten(value)}`);
  }
  return parts.join("&");
}

function flatten(value: unknown): string {
  if (Array.isArray(value)) return value.map(flatten).join(",");
  if (value && typeof value === "object") return signingString(value as Record<string, unknown>, true);
  return String(value);
}

export function merchantKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

export function verifiesPss(content: string, signature: unknown, key: KeyObject): boolean {
  if (typeof signature !== "string" || signature === "") return false;
  try {
    return verify("sha256", Buffer.from(content), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** Adds `sign` (SM2, base64 DER) over every other field, as Huawei signs answers and callbacks. */
export function platformSigned<T extends Record<string, unknown>>(fields: T, platformPrivateKeyHex: string): T & { sign: string } {
  return { ...fields, sign: sm2Sign(signingString(fields), platformPrivateKeyHex).toString("base64") };
}
