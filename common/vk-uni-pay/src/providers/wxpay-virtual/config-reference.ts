import type { ConfigCheckItem, ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readXpayMerchant } from "./merchant";

/** The keys of `wxpay-virtual["mp-weixin"]`, for the README's reference and `npm run doctor` alike. */
export const WXPAY_VIRTUAL_KEYS: ConfigReference = {
  variant: "`mp-weixin`",
  keys: [
    { key: "appId", required: true, doc: "the mini program's AppID" },
    { key: "secret", required: true, doc: "its AppSecret (access token, logins)" },
    { key: "offerId", required: true, doc: "the virtual-payment OfferID" },
    { key: "appKey", required: true, alternatives: ["sandboxAppKey"], doc: "the AppKey of the production env; with `sandbox: true`, `sandboxAppKey` instead" },
    { key: "sandbox", doc: "`true` pays in xpay's sandbox env" },
    { key: "rate", doc: "coins per yuan, as published in the back office (default 100)" },
    { key: "goods", doc: "`{ <productId>: { price, subject? } }`: item prices in fen, as in the back office" },
    { key: "token", doc: "message push Token (verifies pushes)" },
    { key: "encodingAESKey", doc: "message push EncodingAESKey (safe mode, 43 characters)" },
    { key: "messageFormat", doc: "`json` (default) or `xml`, as set in the back office" },
    { key: "baseUrl", doc: "an origin replacing the official host `api.weixin.qq.com`" },
  ],
};

/** The reader keeps the push keys as given; a wrong length only shows when the first push cannot be decrypted. */
function pushKeys(config: MerchantConfig): ConfigCheckItem[] {
  const aes = config.encodingAESKey;
  if (typeof aes !== "string" || aes === "") return [];
  const items: ConfigCheckItem[] = [];
  if (!/^[A-Za-z0-9+/]{43}$/.test(aes.trim()))
    items.push({ key: "encodingAESKey", status: "mismatch", detail: "not 43 base64 characters: pushes in safe mode cannot be decrypted" });
  if (!config.token) items.push({ key: "token", status: "missing", detail: "safe-mode pushes are signed with the Token" });
  return items;
}

export const wxpayVirtualConfig = {
  configReference: [WXPAY_VIRTUAL_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => {
    // The env's AppKey is the one required: check the name the reader will ask for.
    const keys = WXPAY_VIRTUAL_KEYS.keys.map((key) =>
      key.key === "appKey" ? { ...key, key: config.sandbox === true ? "sandboxAppKey" : "appKey", alternatives: [] } : key,
    );
    return [...describeWithReader(config, keys, readXpayMerchant), ...pushKeys(config)];
  },
};
