import { ValidationError } from "../../core/errors";

/**
 * The caller's `refund({ other })`, ready to go under the fields the core decides (numbers, amounts,
 * notify_url), which are written after it and so always win. v3 takes JSON values as they are
 * (`funds_account: "AVAILABLE"`, `goods_detail`); v2 takes text only (`refund_account`).
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (v3 退款申请: funds_account)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (v2 申请退款: refund_account)
 */
export function refundExtras(other: Record<string, unknown> | undefined): Record<string, unknown> {
  return other ? { ...other } : {};
}

/** v2's fields are XML text: a number becomes its digits, anything else is refused. */
export function refundExtrasV2(other: Record<string, unknown> | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(other ?? {})) {
    if (typeof value === "string") fields[key] = value;
    else if (typeof value === "number" && Number.isFinite(value)) fields[key] = String(value);
    else throw new ValidationError(-1, "other-invalid", `other.${key} 必须是字符串`);
  }
  return fields;
}
