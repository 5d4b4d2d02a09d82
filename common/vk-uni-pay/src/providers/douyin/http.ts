import { NetworkError, ProviderRejectedError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { DouyinMerchant } from "./merchant";

/**
 * One JSON call to a Douyin server API over HTTPS. Neither system signs its answers (the trade system's
 * APIs are authenticated by the `access-token` header, ecpay's by the request's salt signature), so the
 * answer is trusted as TLS delivered it; what matters for money (a payment's amount, a refund's state) is
 * still bound to the stored order by the core.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/query-order
 */
export async function postDouyinJson(
  merchant: DouyinMerchant,
  runtime: ProviderRuntime,
  call: { host: string; path: string; body: Record<string, unknown>; accessToken?: string },
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (call.accessToken) headers["access-token"] = call.accessToken;
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(`${merchant.origin(call.host)}${call.path}`, {
      method: "POST",
      headers,
      content: JSON.stringify(call.body),
      timeout: merchant.timeoutMs,
      dataType: "",
    });
  } catch {
    // Timeouts, resets, DNS: every call here is idempotent by our order or refund number.
    throw new NetworkError();
  }
  if (!response || response.status >= 500 || response.status === 429) throw new NetworkError();
  const text = Buffer.isBuffer(response.data) ? response.data.toString("utf8") : String(response.data ?? "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new NetworkError("抖音支付返回了无法解析的数据，请稍后再试");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new NetworkError("抖音支付返回了无法解析的数据，请稍后再试");
  return body as Record<string, unknown>;
}

/**
 * Douyin's business error envelope: `err_no` 0 is success; anything else keeps Douyin's code and message
 * (`err_msg` in the trade system, `err_tips` in ecpay). An answer without `err_no` is unreadable.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/pay
 */
export function checkDouyinAnswer(body: Record<string, unknown>, failureMessage: string): Record<string, unknown> {
  const errNo = body.err_no;
  if (errNo === 0 || errNo === "0") return body;
  if (errNo === undefined || errNo === null) throw new NetworkError("抖音支付返回了无法解析的数据，请稍后再试");
  const message = typeof body.err_msg === "string" && body.err_msg ? body.err_msg : typeof body.err_tips === "string" ? body.err_tips : "";
  throw new ProviderRejectedError(String(errNo).slice(0, 32), message.slice(0, 200), failureMessage);
}

export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A field Douyin sends as a number or a numeric string, as integer fen; undefined when absent or malformed. */
export function fenOf(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d{1,13}$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

export function stringOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return typeof value === "string" && value !== "" ? value : undefined;
}
