import { ConfigError, NetworkError, ProviderRejectedError, SignatureError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { AlipayMerchant } from "./merchant";
import {
  encodeAlipayForm,
  extractAlipayResponse,
  formatAlipayTimestamp,
  parseAlipayError,
  signAlipayRequest,
  verifyAlipayResponse,
  type AlipayErrorBody,
  type AlipayParams,
} from "./protocol";

/**
 * The HTTP side of Alipay OpenAPI v2 (`gateway.do`): every request signed with the app private key (RSA2),
 * every answer verified on the exact `<method>_response` substring before a field of it is read, and, in
 * certificate mode, with the certificate its `alipay_cert_sn` names (the configured one, or one Alipay
 * rotated to, trusted through the configured root: cert-store.ts).
 *
 * @see https://opendocs.alipay.com/common/02kf5q (request signature)
 * @see https://opendocs.alipay.com/common/02mse7 (response verification)
 * @see https://opendocs.alipay.com/common/02km9f (public error codes)
 */

export interface AlipayCall {
  /** The OpenAPI method, e.g. `alipay.trade.query`. */
  method: string;
  /** Business parameters, sent as the `biz_content` JSON text that is signed. */
  bizContent?: Readonly<Record<string, unknown>>;
  /** Further request parameters: `notify_url`, `app_auth_token`, or a method's own (`grant_type`, `code`). */
  params?: Readonly<Record<string, string | undefined>>;
}

/**
 * Public parameters alipay-sdk sends in the URL query (its `formatUrl`); everything else, `biz_content` in
 * particular, goes in the form body. Alipay reads both; keeping the SDK's split keeps long bodies out of URLs.
 */
const QUERY_PARAMS = new Set([
  "app_id",
  "method",
  "format",
  "charset",
  "sign_type",
  "sign",
  "timestamp",
  "version",
  "notify_url",
  "return_url",
  "auth_token",
  "app_auth_token",
  "app_cert_sn",
  "alipay_root_cert_sn",
]);

/**
 * The signed parameters of a call (public ones, certificate SNs, `biz_content`), as sent. App payments hand
 * exactly these to the App SDK instead of sending them.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export function buildSignedParams(merchant: AlipayMerchant, call: AlipayCall, nowMs: number): Record<string, string> {
  const params: Record<string, AlipayParams[string]> = {
    app_id: merchant.appId,
    method: call.method,
    format: "JSON",
    charset: "utf-8",
    sign_type: "RSA2",
    timestamp: formatAlipayTimestamp(nowMs),
    version: "1.0",
  };
  if (merchant.certificates) {
    params.app_cert_sn = merchant.certificates.appCertSn;
    params.alipay_root_cert_sn = merchant.certificates.alipayRootCertSn;
  }
  for (const [key, value] of Object.entries(call.params ?? {})) if (value !== undefined && value !== "") params[key] = value;
  if (call.bizContent !== undefined) params.biz_content = call.bizContent as Record<string, unknown>;
  return signAlipayRequest(params, merchant.privateKey);
}

/** Sends one signed call and returns the raw answer text, unverified. */
async function send(merchant: AlipayMerchant, runtime: ProviderRuntime, call: AlipayCall): Promise<string> {
  const signed = buildSignedParams(merchant, call, runtime.now());
  const query: Record<string, string> = {};
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(signed)) (QUERY_PARAMS.has(key) ? query : form)[key] = value;
  const url = `${merchant.gatewayUrl}?${encodeAlipayForm(query)}`;
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded;charset=utf-8", Accept: "application/json" },
      content: encodeAlipayForm(form),
      timeout: merchant.timeoutMs,
      dataType: "",
    });
  } catch {
    // Timeouts, resets, DNS: Alipay may or may not have seen the call; every call here is idempotent by number.
    throw new NetworkError();
  }
  if (!response || response.status !== 200) throw new NetworkError();
  return Buffer.isBuffer(response.data) ? response.data.toString("utf8") : String(response.data ?? "");
}

/** A short, single-line excerpt of a text Alipay sent, for a developer-facing message. */
function excerpt(value: unknown): string {
  return typeof value === "string" ? value.replace(/\s+/g, " ").slice(0, 120) : "";
}

/**
 * An `error_response` without `sign`: the gateway refused before the method ran (wrong app_id, a request
 * signature it rejects, a missing permission). Unsigned, it cannot make anything happen; it is reported as a
 * configuration problem with Alipay's code, never as the provider refusing the business request.
 *
 * @see https://opendocs.alipay.com/common/02km9f
 */
function unsignedRefusal(signedContent: string): ConfigError {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(signedContent) as Record<string, unknown>;
  } catch {
    // Nothing readable: the generic message below still names the situation.
  }
  const code = excerpt(body.sub_code) || excerpt(body.code) || "unknown";
  const message = excerpt(body.sub_msg) || excerpt(body.msg);
  return new ConfigError("alipay-gateway-refused", `支付宝网关拒绝了请求（${code}${message ? `：${message}` : ""}），请检查 appId、密钥与接口权限`);
}

/**
 * The failure in an unsigned `<method>_response` whose `code` is not 10000, or undefined when it claims
 * success (or is unreadable), which only a valid signature may do.
 *
 * @see https://opendocs.alipay.com/common/02km9f (公共错误码)
 */
function unsignedBusinessFailure(content: string): AlipayErrorBody | undefined {
  try {
    return parseAlipayError(JSON.parse(content) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/**
 * One call: sign, send, verify, parse. Returns the verified `<method>_response` (or signed `error_response`)
 * object, whatever its `code`: the caller decides what a business failure means for its verb.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export async function callAlipay(merchant: AlipayMerchant, runtime: ProviderRuntime, call: AlipayCall): Promise<Record<string, unknown>> {
  const text = await send(merchant, runtime, call);
  let parts: ReturnType<typeof extractAlipayResponse>;
  try {
    parts = extractAlipayResponse(text, call.method);
  } catch {
    throw new NetworkError("支付宝返回了无法解析的数据，请稍后再试");
  }
  if (!parts.sign && parts.responseKey === "error_response") throw unsignedRefusal(parts.signedContent);
  if (!parts.sign) {
    // Alipay leaves some business failures of the method itself unsigned: a refusal, readable as such since
    // it cannot make anything happen. An unsigned success falls through to verification and is refused.
    const refusal = unsignedBusinessFailure(parts.signedContent);
    if (refusal) throw rejectionOf(refusal);
  }
  return verifyAlipayResponse(text, call.method, await responseKey(merchant, parts, runtime)).body;
}

/**
 * The key a signed answer verifies with. Certificate mode names the signing certificate in `alipay_cert_sn`:
 * another one than configured means Alipay rotated it, and the provider's store (cert-store.ts) finds or
 * downloads it; without a store the mismatch is refused.
 */
async function responseKey(merchant: AlipayMerchant, parts: ReturnType<typeof extractAlipayResponse>, runtime: ProviderRuntime) {
  const certificates = merchant.certificates;
  if (!certificates || !parts.sign || parts.alipayCertSn === certificates.alipayCertSn) return merchant.alipayPublicKey;
  if (!parts.alipayCertSn) throw new SignatureError("alipay-cert-sn-missing", "支付宝应答缺少证书序列号 alipay_cert_sn");
  if (merchant.rotatedCerts) return merchant.rotatedCerts.keyFor(merchant, parts.alipayCertSn, runtime);
  throw new SignatureError("alipay-cert-sn-mismatch", "支付宝应答的证书序列号与配置的支付宝公钥证书不一致，请下载最新的支付宝公钥证书");
}

/**
 * A call whose answer is read without verifying its signature: only `alipay.open.app.alipaycert.download`,
 * whose certificate is trusted by its chain to the configured root, not by the answer's signature.
 *
 * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download
 */
export async function callAlipayUnverified(merchant: AlipayMerchant, runtime: ProviderRuntime, call: AlipayCall): Promise<Record<string, unknown>> {
  const text = await send(merchant, runtime, call);
  try {
    const value = JSON.parse(extractAlipayResponse(text, call.method).signedContent) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below as unreadable.
  }
  throw new NetworkError("支付宝返回了无法解析的数据，请稍后再试");
}

/**
 * Alipay's refusal as the core's error. `20000` (service unavailable) and `ACQ.SYSTEM_ERROR` say the outcome
 * is unknown and the same call may be repeated, so they are network failures (a refund keeps its reservation);
 * anything else is a refusal that keeps Alipay's own code and message.
 *
 * @see https://opendocs.alipay.com/common/02km9f
 */
export function rejectionOf(error: AlipayErrorBody, failureMessage?: string): Error {
  if (isOutcomeUnknown(error)) return new NetworkError(`支付宝暂时无法处理（${error.subCode ?? error.code}），请稍后再试`);
  return new ProviderRejectedError(error.subCode ?? error.code, error.subMsg ?? error.msg, failureMessage);
}

export function isOutcomeUnknown(error: AlipayErrorBody): boolean {
  return error.code === "20000" || error.subCode === "ACQ.SYSTEM_ERROR";
}

/** {@link callAlipay} for calls where only `code=10000` is a usable answer. */
export async function callAlipayOk(
  merchant: AlipayMerchant,
  runtime: ProviderRuntime,
  call: AlipayCall,
  failureMessage?: string,
): Promise<Record<string, unknown>> {
  const body = await callAlipay(merchant, runtime, call);
  const error = parseAlipayError(body);
  if (error) throw rejectionOf(error, failureMessage);
  return body;
}
