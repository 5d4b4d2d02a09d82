import { readBaseUrl } from "../../core/base-url";
import { ConfigError } from "../../core/errors";
import type { MerchantConfig } from "../../kernel/contract";
import { cachedMerchantReader } from "../merchant-reader";
import { configError, optionalConfigString, type ConfigSource } from "../config-values";

const SOURCE: ConfigSource = { label: "微信虚拟支付", prefix: "wxpay-virtual" };

/** Every xpay call, the access token and the logins go to this one host. */
export const WEIXIN_API_HOST = "api.weixin.qq.com";

/** xpay's `env`: 0 production, 1 sandbox (query_order answers `env_type` 1/2 instead). */
export type XpayEnv = 0 | 1;

/** A 道具 (item) of `short_series_goods`, priced in the WeChat back office: the config must say the same price. */
export interface XpayGoods {
  /** Unit price in fen (`goodsPrice`). */
  price: number;
  subject?: string;
}

export interface XpayMerchant {
  appId: string;
  secret: string;
  offerId: string;
  /** The AppKey of the configured env: the sandbox AppKey when `sandbox` is true. */
  appKey: string;
  env: XpayEnv;
  /** Coins per yuan, as published in the back office (it cannot change once published). */
  rate: number;
  goods: ReadonlyMap<string, XpayGoods>;
  /** Message push: the Token (both modes) and the EncodingAESKey (safe mode). */
  token?: string;
  encodingAESKey?: string;
  /** The push format configured in the back office; replies follow the push itself when it shows. */
  messageFormat: "json" | "xml";
  origin: string;
}

function required(config: MerchantConfig, field: string): string {
  const value = optionalConfigString(SOURCE, config, field);
  if (!value) throw configError(SOURCE, "config-missing", `请在 uni-pay 配置的 wxpay-virtual 中填写 ${field}`);
  return value;
}

function readGoods(value: unknown): Map<string, XpayGoods> {
  const goods = new Map<string, XpayGoods>();
  if (value === undefined || value === null) return goods;
  if (typeof value !== "object" || Array.isArray(value)) throw configError(SOURCE, "config-invalid", "wxpay-virtual 的 goods 必须是以道具ID为键的对象");
  for (const [productId, entry] of Object.entries(value as Record<string, unknown>)) {
    const item = typeof entry === "number" ? { price: entry } : (entry as Record<string, unknown> | null);
    const price = item?.price;
    if (typeof price !== "number" || !Number.isSafeInteger(price) || price <= 0) {
      throw configError(SOURCE, "config-invalid", `wxpay-virtual 的道具 ${productId.slice(0, 32)} 必须配置正整数 price（单位分）`);
    }
    goods.set(productId, { price, ...(typeof item?.subject === "string" ? { subject: item.subject } : {}) });
  }
  return goods;
}

function parse(config: MerchantConfig): XpayMerchant {
  const sandbox = config.sandbox === true;
  const rate = config.rate ?? 100;
  if (typeof rate !== "number" || !Number.isSafeInteger(rate) || rate <= 0)
    throw configError(SOURCE, "config-invalid", "wxpay-virtual 的 rate（1元兑换的代币数）必须是正整数");
  const format = config.messageFormat ?? "json";
  if (format !== "json" && format !== "xml") throw configError(SOURCE, "config-invalid", "wxpay-virtual 的 messageFormat 只能是 json 或 xml");
  const token = optionalConfigString(SOURCE, config, "token");
  const encodingAESKey = optionalConfigString(SOURCE, config, "encodingAESKey");
  return Object.freeze({
    appId: required(config, "appId"),
    secret: required(config, "secret"),
    offerId: required(config, "offerId"),
    appKey: required(config, sandbox ? "sandboxAppKey" : "appKey"),
    env: sandbox ? 1 : 0,
    rate,
    goods: readGoods(config.goods),
    ...(token ? { token } : {}),
    ...(encodingAESKey ? { encodingAESKey } : {}),
    messageFormat: format,
    origin: readBaseUrl(config.baseUrl, [WEIXIN_API_HOST])(WEIXIN_API_HOST),
  } satisfies XpayMerchant);
}

/** The sub-config `wxpay-virtual.mp-weixin`, read once per config object. */
export const readXpayMerchant = cachedMerchantReader(parse, (missing) =>
  missing ? new ConfigError("wxpay-virtual-config-missing", "请先配置微信虚拟支付") : new ConfigError("wxpay-virtual-config-invalid", "微信虚拟支付配置有误"),
);
