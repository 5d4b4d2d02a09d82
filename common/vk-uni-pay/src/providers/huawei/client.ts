import { randomBytes } from "node:crypto";
import { NetworkError, SignatureError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { HuaweiMerchant } from "./merchant";
import { huaweiSignString, rsaPssSign, verifySm2Fields } from "./protocol";

/**
 * One call to Huawei Payment Kit's server API. The request carries a `PayMercAuth` header (a JSON string):
 * `bodySign` signs the sorted body, or for a GET the request URI's path and query; `headerSign` signs the
 * sorted header fields other than itself, `bodySign` included (the official Java sample builds exactly
 * `authId=…&bodySign=…&callerId=…&time=…&traceId=…`). Every answer carries Huawei's SM2 `sign`, which is
 * verified before any field is read: an answer that does not verify is treated as unreadable.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-model (PayMercAuth)
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview
 */

export const HUAWEI_OK = "000000";

export type HuaweiAnswer = Readonly<Record<string, unknown>> & { resultCode?: string; resultDesc?: string };

/** PayMercAuth for one request, signed with the merchant's RSA key. */
export function payMercAuth(merchant: HuaweiMerchant, signedContent: string, now: number): string {
  const header: Record<string, unknown> = {
    callerId: merchant.mchId,
    traceId: randomBytes(16).toString("hex"),
    time: now,
    authId: merchant.authId,
    bodySign: rsaPssSign(signedContent, merchant.privateKey),
  };
  header.headerSign = rsaPssSign(huaweiSignString(header), merchant.privateKey);
  return JSON.stringify(header);
}

export async function huaweiRequest(
  merchant: HuaweiMerchant,
  runtime: ProviderRuntime,
  call: { method: "GET"; path: string } | { method: "POST"; path: string; body: Record<string, unknown> },
): Promise<HuaweiAnswer> {
  const signed = call.method === "GET" ? call.path : huaweiSignString(call.body);
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(`${merchant.origin}${call.path}`, {
      method: call.method,
      headers: {
        "Content-Type": "application/json; charset=UTF-8",
        Accept: "application/json",
        PayMercAuth: payMercAuth(merchant, signed, runtime.now()),
      },
      ...(call.method === "POST" ? { content: JSON.stringify(call.body) } : {}),
      timeout: merchant.timeoutMs,
      dataType: "",
    });
  } catch {
    // A timeout or reset: Huawei may have seen the call; every call here is idempotent by our numbers.
    throw new NetworkError();
  }
  const text = Buffer.isBuffer(response?.data) ? response.data.toString("utf8") : String(response?.data ?? "");
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    if (!response || response.status >= 500) throw new NetworkError();
    throw new SignatureError("huawei-answer-invalid", `Huawei answered ${call.path} with HTTP ${response?.status} and no JSON`);
  }
  if (typeof answer !== "object" || answer === null || Array.isArray(answer))
    throw new SignatureError("huawei-answer-invalid", `Huawei answered ${call.path} with no JSON object`);
  if (!verifySm2Fields(answer as Record<string, unknown>, merchant.platformPublicKey)) {
    throw new SignatureError("huawei-answer-signature", `Huawei's answer to ${call.path} does not verify with platformPublicKey (SM2)`);
  }
  return answer as HuaweiAnswer;
}
