import { readCodepayTiming, type CodepayTiming } from "../codepay-loop";
import { configError, configMaterial, optionalConfigString, type ConfigSource } from "../config-values";
import { cachedMerchantReader } from "../merchant-reader";
import type { AlipayCertStore } from "./cert-store";
import { createSign, createVerify, type KeyObject, type X509Certificate } from "node:crypto";
import { readBaseUrl } from "../../core/base-url";
import type { MerchantConfig } from "../../kernel/contract";
import { getAlipayCertSn, getAlipayRootCertSn, loadAlipayPublicKey, loadAppPrivateKey, parseAlipayCertificates } from "./protocol";

/**
 * An Alipay sub-config (`alipay["mp-alipay"]` etc., vk-pay.md §3.4) read once into typed key material:
 * key mode (`alipayPublicKey`) or certificate mode (the app, Alipay and root certificates, by path or inline
 * `*Content`), the gateway (`sandbox`, `baseUrl`) and the service-provider `appAuthToken`. Like the WeChat
 * adapter, this is the only file that touches the file system; files are read once per process.
 *
 * @see https://opendocs.alipay.com/common/02kipk (keys)
 * @see https://opendocs.alipay.com/common/02kdnc (certificate mode)
 */

export const ALIPAY_GATEWAY_HOST = "openapi.alipay.com";
/** Alipay's developer sandbox (alipay-sdk's test gateway). */
export const ALIPAY_SANDBOX_HOST = "openapi-sandbox.dl.alipaydev.com";
const OFFICIAL_HOSTS = [ALIPAY_GATEWAY_HOST, ALIPAY_SANDBOX_HOST] as const;

const DEFAULT_TIMEOUT_MS = 10_000;

export interface AlipayCertificateMode {
  readonly appCertSn: string;
  readonly alipayRootCertSn: string;
  /** SN of `alipayCertPublicKey_RSA2.crt`, the certificate responses name in `alipay_cert_sn` until Alipay rotates it. */
  readonly alipayCertSn: string;
  /** The root bundle: a certificate Alipay rotates to is trusted only if it chains to one of these. */
  readonly rootCertificates: readonly X509Certificate[];
}

export interface AlipayMerchant {
  readonly appId: string;
  readonly privateKey: KeyObject;
  /** The key that verifies responses and notifications: the configured one, or the Alipay certificate's. */
  readonly alipayPublicKey: KeyObject;
  /** Present in certificate mode only. */
  readonly certificates?: AlipayCertificateMode;
  /**
   * The merchant's PID (`seller_id`, 2088 and 12 digits), when configured: a notification naming another
   * seller is refused, as Alipay's notification page asks merchants to check.
   */
  readonly sellerId?: string;
  /** Service-provider mode: the sub-merchant's token from the config (a request may bring its own). */
  readonly appAuthToken?: string;
  /** Full gateway URL, `…/gateway.do`. */
  readonly gatewayUrl: string;
  readonly timeoutMs: number;
  /** Pay codes: how often, and how long, an open payment is queried before it is cancelled. */
  readonly codepay: CodepayTiming;
  /** Certificate mode: where certificates Alipay rotated to are found (attached by the provider instance). */
  readonly rotatedCerts?: AlipayCertStore;
}

const ALIPAY: ConfigSource = { label: "支付宝", prefix: "alipay" };

const fail = (reason: string, message: string) => configError(ALIPAY, reason, message);
const optionalString = (config: MerchantConfig, field: string) => optionalConfigString(ALIPAY, config, field);
const material = (config: MerchantConfig, contentField: string, pathField?: string) => configMaterial(ALIPAY, config, contentField, pathField);

/** A key that does not belong to the app certificate makes every call fail with isv.invalid-signature; say so up front. */
function assertKeyPair(privateKey: KeyObject, appCert: string | Buffer): void {
  const probe = "vk-uni-pay key pair check";
  const signature = createSign("RSA-SHA256").update(probe).sign(privateKey);
  if (!createVerify("RSA-SHA256").update(probe).verify(loadAlipayPublicKey(appCert), signature)) {
    throw fail("key-mismatch", "支付宝应用私钥 privateKey 与应用公钥证书 appCert 不匹配");
  }
}

const CERTIFICATE_FIELDS = [
  ["appCertContent", "appCertPath", "应用公钥证书 appCertPath / appCertContent"],
  ["alipayPublicCertContent", "alipayPublicCertPath", "支付宝公钥证书 alipayPublicCertPath / alipayPublicCertContent"],
  ["alipayRootCertContent", "alipayRootCertPath", "支付宝根证书 alipayRootCertPath / alipayRootCertContent"],
] as const;

/**
 * Certificate mode when any certificate has content; then all three are required. Blank files (kept by
 * vk-uni-pay's templates) count as absent, so a key-mode config with empty certificate files stays key mode.
 *
 * @see https://opendocs.alipay.com/common/056zub (app_cert_sn, alipay_root_cert_sn)
 */
function readCertificates(config: MerchantConfig, privateKey: KeyObject): { mode: AlipayCertificateMode; alipayPublicKey: KeyObject } | undefined {
  const found = CERTIFICATE_FIELDS.map(([content, path]) => material(config, content, path));
  if (found.every((item) => item === undefined)) return undefined;
  const missing = CERTIFICATE_FIELDS.filter((_, index) => found[index] === undefined).map(([, , label]) => label);
  if (missing.length > 0) throw fail("cert-missing", `支付宝证书模式缺少：${missing.join("、")}`);
  const [appCert, alipayCert, rootCert] = found as [string | Buffer, string | Buffer, string | Buffer];
  assertKeyPair(privateKey, appCert);
  return {
    mode: Object.freeze({
      appCertSn: getAlipayCertSn(appCert),
      alipayRootCertSn: getAlipayRootCertSn(rootCert),
      alipayCertSn: getAlipayCertSn(alipayCert),
      rootCertificates: Object.freeze(parseAlipayCertificates(rootCert)),
    }),
    alipayPublicKey: loadAlipayPublicKey(alipayCert),
  };
}

function parse(config: MerchantConfig): AlipayMerchant {
  const appId = optionalString(config, "appId");
  if (!appId || !/^[0-9A-Za-z]{1,32}$/.test(appId)) throw fail("config-invalid", "支付宝配置 appId 缺失或格式不正确");
  const privateKeyMaterial = material(config, "privateKey");
  if (!privateKeyMaterial) throw fail("key-missing", "支付宝配置缺少应用私钥 privateKey");
  const privateKey = loadAppPrivateKey(privateKeyMaterial);

  const certificates = readCertificates(config, privateKey);
  let alipayPublicKey = certificates?.alipayPublicKey;
  if (!alipayPublicKey) {
    const keyMaterial = material(config, "alipayPublicKey");
    if (!keyMaterial) throw fail("key-missing", "支付宝配置缺少 alipayPublicKey（公钥模式）或三个证书（证书模式）");
    // Node derives a public key from a private one: the app private key pasted here would load, then fail every verification.
    if (/PRIVATE KEY-----/.test(keyMaterial.toString())) throw fail("key-misplaced", "alipayPublicKey 应填写支付宝公钥，而不是应用私钥");
    alipayPublicKey = loadAlipayPublicKey(keyMaterial);
  }

  const sandbox = config.sandbox;
  if (sandbox !== undefined && sandbox !== null && typeof sandbox !== "boolean") throw fail("config-invalid", "支付宝配置 sandbox 必须是布尔值");
  const host = sandbox === true ? ALIPAY_SANDBOX_HOST : ALIPAY_GATEWAY_HOST;
  const origin = readBaseUrl(config.baseUrl, OFFICIAL_HOSTS, "支付宝配置 baseUrl")(host);

  const timeout = config.timeout;
  const timeoutMs = typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS;
  const appAuthToken = optionalString(config, "appAuthToken") ?? optionalString(config, "app_auth_token");
  const sellerId = optionalString(config, "sellerId");
  if (sellerId !== undefined && !/^2088\d{12}$/.test(sellerId)) throw fail("config-invalid", "支付宝配置 sellerId 应为 2088 开头的 16 位商户 PID");
  return Object.freeze({
    appId,
    privateKey,
    alipayPublicKey,
    ...(certificates ? { certificates: certificates.mode } : {}),
    ...(appAuthToken ? { appAuthToken } : {}),
    ...(sellerId ? { sellerId } : {}),
    gatewayUrl: `${origin}/gateway.do`,
    timeoutMs,
    codepay: readCodepayTiming(config, (field) => fail("config-invalid", `支付宝配置 ${field} 必须是正整数（毫秒）`)),
  });
}

/** The typed, cached material of a sub-config (see merchant-reader.ts). */
export const readAlipayMerchant = cachedMerchantReader<AlipayMerchant>(parse, (missing) =>
  fail("config-invalid", missing ? "支付宝配置缺失" : "支付宝配置无法解析"),
);
