import { createPublicKey } from "node:crypto";
import type { ConfigCheckItem, ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readDouyinMerchant } from "./merchant";

const COMMON = [
  { key: "appId", required: true, doc: "the mini program's AppID" },
  { key: "mchId", doc: "the receiving merchant (`merchant_uid` / `seller_uid`): a callback naming another is refused" },
  { key: "version", doc: "`2` (通用交易系统, the default) or `1` (担保支付)" },
  { key: "balanceChannelType", doc: "`queryAccountBalance`'s channel: `hz` (default), `wx`, `alipay`, `yeepay`" },
  { key: "baseUrl", doc: "an origin replacing Douyin's hosts, or an object keyed by host name" },
  { key: "timeout", doc: "milliseconds one call may take (default 10000)" },
] as const;

export const DOUYIN_TRADE_KEYS: ConfigReference = {
  variant: "`version: 2` (通用交易系统, the default)",
  keys: [
    { key: "secret", required: true, doc: "the AppSecret, which fetches the client_token" },
    {
      key: "privateKey",
      required: true,
      alternatives: ["privateKeyPath"],
      doc: "the app private key (RSA, 2048 bits or more) that signs `tt.requestOrder` data",
    },
    { key: "keyVersion", doc: "the version of the app public key uploaded to Douyin (default 1)" },
    { key: "platformPublicKey", required: true, alternatives: ["platformPublicKeyPath"], doc: "Douyin's platform public key, which verifies callbacks" },
    { key: "skuType", doc: "the goods type of the order's sku line (default 401)" },
    { key: "tagGroupId", doc: "the goods tag group Douyin requires for that type" },
    { key: "skuImageUrl", doc: "the sku line's image" },
    { key: "orderEntryPath", doc: "the mini-program page of an order, no leading slash (default `pages/index/index`)" },
    ...COMMON,
  ],
};

export const DOUYIN_ECPAY_KEYS: ConfigReference = {
  variant: "`version: 1` (担保支付)",
  keys: [
    { key: "salt", required: true, doc: "the payment SALT that signs requests" },
    { key: "token", required: true, doc: "the callback Token that signs callbacks" },
    { key: "secret", doc: "the AppSecret (balance query)" },
    { key: "thirdpartyId", doc: "service providers: the third-party platform's app id" },
    { key: "sandbox", doc: "`true` sends to 担保支付's sandbox host" },
    ...COMMON,
  ],
};

/**
 * The two keys are no pair (one is the app's, one Douyin's), but pasting the app's own public key as the
 * platform key is the usual slip: every callback then fails. Compared only when the reader loaded both.
 */
function ownKeyAsPlatformKey(config: MerchantConfig): ConfigCheckItem[] {
  let merchant;
  try {
    merchant = readDouyinMerchant(config);
  } catch {
    return [];
  }
  if (merchant.system !== "trade") return [];
  const own = createPublicKey(merchant.privateKey).export({ type: "spki", format: "der" });
  const platform = merchant.platformPublicKey.export({ type: "spki", format: "der" });
  return own.equals(platform)
    ? [{ key: "platformPublicKey", status: "mismatch", detail: "this is the app's own public key (of privateKey), not Douyin's platform key" }]
    : [{ key: "privateKey / platformPublicKey", status: "ok", detail: "the platform key is not the app's own" }];
}

export const douyinConfig = {
  configReference: [DOUYIN_TRADE_KEYS, DOUYIN_ECPAY_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => {
    const ecpay = config.version === 1 || config.version === "1";
    return [...describeWithReader(config, (ecpay ? DOUYIN_ECPAY_KEYS : DOUYIN_TRADE_KEYS).keys, readDouyinMerchant), ...ownKeyAsPlatformKey(config)];
  },
};
