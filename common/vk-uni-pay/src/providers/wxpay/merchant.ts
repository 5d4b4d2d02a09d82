import { readCodepayTiming, type CodepayTiming } from "../codepay-loop";
import { configError, configMaterial, optionalConfigString, type ConfigSource } from "../config-values";
import { cachedMerchantReader } from "../merchant-reader";
import { sign, verify, type KeyObject } from "node:crypto";
import { ConfigError } from "../../core/errors";
import type { MerchantConfig } from "../../kernel/contract";
import { readBaseUrl } from "../../core/base-url";
import { loadCertificate, loadPrivateKey, loadWxpayPublicKey, toApiV3Key, type LoadedCertificate, type WxpayPublicKey } from "./v3/protocol";

/**
 * A WeChat Pay sub-config (`wxpay["mp-weixin"]` etc., vk-pay.md §3.3) read once into typed key material.
 * This is the only file of the adapter that touches the file system: certificates and keys named by path
 * are read once per process and cached, because a cloud function instance serves many requests and the
 * files only change with a redeploy.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay3_0.shtml (merchant API certificate)
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012153196 (WeChat Pay public key)
 */

/** The host every direct-merchant v3 call goes to; a `baseUrl` may replace it (SPEC.md §4). */
export const WXPAY_API_HOST = "api.mch.weixin.qq.com";
export const OFFICIAL_HOSTS = [WXPAY_API_HOST, "api2.mch.weixin.qq.com", "api.weixin.qq.com"] as const;

export const DEFAULT_TIMEOUT_MS = 10_000;

export type WxpayApiVersion = 2 | 3;

export interface WxpayMerchant {
  readonly version: 3;
  readonly mchId: string;
  /** Absent for configs that never create payments (e.g. a notify-only merchant). */
  readonly appId?: string;
  readonly v3Key: Buffer;
  readonly privateKey: KeyObject;
  /** The merchant API certificate serial, uppercase hex: `serial_no` of every Authorization header. */
  readonly serialNo: string;
  /** Public-key mode: `PUB_KEY_ID_…` keys from the config (may coexist with platform certificates). */
  readonly publicKeys: readonly WxpayPublicKey[];
  /** Platform certificates pinned in the config (vk-uni-pay's older `wxpayPublicCertContent`). */
  readonly pinnedCertificates: readonly LoadedCertificate[];
  /** `sceneInfo.h5_info` for the mweb mode. */
  readonly h5Info?: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  /** How long a pay-code payment whose outcome is open is queried before it is reversed. */
  readonly codepay: CodepayTiming;
  /** The origin (plus optional path prefix) that replaces `https://<host>`; never part of what is signed. */
  baseUrl(host: string): string;
}

const WXPAY: ConfigSource = { label: "微信支付", prefix: "wxpay" };

export function fail(reason: string, message: string): ConfigError {
  return configError(WXPAY, reason, message);
}

/**
 * `version` picks the protocol: 3 (the default, as every vk-uni-pay template sets it) or 2 (XML, MD5 /
 * HMAC-SHA256 with the API v2 `key`, v2/merchant.ts).
 */
export function readWxpayVersion(config: MerchantConfig): WxpayApiVersion {
  const version = config.version;
  if (version === undefined || version === null || version === "" || version === 3 || version === "3") return 3;
  if (version === 2 || version === "2") return 2;
  throw fail("config-invalid", "微信支付 version 只能是 2 或 3");
}

/** `codepayPollIntervalMs` / `codepayMaxWaitMs`, read alike by both versions. */
export function readWxpayCodepayTiming(config: MerchantConfig): CodepayTiming {
  return readCodepayTiming(config, (field) => fail("config-invalid", `微信支付配置 ${field} 必须是正整数（毫秒）`));
}

export function optionalString(config: MerchantConfig, field: string): string | undefined {
  return optionalConfigString(WXPAY, config, field);
}

/** Inline content wins over a path (config-values.ts); `required` turns absence into a ConfigError naming both fields. */
export function material(config: MerchantConfig, contentField: string, pathField: string, required: boolean): string | Buffer | undefined {
  const found = configMaterial(WXPAY, config, contentField, pathField);
  if (found === undefined && required) {
    const path = optionalString(config, pathField);
    throw fail("key-missing", path ? `微信支付证书文件 ${path} 不存在或为空` : `微信支付配置缺少 ${pathField} 或 ${contentField}`);
  }
  return found;
}

export function readH5Info(config: MerchantConfig): Readonly<Record<string, unknown>> | undefined {
  const scene = config.sceneInfo;
  if (scene === undefined || scene === null) return undefined;
  if (typeof scene !== "object" || Array.isArray(scene)) throw fail("config-invalid", "微信支付配置 sceneInfo 必须是对象");
  // vk-uni-pay documents `{ h5_info: {...} }`; a bare `{ type: "Wap", ... }` is accepted too.
  const info = "h5_info" in scene ? (scene as { h5_info?: unknown }).h5_info : scene;
  if (typeof info !== "object" || info === null || Array.isArray(info)) throw fail("config-invalid", "微信支付配置 sceneInfo.h5_info 必须是对象");
  return info as Record<string, unknown>;
}

/** A private key that does not belong to the configured certificate makes every call fail with SIGN_ERROR; say so up front. */
function assertKeyPair(privateKey: KeyObject, certificate: LoadedCertificate): void {
  const probe = Buffer.from("vk-uni-pay key pair check");
  if (!verify("sha256", probe, certificate.publicKey, sign("sha256", probe, privateKey))) {
    throw fail("key-mismatch", "微信支付商户私钥与商户 API 证书不匹配，请检查 appPrivateKeyPath 与 appCertPath");
  }
}

function parse(config: MerchantConfig): WxpayMerchant {
  // Only the v3 adapter reads this: index.ts routes a version-2 config to v2/merchant.ts instead.
  const version = 3;
  const mchId = optionalString(config, "mchId");
  if (!mchId || !/^[0-9A-Za-z_-]{1,32}$/.test(mchId)) throw fail("config-invalid", "微信支付配置 mchId 缺失或格式不正确");
  const appId = optionalString(config, "appId");
  const v3KeyText = optionalString(config, "v3Key");
  if (!v3KeyText) throw fail("key-missing", "微信支付配置缺少 v3Key（APIv3 密钥）");
  const v3Key = Buffer.from(toApiV3Key(v3KeyText));

  const privateKey = loadPrivateKey(material(config, "appPrivateKeyContent", "appPrivateKeyPath", true)!);
  const certMaterial = material(config, "appCertContent", "appCertPath", false);
  let serialNo: string;
  if (certMaterial) {
    const certificate = loadCertificate(certMaterial);
    assertKeyPair(privateKey, certificate);
    serialNo = certificate.serialNo;
  } else {
    // Older vk-uni-pay configs name the serial instead of the certificate.
    const sn = optionalString(config, "appCertSn");
    if (!sn || !/^[0-9A-Fa-f]{1,64}$/.test(sn)) throw fail("key-missing", "微信支付配置缺少 appCertPath 或 appCertContent（商户 API 证书）");
    serialNo = sn.toUpperCase();
  }

  const publicKeys: WxpayPublicKey[] = [];
  const publicKeyMaterial = material(config, "wxpayPublicKeyContent", "wxpayPublicKeyPath", false);
  if (publicKeyMaterial) {
    const id = optionalString(config, "wxpayPublicKeyId");
    if (!id) throw fail("key-missing", "已配置微信支付公钥，但缺少 wxpayPublicKeyId（PUB_KEY_ID_ 开头）");
    publicKeys.push(loadWxpayPublicKey(id, publicKeyMaterial));
  }
  const pinned = material(config, "wxpayPublicCertContent", "wxpayPublicCertPath", false);
  const pinnedCertificates = pinned ? [loadCertificate(pinned)] : [];

  const timeout = config.timeout;
  const timeoutMs = typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS;
  return Object.freeze({
    version,
    mchId,
    appId,
    v3Key,
    privateKey,
    serialNo,
    publicKeys: Object.freeze(publicKeys),
    pinnedCertificates: Object.freeze(pinnedCertificates),
    h5Info: readH5Info(config),
    timeoutMs,
    codepay: readWxpayCodepayTiming(config),
    baseUrl: readBaseUrl(config.baseUrl, OFFICIAL_HOSTS, "微信支付配置 baseUrl"),
  });
}

/** The typed, cached material of a sub-config (see merchant-reader.ts). */
export const readWxpayMerchant = cachedMerchantReader<WxpayMerchant>(parse, (missing) =>
  fail("config-invalid", missing ? "微信支付配置缺失" : "微信支付配置无法解析"),
);
