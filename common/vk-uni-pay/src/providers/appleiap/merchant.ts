import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readBaseUrl } from "../../core/base-url";
import type { MerchantConfig } from "../../kernel/contract";
import { configError, configMaterial, optionalConfigString, type ConfigSource } from "../config-values";
import { cachedMerchantReader } from "../merchant-reader";
import { APPLE_ROOT_CA_G3_BASE64 } from "./jws/apple-root-ca-g3";
import type { AppleConsumptionInfo } from "./server-api";

/**
 * The `appleiap` sub-config (uni-pay/config.js `appleiap["app-plus"]`), read once per config object into
 * what the protocol code needs (the `.p8` key and the products are not parsed again on each notification). Apple's Root CA G3 is always trusted; another root only when the merchant lists
 * its file in `trustedRootCertPaths` (the sandbox's, which `npm start` writes). `sandbox: true` accepts
 * Sandbox-environment purchases (App Review buys in the sandbox against production apps) and never, by
 * itself, trusts another root.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi/creating-api-keys-to-authorize-api-requests
 */

export const APPLEIAP_SOURCE: ConfigSource = { label: "苹果内购", prefix: "appleiap" };

export interface AppleProduct {
  productId: string;
  /** Fen per unit, as the merchant sells it (Apple's own price is recorded, never compared). */
  totalFee: number;
  subject?: string;
  /** The most units one purchase may carry (consumables only); 1 forbids a quantity. */
  maxQuantity: number;
  /** When configured: the App Store product type the transaction must report (`Consumable`, …). */
  type?: string;
}

export interface AppleServerApiKey {
  keyId: string;
  issuerId: string;
  privateKey: KeyObject;
}

export interface AppleMerchant {
  bundleId: string;
  appAppleId?: number;
  /** Sandbox-environment purchases are accepted. */
  sandbox: boolean;
  roots: readonly X509Certificate[];
  products: ReadonlyMap<string, AppleProduct>;
  /** verifyReceipt's app-specific shared secret. */
  password?: string;
  timeoutMs: number;
  serverApiKey?: AppleServerApiKey;
  serverApiHosts: { Production: string; Sandbox: string };
  receiptUrls: { Production: string; Sandbox: string };
  /**
   * Client and notification JWS are checked at the current time with OCSP (on by default, as live traffic
   * should be); off checks certificates at signedDate, offline (recorded data, or a chain with no responder).
   */
  onlineChecks: boolean;
  /** The answer to CONSUMPTION_REQUEST notifications, when the merchant configured one with the customer's consent. */
  consumption?: AppleConsumptionInfo;
}

/**
 * Apple's official hosts, each replaceable through the sub-config's `baseUrl` (SPEC §4; an object keyed by
 * these names, since production and sandbox share their paths). Apple's library moved the Server API to the
 * `api.storekit` hosts in 2026 (commit 83d2e37); `{"api.storekit.apple.com": "https://api.storekit.itunes.apple.com"}`
 * goes back to the old one should it be needed.
 *
 * @see https://developer.apple.com/documentation/appstoreserverapi
 * @see https://developer.apple.com/documentation/appstorereceipts/verifyreceipt
 */
const SERVER_API_HOSTS = { Production: "api.storekit.apple.com", Sandbox: "api.storekit-sandbox.apple.com" };
const RECEIPT_HOSTS = { Production: "buy.itunes.apple.com", Sandbox: "sandbox.itunes.apple.com" };
const OFFICIAL_HOSTS = [...Object.values(SERVER_API_HOSTS), ...Object.values(RECEIPT_HOSTS)];
const MAX_QUANTITY_DEFAULT = 10;

const roots = new Map<string, X509Certificate>();
let g3: X509Certificate | undefined;
/** Parsed on first use, not at load: a cold start that serves no Apple call never pays for it. */
const appleRootG3 = (): X509Certificate => (g3 ??= new X509Certificate(Buffer.from(APPLE_ROOT_CA_G3_BASE64, "base64")));

function rootAt(path: unknown): X509Certificate {
  if (typeof path !== "string" || !path.trim())
    throw configError(APPLEIAP_SOURCE, "config-invalid", "苹果内购配置 trustedRootCertPaths 必须是证书文件路径的数组");
  const absolute = resolve(path.trim());
  const cached = roots.get(absolute);
  if (cached) return cached;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(absolute));
  } catch {
    throw configError(APPLEIAP_SOURCE, "root-unreadable", `无法读取苹果内购根证书 ${path.slice(0, 200)}`);
  }
  roots.set(absolute, certificate);
  return certificate;
}

function recordOf(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw configError(APPLEIAP_SOURCE, "config-invalid", `苹果内购配置 ${field} 必须是对象`);
  return value as Record<string, unknown>;
}

function readProducts(config: MerchantConfig): Map<string, AppleProduct> {
  const products = new Map<string, AppleProduct>();
  for (const [productId, entry] of Object.entries(recordOf(config.products, "products"))) {
    const product = recordOf(entry, `products.${productId}`);
    const totalFee = product.total_fee;
    const maxQuantity = product.maxQuantity ?? MAX_QUANTITY_DEFAULT;
    if (!Number.isSafeInteger(totalFee) || (totalFee as number) <= 0) {
      throw configError(APPLEIAP_SOURCE, "config-invalid", `苹果内购商品 ${productId} 的 total_fee 必须是正整数（分）`);
    }
    if (!Number.isSafeInteger(maxQuantity) || (maxQuantity as number) < 1)
      throw configError(APPLEIAP_SOURCE, "config-invalid", `苹果内购商品 ${productId} 的 maxQuantity 必须是正整数`);
    products.set(productId, {
      productId,
      totalFee: totalFee as number,
      maxQuantity: maxQuantity as number,
      ...(typeof product.subject === "string" && product.subject.trim() ? { subject: product.subject.trim() } : {}),
      ...(typeof product.type === "string" ? { type: product.type } : {}),
    });
  }
  return products;
}

function readServerApiKey(config: MerchantConfig): AppleServerApiKey | undefined {
  const keyId = optionalConfigString(APPLEIAP_SOURCE, config, "keyId");
  const issuerId = optionalConfigString(APPLEIAP_SOURCE, config, "issuerId");
  const material = configMaterial(APPLEIAP_SOURCE, config, "privateKey", "privateKeyPath");
  if (!keyId && !issuerId && !material) return undefined;
  if (!keyId || !issuerId || !material)
    throw configError(APPLEIAP_SOURCE, "config-invalid", "苹果内购 App Store Server API 需要同时配置 keyId、issuerId 和 privateKey（.p8）");
  try {
    const privateKey = createPrivateKey(material);
    if (privateKey.asymmetricKeyType !== "ec") throw new Error("not EC");
    return { keyId, issuerId, privateKey };
  } catch {
    throw configError(APPLEIAP_SOURCE, "key-invalid", "苹果内购 privateKey 不是有效的 .p8（EC P-256）私钥");
  }
}

const REFUND_PREFERENCES = ["DECLINE", "GRANT_FULL", "GRANT_PRORATED"];

function readConsumption(config: MerchantConfig): AppleConsumptionInfo | undefined {
  if (config.consumption === undefined || config.consumption === null) return undefined;
  const given = recordOf(config.consumption, "consumption");
  if (given.customerConsented !== true) return undefined;
  const preference = given.refundPreference;
  if (preference !== undefined && !REFUND_PREFERENCES.includes(String(preference))) {
    throw configError(APPLEIAP_SOURCE, "config-invalid", "苹果内购配置 consumption.refundPreference 必须是 DECLINE、GRANT_FULL 或 GRANT_PRORATED");
  }
  return {
    customerConsented: true,
    deliveryStatus: typeof given.deliveryStatus === "string" ? given.deliveryStatus : "DELIVERED",
    sampleContentProvided: given.sampleContentProvided === true,
    ...(Number.isSafeInteger(given.consumptionPercentage) ? { consumptionPercentage: given.consumptionPercentage as number } : {}),
    ...(preference !== undefined ? { refundPreference: preference as AppleConsumptionInfo["refundPreference"] } : {}),
  };
}

function parseAppleMerchant(config: MerchantConfig): AppleMerchant {
  const bundleId = optionalConfigString(APPLEIAP_SOURCE, config, "bundleId");
  if (!bundleId) throw configError(APPLEIAP_SOURCE, "config-missing", "请先在 uni-pay 配置中填写苹果内购的 bundleId");
  const appAppleId = config.appAppleId;
  if (appAppleId !== undefined && appAppleId !== "" && !Number.isSafeInteger(Number(appAppleId))) {
    throw configError(APPLEIAP_SOURCE, "config-invalid", "苹果内购配置 appAppleId 必须是数字");
  }
  const extraRoots = config.trustedRootCertPaths ?? [];
  if (!Array.isArray(extraRoots)) throw configError(APPLEIAP_SOURCE, "config-invalid", "苹果内购配置 trustedRootCertPaths 必须是数组");
  const password = optionalConfigString(APPLEIAP_SOURCE, config, "password");
  const serverApiKey = readServerApiKey(config);
  const consumption = readConsumption(config);
  const origin = readBaseUrl(config.baseUrl, OFFICIAL_HOSTS, "苹果内购配置 baseUrl");
  return {
    bundleId,
    ...(appAppleId !== undefined && appAppleId !== "" ? { appAppleId: Number(appAppleId) } : {}),
    sandbox: config.sandbox === true,
    roots: [appleRootG3(), ...extraRoots.map(rootAt)],
    products: readProducts(config),
    ...(password ? { password } : {}),
    timeoutMs: Number.isSafeInteger(config.timeout) && (config.timeout as number) > 0 ? (config.timeout as number) : 10_000,
    ...(serverApiKey ? { serverApiKey } : {}),
    serverApiHosts: { Production: origin(SERVER_API_HOSTS.Production), Sandbox: origin(SERVER_API_HOSTS.Sandbox) },
    receiptUrls: { Production: `${origin(RECEIPT_HOSTS.Production)}/verifyReceipt`, Sandbox: `${origin(RECEIPT_HOSTS.Sandbox)}/verifyReceipt` },
    onlineChecks: config.onlineChecks !== false,
    ...(consumption ? { consumption } : {}),
  };
}

export const readAppleMerchant = cachedMerchantReader<AppleMerchant>(parseAppleMerchant, (missing) =>
  configError(APPLEIAP_SOURCE, "config-invalid", missing ? "苹果内购配置缺失" : "苹果内购配置无法解析"),
);
