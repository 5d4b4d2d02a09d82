import type { KeyObject } from "node:crypto";
import { readBaseUrl } from "../../core/base-url";
import { KeyParseError, loadRsaPrivateKey } from "../../core/rsa-keys";
import type { MerchantConfig } from "../../kernel/contract";
import { configError, configMaterial, optionalConfigString, type ConfigSource } from "../config-values";
import { cachedMerchantReader } from "../merchant-reader";
import { parseSm2PublicKey, type Sm2PublicKey } from "./protocol/sm2";

/**
 * A Huawei Payment Kit sub-config (`huawei["mp-harmony"]` / `huawei["app-harmony"]`), as DCloud's uni-pay
 * and vk-uni-pay name its fields: `appId`, `mchId` (商户号), `mchAuthId` (the merchant certificate's id,
 * PayMercAuth's `authId`), `mchPrivateKey` (the merchant's RSA private key, PKCS#8 PEM; the uni-app guide
 * generates 3072 bits), `platformPublicKey` (Huawei Pay's SM2 public key, hex `04…` or SPKI) and an
 * optional `baseUrl` replacing the official host (the local sandbox).
 *
 * A service provider or platform merchant (平台类商户/服务商) adds `subMchId`, the sub-merchant (特约商户 /
 * 平台子商户) it collects for, and optionally `subAppId`, that sub-merchant's own app: `mchId` and `appId`
 * are then the provider's (`spMercNo`, `spAppId`), and every trade call goes to the `/partner/` APIs.
 *
 * @see https://uniapp.dcloud.net.cn/tutorial/mp-harmony/payment.html
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-model (PayMercAuth)
 */

export const HUAWEI_HOST = "petalpay-developer.cloud.huawei.com.cn";

const SOURCE: ConfigSource = { label: "华为支付", prefix: "huawei" };

export interface HuaweiMerchant {
  appId: string;
  mchId: string;
  authId: string;
  privateKey: KeyObject;
  platformPublicKey: Sm2PublicKey;
  /** Service-provider mode: the sub-merchant's number (`subMercNo`), and its own app when it has one. */
  subMchId?: string;
  subAppId?: string;
  /** `https://petalpay-developer.cloud.huawei.com.cn`, or the configured replacement. */
  origin: string;
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function required(config: MerchantConfig, field: string, pattern: RegExp, what: string): string {
  const value = optionalConfigString(SOURCE, config, field);
  if (!value || !pattern.test(value)) throw configError(SOURCE, "config-invalid", `华为支付配置 ${field}（${what}）缺失或格式不正确`);
  return value;
}

function optional(config: MerchantConfig, field: string, pattern: RegExp, what: string): string | undefined {
  const value = optionalConfigString(SOURCE, config, field);
  if (value !== undefined && !pattern.test(value)) throw configError(SOURCE, "config-invalid", `华为支付配置 ${field}（${what}）格式不正确`);
  return value || undefined;
}

function parse(config: MerchantConfig): HuaweiMerchant {
  const appId = required(config, "appId", /^[0-9A-Za-z]{1,64}$/, "应用ID");
  const mchId = required(config, "mchId", /^[0-9A-Za-z]{1,32}$/, "商户号");
  const authId = required(config, "mchAuthId", /^[0-9A-Za-z]{1,64}$/, "商户证书ID");
  const privateMaterial = configMaterial(SOURCE, config, "mchPrivateKey", "mchPrivateKeyPath");
  if (!privateMaterial) throw configError(SOURCE, "key-missing", "华为支付配置缺少商户私钥 mchPrivateKey");
  let privateKey: KeyObject;
  try {
    privateKey = loadRsaPrivateKey(privateMaterial, "华为支付商户私钥");
  } catch (error) {
    if (error instanceof KeyParseError) throw configError(SOURCE, "key-invalid", "华为支付商户私钥 mchPrivateKey 无法解析，应为 RSA 私钥（PKCS#8 PEM）");
    throw error;
  }
  const publicMaterial = configMaterial(SOURCE, config, "platformPublicKey", "platformPublicKeyPath");
  if (!publicMaterial) throw configError(SOURCE, "key-missing", "华为支付配置缺少华为支付公钥 platformPublicKey");
  let platformPublicKey: Sm2PublicKey;
  try {
    platformPublicKey = parseSm2PublicKey(publicMaterial.toString());
  } catch {
    throw configError(SOURCE, "key-invalid", "华为支付公钥 platformPublicKey 无法解析，应为 04 开头的 SM2 公钥（十六进制）或 SPKI");
  }
  const timeout = config.timeout;
  const subMchId = optional(config, "subMchId", /^[0-9A-Za-z]{1,32}$/, "特约商户号");
  const subAppId = optional(config, "subAppId", /^[0-9A-Za-z]{1,64}$/, "特约商户应用ID");
  if (subAppId && !subMchId) throw configError(SOURCE, "config-invalid", "华为支付配置 subAppId 需与 subMchId（特约商户号）一起使用");
  return Object.freeze({
    appId,
    mchId,
    authId,
    ...(subMchId ? { subMchId } : {}),
    ...(subAppId ? { subAppId } : {}),
    privateKey,
    platformPublicKey,
    origin: readBaseUrl(config.baseUrl, [HUAWEI_HOST], "华为支付配置 baseUrl")(HUAWEI_HOST),
    timeoutMs: typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS,
  });
}

/** The typed, cached material of a sub-config (see merchant-reader.ts). */
export const readHuaweiMerchant = cachedMerchantReader<HuaweiMerchant>(parse, (missing) =>
  missing ? configError(SOURCE, "config-missing", "缺少华为支付配置") : configError(SOURCE, "config-invalid", "华为支付配置无法读取"),
);
