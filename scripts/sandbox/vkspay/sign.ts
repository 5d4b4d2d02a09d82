import { createHash, timingSafeEqual } from "node:crypto";

/**
 * 易支付's MD5 rule from its community documents, written for the sandbox on its own: non-empty fields but
 * `sign` and `sign_type`, sorted, `k=v` joined by `&`, not URL-encoded, then the key. `separator` is the
 * known clone variant that appends `&key=` before the key; the sandbox defaults to none, as most documents do.
 */
export function md5Sign(params: Record<string, string>, key: string, separator = ""): string {
  const content = Object.entries(params)
    .filter(([name, value]) => name !== "sign" && name !== "sign_type" && value !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  return createHash("md5").update(`${content}${separator}${key}`).digest("hex");
}

export function md5Verifies(params: Record<string, string>, key: string, separator = ""): boolean {
  const given = params.sign ?? "";
  const expected = md5Sign(params, key, separator);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
