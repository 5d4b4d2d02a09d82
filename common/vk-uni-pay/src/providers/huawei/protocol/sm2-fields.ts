import { huaweiSignString } from "./sign-string";
import { sm2Verify, type Sm2PublicKey } from "./sm2";

/**
 * What Huawei Pay signs with its SM2 key, callbacks and API answers alike (`BaseGwRspWithSign`): every field
 * but `sign` (so `signType` and `certNo` too) by the common sort-and-join rule, the signature in base64 DER.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-pay-notify
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-model (BaseGwRspWithSign)
 */
export function verifySm2Fields(fields: Readonly<Record<string, unknown>>, key: Sm2PublicKey): boolean {
  const sign = fields.sign;
  if (typeof sign !== "string" || sign === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(sign)) return false;
  return sm2Verify(huaweiSignString(fields), Buffer.from(sign, "base64"), key);
}

/** The exact reply Huawei Pay expects within 3 seconds; anything else is delivered again. */
export const HUAWEI_NOTIFY_ACK = { resultCode: "000000", resultDesc: "Success." } as const;
