import { basename } from "node:path";
import type { ConfigCheckItem, ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readAppleMerchant } from "./merchant";

/** The keys of `appleiap["app-plus"]`, for the README's reference and `npm run doctor` alike. */
export const APPLEIAP_KEYS: ConfigReference = {
  variant: "`app-plus`",
  keys: [
    { key: "bundleId", required: true, doc: "the app's bundle id; a transaction of another app is refused" },
    { key: "appAppleId", doc: "the app's Apple ID (a number), checked on production notifications" },
    { key: "products", doc: "`{ <productId>: { total_fee, subject?, maxQuantity?, type? } }`: prices in fen, never taken from the client" },
    { key: "sandbox", doc: "`true` accepts Sandbox-environment purchases (App Review)" },
    { key: "password", doc: "the app-specific shared secret of legacy `verifyReceipt`" },
    { key: "keyId", doc: "App Store Server API: the key id of the `.p8`" },
    { key: "issuerId", doc: "App Store Server API: the issuer id" },
    { key: "privateKeyPath", alternatives: ["privateKey"], doc: "App Store Server API: the `AuthKey_<keyId>.p8` (EC P-256)" },
    { key: "trustedRootCertPaths", doc: "files of roots trusted besides Apple Root CA G3 (the local sandbox's)" },
    { key: "onlineChecks", doc: "`false` checks signed data offline at its signing date (no OCSP)" },
    { key: "consumption", doc: "the answer to CONSUMPTION_REQUEST, only with `customerConsented: true`" },
    { key: "baseUrl", doc: "an object keyed by Apple's host names (`api.storekit.apple.com`, `buy.itunes.apple.com`, …)" },
    { key: "timeout", doc: "milliseconds one call to Apple may take (default 10000)" },
  ],
};

/**
 * Apple names the downloaded key `AuthKey_<keyId>.p8`; a file of another id signs tokens Apple refuses
 * with 401, which reads like an outage. Only the file name is compared: the key itself carries no id.
 */
function keyIdAgainstFile(config: MerchantConfig): ConfigCheckItem[] {
  const path = config.privateKeyPath;
  const match = typeof path === "string" ? /^AuthKey_([A-Za-z0-9]+)\.p8$/.exec(basename(path)) : null;
  if (!match || typeof config.keyId !== "string") return [];
  return match[1] === config.keyId.trim()
    ? [{ key: "keyId / privateKeyPath", status: "ok", detail: "the key file is the key id's" }]
    : [{ key: "keyId / privateKeyPath", status: "mismatch", detail: `privateKeyPath is the key ${match[1]}, keyId says ${config.keyId}` }];
}

export const appleiapConfig = {
  configReference: [APPLEIAP_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => [
    ...describeWithReader(config, APPLEIAP_KEYS.keys, readAppleMerchant),
    ...keyIdAgainstFile(config),
  ],
};
