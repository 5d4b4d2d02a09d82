import type { ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readAlipayMerchant } from "./merchant";

/** The keys of an `alipay[mode]` sub-config, for the README's reference and `npm run doctor` alike. */
export const ALIPAY_KEYS: ConfigReference = {
  variant: "every mode (key mode or certificate mode)",
  keys: [
    { key: "appId", required: true, doc: "the app's APPID" },
    { key: "privateKey", required: true, doc: "the app private key, as text (PKCS#1 or PKCS#8, with or without PEM lines)" },
    {
      key: "alipayPublicKey",
      alternatives: ["alipayPublicCertPath", "alipayPublicCertContent"],
      doc: "key mode: Alipay's public key, as text; certificate mode: `alipayCertPublicKey_RSA2.crt`",
    },
    {
      key: "appCertPath",
      alternatives: ["appCertContent"],
      doc: "certificate mode: the app certificate `appCertPublicKey_….crt`, checked against `privateKey`",
    },
    { key: "alipayRootCertPath", alternatives: ["alipayRootCertContent"], doc: "certificate mode: `alipayRootCert.crt`" },
    { key: "sellerId", doc: "your PID (2088…): a notification naming another seller is refused" },
    { key: "appAuthToken", alternatives: ["app_auth_token"], doc: "service providers: the merchant's app_auth_token" },
    { key: "sandbox", doc: "`true` sends to Alipay's developer sandbox gateway" },
    { key: "baseUrl", doc: "an origin replacing the official host `openapi.alipay.com` (or the sandbox gateway)" },
    { key: "timeout", doc: "milliseconds one call may take (default 10000)" },
    { key: "codepayPollIntervalMs", doc: "pay codes: how often an open payment is queried" },
    { key: "codepayMaxWaitMs", doc: "pay codes: how long before an open payment is cancelled" },
  ],
};

export const alipayConfig = {
  configReference: [ALIPAY_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => describeWithReader(config, ALIPAY_KEYS.keys, readAlipayMerchant),
};
