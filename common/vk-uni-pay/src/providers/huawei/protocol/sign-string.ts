/**
 * Huawei Payment Kit's string to sign (公共说明, 签名规则): `sign` is left out, the other keys are sorted in
 * ASCII order and joined as `k=v` with `&`. A null (or absent) value is left out, an empty string is kept.
 * A list becomes its elements joined by `,`, an object element written as its own sorted `k=v&k=v`. The
 * same rule builds request bodies' `bodySign`, the `headerSign`, the client's `orderStr` and the SM2 string
 * Huawei signs callbacks and responses with (there `signType` and `certNo` are included).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview
 */
export function huaweiSignString(fields: Readonly<Record<string, unknown>>, exclude: readonly string[] = ["sign"]): string {
  return Object.keys(fields)
    .filter((key) => !exclude.includes(key) && fields[key] !== null && fields[key] !== undefined)
    .sort()
    .map((key) => `${key}=${valueOf(fields[key])}`)
    .join("&");
}

function valueOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueOf).join(",");
  if (typeof value === "object" && value !== null) return huaweiSignString(value as Record<string, unknown>, []);
  return String(value);
}
