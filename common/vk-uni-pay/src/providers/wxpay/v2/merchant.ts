import { createSecureContext } from "node:tls";
import { cachedMerchantReader } from "../../merchant-reader";
import { readBaseUrl } from "../../../core/base-url";
import { ConfigError, ValidationError } from "../../../core/errors";
import type { MerchantConfig, PartnerRef } from "../../../kernel/contract";
import type { CodepayTiming } from "../../codepay-loop";
import { DEFAULT_TIMEOUT_MS, fail, material, OFFICIAL_HOSTS, optionalString, readH5Info, readWxpayCodepayTiming } from "../merchant";
import { checkV2Key, isV2SignType, type V2SignType } from "./protocol";

/**
 * A sub-config read for WeChat Pay API v2: the `key` that signs everything, the optional service-provider
 * sub-merchant, the hosts, the pay-code timing, and (loaded only when a `/secapi` call needs it) the
 * merchant's client certificate for mutual TLS. Pay-code payments of a version-3 config read this too,
 * since micropay only exists in v2.
 *
 * Config keys beyond vk-uni-pay's (`mchId`, `appId`, `key`, `pfx`, `appCertPath`/`appPrivateKeyPath` and
 * their `*Content` twins, `sceneInfo`, `baseUrl`, `timeout`): `signType` ("MD5" | "HMAC-SHA256"),
 * `subMchId`/`subAppId`, `pfxPath`, `pfxPassphrase` (default: `mchId`), `secapiBaseUrl` (the mutual-TLS
 * host, default `baseUrl`), `secapiCaPath`/`secapiCaContent` (a CA to trust for it, e.g. a sandbox's),
 * `codepayPollIntervalMs`, `codepayMaxWaitMs`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (API key)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_4 (商户证书)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi_sl.php?chapter=9_1 (service provider: sub_mch_id, sub_appid)
 */

/** What `runtime.request` passes to urllib (and so to node's https) for a mutual-TLS call. */
export interface V2ClientTls {
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: Buffer;
  passphrase?: string;
  ca?: string | Buffer;
}

export interface WxpayV2Merchant {
  readonly mchId: string;
  readonly appId?: string;
  readonly key: string;
  readonly signType: V2SignType;
  readonly subMchId?: string;
  readonly subAppId?: string;
  readonly h5Info?: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly codepay: CodepayTiming;
  /** The origin (plus optional path prefix) that replaces `https://api.mch.weixin.qq.com`. */
  baseUrl(host: string): string;
  /** Same, for `/secapi/...` calls; must be https, as they present the client certificate. */
  secapiBaseUrl(host: string): string;
  /** The client certificate, loaded and checked on first use; a ConfigError when none is configured or it cannot be loaded. */
  clientTls(): V2ClientTls;
}

/** `pfx` is a Buffer (`fs.readFileSync`) or, in a `vk-pay-config` row, base64 text; `pfxPath` names a file. */
function readPfx(config: MerchantConfig): Buffer | undefined {
  const inline = config.pfx;
  if (typeof inline === "string" && inline.trim() !== "") {
    const text = inline.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) throw fail("config-invalid", "微信支付配置 pfx 必须是 Buffer 或 base64 字符串");
    return Buffer.from(text, "base64");
  }
  const found = material(config, "pfx", "pfxPath", false);
  return found === undefined ? undefined : Buffer.isBuffer(found) ? found : Buffer.from(found);
}

/**
 * OpenSSL's reason, said for the person who has to fix it. Node 17+ (OpenSSL 3) no longer loads the RC2
 * encryption of the `apiclient_cert.p12` WeChat used to issue; the PEM pair from the same download works.
 */
function pfxError(error: unknown): ConfigError {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  if (/unsupported/i.test(text)) {
    return fail(
      "pfx-unsupported",
      "微信支付 pfx（apiclient_cert.p12）使用了 OpenSSL 3 不再支持的旧加密算法，无法加载；请改用 appCertPath + appPrivateKeyPath（apiclient_cert.pem / apiclient_key.pem），或用 openssl pkcs12 -legacy 重新导出",
    );
  }
  if (/mac verify|password|passphrase/i.test(text)) return fail("pfx-passphrase", "微信支付 pfx 密码错误（默认是商户号 mchId，可用 pfxPassphrase 指定）");
  return fail("pfx-invalid", "微信支付 pfx 不是有效的 PKCS#12 证书");
}

/** The client certificate of a config, checked by building the TLS context once (a key that does not match its certificate fails here). */
function loadClientTls(config: MerchantConfig, mchId: string): V2ClientTls {
  const ca = material(config, "secapiCaContent", "secapiCaPath", false);
  const cert = material(config, "appCertContent", "appCertPath", false);
  const key = material(config, "appPrivateKeyContent", "appPrivateKeyPath", false);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch {
      throw fail("client-cert-invalid", "微信支付商户证书无法加载，或 appPrivateKeyPath 与 appCertPath 不匹配");
    }
    return Object.freeze({ cert, key, ...(ca ? { ca } : {}) });
  }
  const pfx = readPfx(config);
  if (pfx) {
    const passphrase = optionalString(config, "pfxPassphrase") ?? mchId;
    try {
      createSecureContext({ pfx, passphrase });
    } catch (error) {
      throw pfxError(error);
    }
    return Object.freeze({ pfx, passphrase, ...(ca ? { ca } : {}) });
  }
  throw fail(
    "client-cert-missing",
    "微信支付 API v2 的退款、撤销等接口需要商户证书：请配置 appCertPath + appPrivateKeyPath（或 appCertContent + appPrivateKeyContent），或 pfx",
  );
}

function parse(config: MerchantConfig): WxpayV2Merchant {
  const mchId = optionalString(config, "mchId");
  if (!mchId || !/^[0-9A-Za-z_-]{1,32}$/.test(mchId)) throw fail("config-invalid", "微信支付配置 mchId 缺失或格式不正确");
  const keyText = optionalString(config, "key");
  if (!keyText) throw fail("key-missing", "微信支付 API v2（含付款码支付）需要配置 key（API v2 密钥）");
  const key = checkV2Key(keyText);
  const signType = optionalString(config, "signType") ?? "MD5";
  if (!isV2SignType(signType)) throw fail("config-invalid", "微信支付配置 signType 只能是 MD5 或 HMAC-SHA256");
  const subMchId = optionalString(config, "subMchId");
  if (subMchId !== undefined && !/^[0-9A-Za-z_-]{1,32}$/.test(subMchId)) throw fail("config-invalid", "微信支付配置 subMchId 格式不正确");
  const baseUrl = readBaseUrl(config.baseUrl, OFFICIAL_HOSTS, "微信支付配置 baseUrl");
  const secapiBaseUrl =
    config.secapiBaseUrl === undefined || config.secapiBaseUrl === null || config.secapiBaseUrl === ""
      ? baseUrl
      : readBaseUrl(config.secapiBaseUrl, OFFICIAL_HOSTS, "微信支付配置 secapiBaseUrl");
  const timeout = config.timeout;
  let tls: V2ClientTls | undefined;
  return Object.freeze({
    mchId,
    appId: optionalString(config, "appId"),
    key,
    signType,
    subMchId,
    subAppId: optionalString(config, "subAppId"),
    h5Info: readH5Info(config),
    timeoutMs: typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS,
    codepay: readWxpayCodepayTiming(config),
    baseUrl,
    secapiBaseUrl,
    clientTls: () => (tls ??= loadClientTls(config, mchId)),
  });
}

/** The typed, cached material of a sub-config (see merchant-reader.ts). */
export const readWxpayV2Merchant = cachedMerchantReader<WxpayV2Merchant>(parse, (missing) =>
  fail("config-invalid", missing ? "微信支付配置缺失" : "微信支付配置无法解析"),
);

/**
 * The merchant as it acts for one order: a sub-merchant stored on the order (`createPayment` data
 * `sub_mchid` / `sub_appid`, contract PartnerRef) replaces the sub-config's `subMchId` / `subAppId`, so
 * one service-provider config serves many sub-merchants. The sub-config's `subAppId` belongs to its own
 * `subMchId` and is not carried over to another sub-merchant.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi_sl.php?chapter=9_1 (sub_mch_id, sub_appid)
 */
export function forOrder(merchant: WxpayV2Merchant, partner: PartnerRef | undefined): WxpayV2Merchant {
  const subMchId = partner?.subMchId;
  if (!subMchId) return merchant;
  if (!/^[0-9A-Za-z_-]{1,32}$/.test(subMchId)) throw new ValidationError(1000, "wxpay-sub-mchid-invalid", "sub_mchid 格式不正确");
  if (partner.subAppId !== undefined && !/^[0-9A-Za-z_-]{1,32}$/.test(partner.subAppId))
    throw new ValidationError(1000, "wxpay-sub-appid-invalid", "sub_appid 格式不正确");
  return Object.freeze({ ...merchant, subMchId, subAppId: partner.subAppId || undefined });
}
