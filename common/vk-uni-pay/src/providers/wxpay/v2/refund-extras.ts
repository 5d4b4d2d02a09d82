import { ValidationError } from "../../../core/errors";

/**
 * v2's share of the caller's `refund({ other })` (e.g. `refund_account`), spread under the fields the core
 * decides, which are written after it and so always win. v2's fields are XML text: a number becomes its
 * digits, anything else is refused before the request is sent. (v3 takes `other`'s JSON values as they are.)
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (v2 申请退款: refund_account)
 */
export function refundExtrasV2(other: Record<string, unknown> | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(other ?? {})) {
    if (typeof value === "string") fields[key] = value;
    else if (typeof value === "number" && Number.isFinite(value)) fields[key] = String(value);
    else throw new ValidationError(-1, "other-invalid", `other.${key} 必须是字符串`);
  }
  return fields;
}
