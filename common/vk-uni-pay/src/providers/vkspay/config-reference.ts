import type { ConfigReference, MerchantConfig } from "../../kernel/contract";
import { describeWithReader } from "../config-check";
import { readVkspayMerchant } from "./merchant";

/** The keys of the flat `vkspay` block (every mode shares it), for the README's reference and `npm run doctor`. */
export const VKSPAY_KEYS: ConfigReference = {
  variant: "`vkspay` (one block for every mode)",
  keys: [
    { key: "mchId", required: true, doc: "the merchant id, the protocol's `pid`" },
    { key: "key", required: true, doc: "the MD5 signing key" },
    {
      key: "gatewayUrl",
      required: true,
      doc: "the gateway's base URL (`mapi.php`, `api.php` under it); https only in production, the key travels in the clear",
    },
    { key: "timeout", doc: "milliseconds one call may take (default 10000)" },
  ],
};

export const vkspayConfig = {
  configReference: [VKSPAY_KEYS],
  describeConfig: (_mode: string, config: MerchantConfig) => {
    const items = describeWithReader(config, VKSPAY_KEYS.keys, readVkspayMerchant);
    // Shown, not masked: it names where the key is sent, and says whether that is in the clear.
    const gateway = typeof config.gatewayUrl === "string" ? config.gatewayUrl : "";
    if (gateway.startsWith("http://") && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(gateway)) {
      items.push({ key: "gatewayUrl", status: "mismatch", detail: "plain http to another host: api.php would send the key in the clear" });
    }
    return items;
  },
};
