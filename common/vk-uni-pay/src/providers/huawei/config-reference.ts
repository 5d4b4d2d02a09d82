import type { ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readHuaweiMerchant } from "./merchant";

/**
 * The keys of `huawei["app-harmony"]` / `huawei["mp-harmony"]`, for the README's reference and `npm run
 * doctor`. The merchant's RSA key and Huawei's SM2 key are no pair, so the reader's parse is the check.
 */
export const HUAWEI_KEYS: ConfigReference = {
  variant: "`app-harmony` (mode `app-plus`) and `mp-harmony`",
  keys: [
    { key: "appId", required: true, doc: "the app's or atomic service's app id" },
    { key: "mchId", required: true, doc: "the merchant number (商户号)" },
    { key: "mchAuthId", required: true, doc: "the merchant certificate's id (PayMercAuth `authId`)" },
    { key: "mchPrivateKey", required: true, alternatives: ["mchPrivateKeyPath"], doc: "the merchant RSA private key (PKCS#8 PEM) that signs requests" },
    {
      key: "platformPublicKey",
      required: true,
      alternatives: ["platformPublicKeyPath"],
      doc: "Huawei Pay's SM2 public key (hex `04…` or SPKI), which verifies answers and callbacks",
    },
    { key: "subMchId", doc: "service-provider mode: the sub-merchant (特约商户号) paid for; requests go to the `/partner/` APIs" },
    { key: "subAppId", doc: "service-provider mode: the sub-merchant's own app id, with `subMchId`" },
    { key: "baseUrl", doc: "an origin replacing the official host `petalpay-developer.cloud.huawei.com.cn`" },
    { key: "timeout", doc: "milliseconds one call may take (default 10000)" },
  ],
};

export const huaweiConfig = {
  configReference: [HUAWEI_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => describeWithReader(config, HUAWEI_KEYS.keys, readHuaweiMerchant),
};
