import type { KeyObject } from "node:crypto";
import { readBaseUrl } from "../../core/base-url";
import type { MerchantConfig } from "../../kernel/contract";
import { KeyParseError, loadRsaPrivateKey, loadRsaPublicKey } from "../../core/rsa-keys";
import { configError, configMaterial, optionalConfigString, type ConfigSource } from "../config-values";
import { cachedMerchantReader } from "../merchant-reader";

/**
 * A Douyin sub-config (`douyin["mp-toutiao"]`, vk-pay.md §3.2) read once into typed material for one of
 * Douyin's two payment systems, chosen by `version`:
 *
 * - `2` (the default): 通用交易系统, the general trade system. The app private key signs the client's
 *   `tt.requestOrder` data, the platform public key verifies callbacks, and the server APIs are called with
 *   a client_token (`secret` fetches it).
 * - `1`: 担保支付 (ecpay v1), which Douyin limits to life-service mini programs and will retire: requests
 *   signed with the payment SALT, callbacks with the TOKEN.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/
 */

/** 通用交易系统's server APIs and client_token (`open.douyin.com`). */
export const DOUYIN_OPEN_HOST = "open.douyin.com";
/** 担保支付's APIs. */
export const DOUYIN_ECPAY_HOST = "developer.toutiao.com";
/** 担保支付's own sandbox, used with `sandbox: true`. */
export const DOUYIN_ECPAY_SANDBOX_HOST = "open-sandbox.douyin.com";
const OFFICIAL_HOSTS = [DOUYIN_OPEN_HOST, DOUYIN_ECPAY_HOST, DOUYIN_ECPAY_SANDBOX_HOST] as const;

const DEFAULT_TIMEOUT_MS = 10_000;

interface CommonMerchant {
  readonly appId: string;
  /** AppSecret: fetches the client_token of the trade system's APIs and of the balance query. */
  readonly secret?: string;
  /** The receiving merchant (`merchant_uid` / `seller_uid`): a callback naming another one is refused. */
  readonly mchId?: string;
  /** Origin (plus path prefix) for an official host. */
  readonly origin: (host: string) => string;
  readonly timeoutMs: number;
  /** 提现渠道 of the balance query: `hz` (抖音支付), `wx`, `alipay`, `yeepay`. */
  readonly balanceChannelType: string;
}

/** The goods line of the trade system's order data; Douyin requires a type and a tag group per goods type. */
export interface DouyinSkuDefaults {
  readonly type: number;
  readonly tagGroupId: string;
  readonly imageUrl: string;
  /** The mini-program page of the order (`orderEntrySchema.path`), without a leading slash. */
  readonly orderEntryPath: string;
}

export interface DouyinTradeMerchant extends CommonMerchant {
  readonly system: "trade";
  readonly privateKey: KeyObject;
  readonly keyVersion: string;
  readonly platformPublicKey: KeyObject;
  readonly sku: DouyinSkuDefaults;
}

export interface DouyinEcpayMerchant extends CommonMerchant {
  readonly system: "ecpay";
  readonly salt: string;
  readonly token: string;
  /** Service providers: `thirdparty_id`, the third-party platform's app id. */
  readonly thirdpartyId?: string;
  readonly sandbox: boolean;
}

export type DouyinMerchant = DouyinTradeMerchant | DouyinEcpayMerchant;

const DOUYIN: ConfigSource = { label: "抖音支付", prefix: "douyin" };
const fail = (reason: string, message: string) => configError(DOUYIN, reason, message);
const optionalString = (config: MerchantConfig, field: string) => optionalConfigString(DOUYIN, config, field);

function requiredString(config: MerchantConfig, field: string, what: string): string {
  const value = optionalString(config, field);
  if (!value) throw fail("config-invalid", `抖音支付配置缺少 ${field}（${what}）`);
  return value;
}

function key<T>(load: () => T, field: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof KeyParseError) throw fail("key-invalid", `抖音支付配置 ${field} 不是有效的 RSA 密钥（至少 2048 位）`);
    throw error;
  }
}

function readVersion(config: MerchantConfig): 1 | 2 {
  const version = config.version;
  if (version === undefined || version === null || version === "" || version === 2 || version === "2") return 2;
  if (version === 1 || version === "1") return 1;
  throw fail("config-invalid", "抖音支付配置 version 只能是 2（通用交易系统，默认）或 1（担保支付）");
}

function readSku(config: MerchantConfig): DouyinSkuDefaults {
  const type = config.skuType ?? 401;
  if (typeof type !== "number" || !Number.isSafeInteger(type) || type <= 0) throw fail("config-invalid", "抖音支付配置 skuType 必须是商品类型编号（正整数）");
  const orderEntryPath = optionalString(config, "orderEntryPath") ?? "pages/index/index";
  if (!/^[A-Za-z0-9_/]{1,512}$/.test(orderEntryPath) || orderEntryPath.startsWith("/"))
    throw fail("config-invalid", "抖音支付配置 orderEntryPath 只能由字母、数字、_ 和 / 组成，且不以 / 开头");
  return Object.freeze({
    type,
    tagGroupId: optionalString(config, "tagGroupId") ?? "",
    imageUrl: optionalString(config, "skuImageUrl") ?? "",
    orderEntryPath,
  });
}

function parse(config: MerchantConfig): DouyinMerchant {
  const appId = requiredString(config, "appId", "小程序 AppID");
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(appId)) throw fail("config-invalid", "抖音支付配置 appId 格式不正确");
  const timeout = config.timeout;
  const common: CommonMerchant = {
    appId,
    ...(optionalString(config, "secret") ? { secret: optionalString(config, "secret")! } : {}),
    ...(optionalString(config, "mchId") ? { mchId: optionalString(config, "mchId")! } : {}),
    origin: readBaseUrl(config.baseUrl, OFFICIAL_HOSTS, "抖音支付配置 baseUrl"),
    timeoutMs: typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS,
    balanceChannelType: optionalString(config, "balanceChannelType") ?? "hz",
  };
  if (readVersion(config) === 1) {
    const sandbox = config.sandbox;
    if (sandbox !== undefined && sandbox !== null && typeof sandbox !== "boolean") throw fail("config-invalid", "抖音支付配置 sandbox 必须是布尔值");
    const thirdpartyId = optionalString(config, "thirdpartyId");
    return Object.freeze({
      ...common,
      system: "ecpay" as const,
      salt: requiredString(config, "salt", "担保支付的支付系统秘钥 SALT"),
      token: requiredString(config, "token", "担保支付回调的令牌 Token"),
      ...(thirdpartyId ? { thirdpartyId } : {}),
      sandbox: sandbox === true,
    });
  }
  const privateKeyMaterial = configMaterial(DOUYIN, config, "privateKey", "privateKeyPath");
  if (!privateKeyMaterial)
    throw fail(
      "key-missing",
      optionalString(config, "salt")
        ? "抖音支付配置缺少应用私钥 privateKey（通用交易系统）；如仍使用担保支付，请设置 version: 1"
        : "抖音支付配置缺少应用私钥 privateKey / privateKeyPath",
    );
  const publicKeyMaterial = configMaterial(DOUYIN, config, "platformPublicKey", "platformPublicKeyPath");
  if (!publicKeyMaterial) throw fail("key-missing", "抖音支付配置缺少平台公钥 platformPublicKey / platformPublicKeyPath");
  // Node derives a public key from a private one: the app private key pasted here would load, then fail every callback.
  if (/PRIVATE KEY-----/.test(publicKeyMaterial.toString())) throw fail("key-misplaced", "platformPublicKey 应填写抖音平台公钥，而不是应用私钥");
  const keyVersion = config.keyVersion ?? 1;
  if ((typeof keyVersion !== "string" && typeof keyVersion !== "number") || !/^[0-9A-Za-z_-]{1,16}$/.test(String(keyVersion)))
    throw fail("config-invalid", "抖音支付配置 keyVersion 必须是应用公钥的版本号");
  if (!common.secret) throw fail("config-invalid", "抖音支付配置缺少 secret（AppSecret，用于获取 client_token）");
  return Object.freeze({
    ...common,
    system: "trade" as const,
    privateKey: key(() => loadRsaPrivateKey(privateKeyMaterial, "privateKey"), "privateKey"),
    keyVersion: String(keyVersion),
    platformPublicKey: key(() => loadRsaPublicKey(publicKeyMaterial, "platformPublicKey"), "platformPublicKey"),
    sku: readSku(config),
  });
}

/** The typed, cached material of a sub-config (see merchant-reader.ts). */
export const readDouyinMerchant = cachedMerchantReader<DouyinMerchant>(parse, (missing) =>
  fail("config-invalid", missing ? "抖音支付配置缺失" : "抖音支付配置无法解析"),
);
