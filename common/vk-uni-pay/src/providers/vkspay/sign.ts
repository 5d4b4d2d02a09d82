import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The MD5 signature of the aggregator protocol known as 易支付, which this library speaks for VksPay (whose
 * own wire protocol is not public): drop `sign`, `sign_type` and empty values, sort by key, join `k=v` with
 * `&` without URL-encoding, append the merchant key directly (no `&key=`), lowercase hex MD5.
 *
 * @see https://z-pay.cn/ (a copy of the 易支付 interface document: MD5签名算法; there is no official specification)
 */
export function epaySignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== "sign" && key !== "sign_type" && params[key] !== "" && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

export function epaySign(params: Readonly<Record<string, string>>, key: string): string {
  return createHash("md5")
    .update(epaySignContent(params) + key, "utf8")
    .digest("hex");
}

export function epayVerify(params: Readonly<Record<string, string>>, key: string): boolean {
  const given = params.sign;
  if (typeof given !== "string" || !/^[0-9a-fA-F]{32}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase()), Buffer.from(epaySign(params, key)));
}
