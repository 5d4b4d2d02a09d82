import { NetworkError, ProviderRejectedError } from "../../../core/errors";
import type { ProviderRuntime } from "../../../kernel/contract";
import { WXPAY_API_HOST, type WxpayMerchant } from "../merchant";
import { currentTimestamp, isRetryableStatus, parseErrorBody, signRequest } from "./protocol";

/**
 * The HTTP side of WeChat Pay API v3: every request signed with the merchant key (`Authorization`), every
 * signed response verified before a byte of it is parsed, and WeChat's failures turned into the core's
 * errors (`{code,message}` → ProviderRejectedError with WeChat's code; 5xx, 429, timeouts → NetworkError).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay2_0.shtml (transport and errors)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml (request signature)
 */

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  data: Buffer;
}

/** Checks a response's `Wechatpay-*` signature (platform-certs.ts); throws SignatureError when it fails. */
export interface ResponseVerifier {
  verify(response: RawResponse, merchant: WxpayMerchant, runtime: ProviderRuntime): Promise<void>;
}

export interface WxpayCall {
  method: "GET" | "POST";
  /** The official path, e.g. `/v3/pay/transactions/jsapi`; path parameters already encoded. */
  path: string;
  query?: Readonly<Record<string, string>>;
  body?: unknown;
  /** What the user sees when WeChat refuses (Chinese, as the seed). */
  failureMessage?: string;
  /** `Wechatpay-Serial` when the body carries fields encrypted for WeChat (v3/sensitive.ts). */
  encryptedFor?: string;
}

export interface WxpayResult {
  status: number;
  /** The parsed JSON body; undefined for 204. */
  body: Record<string, unknown> | undefined;
}

const USER_AGENT = "vk-uni-pay (WeChatPay APIv3; Node.js)";

/**
 * Path plus raw query: exactly what is both sent and signed.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function canonicalUrlOf(call: Pick<WxpayCall, "path" | "query">): string {
  const query = call.query ? new URLSearchParams(call.query as Record<string, string>).toString() : "";
  return query ? `${call.path}?${query}` : call.path;
}

/**
 * Sends one signed request and returns the raw answer, unverified. Only platform-certs.ts uses this
 * directly (the certificate list is verified with the certificates it carries); everything else goes
 * through {@link callWxpay}.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export async function sendSigned(merchant: WxpayMerchant, runtime: ProviderRuntime, call: WxpayCall): Promise<RawResponse> {
  const canonicalUrl = canonicalUrlOf(call);
  const content = call.body === undefined ? "" : JSON.stringify(call.body);
  const signed = signRequest({
    mchid: merchant.mchId,
    serialNo: merchant.serialNo,
    privateKey: merchant.privateKey,
    method: call.method,
    canonicalUrl,
    body: content,
    timestamp: currentTimestamp(runtime.now()),
  });
  const headers: Record<string, string> = { Authorization: signed.authorization, Accept: "application/json", "User-Agent": USER_AGENT };
  if (content) headers["Content-Type"] = "application/json";
  // Names the key that can decrypt the body's sensitive fields; not part of the signature.
  if (call.encryptedFor) headers["Wechatpay-Serial"] = call.encryptedFor;
  // The baseUrl replaces scheme and host only; the signature above already covers the official path.
  const url = `${merchant.baseUrl(WXPAY_API_HOST)}${canonicalUrl}`;
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(url, { method: call.method, headers, ...(content ? { content } : {}), timeout: merchant.timeoutMs, dataType: "" });
  } catch {
    // Timeouts, resets, DNS: WeChat may or may not have seen the request; every call here is idempotent by number.
    throw new NetworkError();
  }
  if (!response || typeof response.status !== "number") throw new NetworkError();
  const data = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? "");
  return { status: response.status, headers: response.headers ?? {}, data };
}

function hasSignature(headers: ResponseHeaders): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === "wechatpay-signature");
}

function parseJsonObject(data: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch {
    throw new NetworkError("支付平台返回了无法解析的数据，请稍后再试");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new NetworkError("支付平台返回了无法解析的数据，请稍后再试");
  return value as Record<string, unknown>;
}

/**
 * WeChat's refusal as the core's error: its own code and message are kept for the developer.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay2_0.shtml (error codes and retries)
 */
export function errorOf(response: RawResponse, failureMessage?: string): Error {
  const body = parseErrorBody(response.data);
  if (isRetryableStatus(response.status) || !body) {
    return new NetworkError(body ? `支付平台暂时无法处理（${body.code}），请稍后再试` : undefined);
  }
  return new ProviderRejectedError(body.code, body.message, failureMessage);
}

/**
 * One API call: sign, send, verify, parse. A 2xx must carry a valid signature (an unsigned success is
 * refused); an error answer is verified when signed, and read only for its code otherwise, since it can
 * make nothing happen.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
 */
export async function callWxpay(merchant: WxpayMerchant, runtime: ProviderRuntime, verifier: ResponseVerifier, call: WxpayCall): Promise<WxpayResult> {
  const response = await sendSigned(merchant, runtime, call);
  const ok = response.status >= 200 && response.status < 300;
  if (ok || hasSignature(response.headers)) await verifier.verify(response, merchant, runtime);
  if (!ok) throw errorOf(response, call.failureMessage);
  return { status: response.status, body: response.data.length === 0 ? undefined : parseJsonObject(response.data) };
}
