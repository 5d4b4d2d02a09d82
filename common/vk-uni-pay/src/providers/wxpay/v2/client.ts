import { ConfigError, NetworkError, ProviderRejectedError, SignatureError } from "../../../core/errors";
import type { ProviderRuntime } from "../../../kernel/contract";
import { WXPAY_API_HOST } from "../merchant";
import { buildV2Xml, createV2Nonce, errorOfV2, parseV2Xml, readV2Outcome, signV2, verifyV2Signature, type V2Fields, type V2Outcome } from "./protocol";
import type { WxpayV2Merchant } from "./merchant";

/**
 * The HTTP side of WeChat Pay API v2: merchant fields, nonce and `sign` added to every request; every
 * answer parsed strictly, its `sign` verified before any field of it is used; `/secapi` calls sent with
 * the merchant's client certificate (mutual TLS). Failures become the core's errors once, here.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_2 (协议规则)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (安全规范)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_4 (商户证书: which calls need it)
 */

export interface V2Call {
  /** The official path, e.g. `/pay/unifiedorder`. */
  path: string;
  /** The call's own parameters; `appid`, `mch_id`, the sub-merchant, `nonce_str`, `sign_type` and `sign` are added here. */
  params: Readonly<Record<string, string | undefined>>;
  /** A `/secapi` call: mutual TLS with the merchant's client certificate. */
  secure?: boolean;
  /** What the user sees when WeChat refuses (Chinese, as the seed). */
  failureMessage?: string;
  /** Return `result_code=FAIL` answers instead of throwing (micropay and orderquery read `err_code`). */
  returnBusinessFailure?: boolean;
}

/** The request as sent (fields signed, XML), exported for tests and the sandbox's own checks. */
export function buildV2Request(merchant: WxpayV2Merchant, call: Pick<V2Call, "params">, nonce = createV2Nonce()): { fields: V2Fields; xml: string } {
  if (!merchant.appId) throw new ConfigError("wxpay-config-invalid", "微信支付配置缺少 appId");
  const fields: V2Fields = { appid: merchant.appId, mch_id: merchant.mchId };
  if (merchant.subAppId) fields.sub_appid = merchant.subAppId;
  if (merchant.subMchId) fields.sub_mch_id = merchant.subMchId;
  for (const [name, value] of Object.entries(call.params)) if (value !== undefined && value !== "") fields[name] = value;
  fields.nonce_str = nonce;
  // MD5 is the default when sign_type is absent; naming HMAC-SHA256 makes WeChat answer in kind.
  if (merchant.signType === "HMAC-SHA256") fields.sign_type = "HMAC-SHA256";
  fields.sign = signV2(fields, merchant.key, merchant.signType);
  return { fields, xml: buildV2Xml(fields) };
}

function urlOf(merchant: WxpayV2Merchant, call: V2Call): string {
  // baseUrl replaces scheme and host only; v2 signs fields, never the URL.
  const base = call.secure ? merchant.secapiBaseUrl(WXPAY_API_HOST) : merchant.baseUrl(WXPAY_API_HOST);
  if (call.secure && !/^https:\/\//i.test(base)) {
    throw new ConfigError("wxpay-secapi-url-invalid", "微信支付 secapiBaseUrl 必须是 https 地址（退款、撤销需要双向 TLS）");
  }
  return `${base}${call.path}`;
}

/**
 * One call: sign, send, parse, verify, read. Resolves the verified outcome; rejects with ConfigError
 * (nothing sent), NetworkError (unreachable, non-2xx, unreadable: safe to retry, every call here is
 * idempotent by number), SignatureError (an answer that is not WeChat's) or ProviderRejectedError.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3
 */
export async function callWxpayV2(merchant: WxpayV2Merchant, runtime: ProviderRuntime, call: V2Call): Promise<V2Outcome> {
  const url = urlOf(merchant, call);
  // Loaded before anything is sent, so a missing certificate is a ConfigError, never a half-made call.
  const tls = call.secure ? merchant.clientTls() : {};
  const { xml } = buildV2Request(merchant, call);
  let response: Awaited<ReturnType<ProviderRuntime["request"]>>;
  try {
    response = await runtime.request(url, {
      method: "POST",
      headers: { "Content-Type": "text/xml; charset=utf-8", Accept: "text/xml" },
      content: xml,
      timeout: merchant.timeoutMs,
      dataType: "",
      ...tls,
    });
  } catch {
    throw new NetworkError();
  }
  if (!response || typeof response.status !== "number" || response.status < 200 || response.status >= 300) throw new NetworkError();
  const data = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? "");
  let fields: V2Fields;
  try {
    fields = parseV2Xml(data);
  } catch {
    throw new NetworkError("支付平台返回了无法解析的数据，请稍后再试");
  }
  // return_code=FAIL answers are unsigned by design and can only make the call fail: read them as they are.
  if (fields.return_code !== "SUCCESS") throw new ProviderRejectedError(fields.return_code || "FAIL", fields.return_msg ?? "", call.failureMessage);
  if (!verifyV2Signature(fields, merchant.key)) {
    throw new SignatureError("wxpay-v2-response-signature-invalid", "WeChat Pay v2 response signature does not verify");
  }
  const outcome = readV2Outcome(fields);
  // A verified answer about another merchant is a protocol failure; using it would bind the wrong account.
  if (fields.mch_id !== undefined && fields.mch_id !== merchant.mchId) throw new NetworkError("支付平台返回的商户号与请求不一致，请稍后再试");
  if (outcome.kind === "business-fail" && !call.returnBusinessFailure) throw errorOfV2(outcome, call.failureMessage);
  return outcome;
}
