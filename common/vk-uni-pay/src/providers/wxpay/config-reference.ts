import type { ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readWxpayMerchant, readWxpayVersion } from "./merchant";
import { readWxpayV2Merchant } from "./v2/merchant";

/**
 * The keys of a `wxpay[mode]` sub-config, once for the README's reference and for `npm run doctor`: each
 * version has its own reader, so each has its own list (a test holds the lists to the readers).
 */
const COMMON = [
  { key: "appId", doc: "the AppID of the mini program, official account or app that pays" },
  { key: "secret", doc: "the AppSecret, for `code2Session` (openid logins)", readElsewhere: "the login (login.ts)" },
  { key: "sceneInfo", doc: "`{ h5_info }` of the `mweb` mode (H5 payments outside WeChat)" },
  { key: "timeout", doc: "milliseconds one call to WeChat Pay may take (default 10000)" },
  { key: "codepayPollIntervalMs", doc: "pay codes: how often an open payment is queried" },
  { key: "codepayMaxWaitMs", doc: "pay codes: how long before an open payment is reversed" },
  { key: "version", doc: "`3` (API v3, the default) or `2` (API v2, XML)", readElsewhere: "the provider, which picks the reader (readWxpayVersion)" },
] as const;

export const WXPAY_V3_KEYS: ConfigReference = {
  variant: "`version: 3` (the default)",
  keys: [
    { key: "mchId", required: true, doc: "the merchant number (商户号)" },
    { key: "v3Key", required: true, doc: "the APIv3 key (32 characters): decrypts notifications and certificates" },
    { key: "appPrivateKeyPath", required: true, alternatives: ["appPrivateKeyContent"], doc: "the merchant API private key `apiclient_key.pem`" },
    {
      key: "appCertPath",
      required: true,
      alternatives: ["appCertContent", "appCertSn"],
      doc: "the merchant API certificate `apiclient_cert.pem` (or only its serial, `appCertSn`); checked against the private key",
    },
    { key: "wxpayPublicKeyPath", alternatives: ["wxpayPublicKeyContent"], doc: "WeChat Pay public-key mode: the public key `pub_key.pem`" },
    { key: "wxpayPublicKeyId", doc: "its id, `PUB_KEY_ID_…` (required with the public key)" },
    {
      key: "wxpayPublicCertPath",
      alternatives: ["wxpayPublicCertContent"],
      doc: "a platform certificate pinned in the config (otherwise fetched and rotated by serial)",
    },
    { key: "baseUrl", doc: "an origin replacing the official host `api.mch.weixin.qq.com`, or an object keyed by WeChat's host names" },
    ...COMMON,
  ],
};

export const WXPAY_V2_KEYS: ConfigReference = {
  variant: "`version: 2`",
  keys: [
    { key: "mchId", required: true, doc: "the merchant number (商户号)" },
    { key: "key", required: true, doc: "the API v2 key (32 characters) that signs every request and notification" },
    { key: "signType", doc: "`MD5` (the default) or `HMAC-SHA256`" },
    { key: "subMchId", doc: "service providers: the sub-merchant's number" },
    { key: "subAppId", doc: "service providers: the sub-merchant's AppID" },
    {
      key: "appCertPath",
      alternatives: ["appCertContent", "pfx", "pfxPath"],
      doc: "refunds and reversals (mutual TLS): the PEM certificate with `appPrivateKeyPath`, or the `.p12` as `pfx`",
      readElsewhere: "the mutual-TLS client, on first use",
    },
    {
      key: "appPrivateKeyPath",
      alternatives: ["appPrivateKeyContent"],
      doc: "the PEM private key of `appCertPath`",
      readElsewhere: "the mutual-TLS client, on first use",
    },
    { key: "pfxPassphrase", doc: "the `.p12` password (default: `mchId`)", readElsewhere: "the mutual-TLS client, on first use" },
    {
      key: "secapiCaPath",
      alternatives: ["secapiCaContent"],
      doc: "a CA for the `/secapi` host (the sandbox's)",
      readElsewhere: "the mutual-TLS client, on first use",
    },
    { key: "baseUrl", doc: "an origin replacing the official host `api.mch.weixin.qq.com`, or an object keyed by host names" },
    { key: "secapiBaseUrl", doc: "the same for `/secapi` calls; https only, as they present the client certificate" },
    ...COMMON,
  ],
};

export const wxpayConfig = {
  configReference: [WXPAY_V3_KEYS, WXPAY_V2_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) =>
    readWxpayVersion(config) === 2
      ? describeWithReader(config, WXPAY_V2_KEYS.keys, readWxpayV2Merchant)
      : describeWithReader(config, WXPAY_V3_KEYS.keys, readWxpayMerchant),
};
