import {
  APPLE_SANDBOX_APP_APPLE_ID,
  APPLE_SANDBOX_BUNDLE_ID,
  APPLE_SANDBOX_ISSUER_ID,
  APPLE_SANDBOX_KEY_ID,
  APPLE_SANDBOX_PASSWORD,
  type AppleSandboxKeys,
} from "./keys";

/** The products the sandbox sells and the generated config prices (fen); Apple's price is ten times that in milliunits. */
export const APPLE_SANDBOX_PRODUCTS = {
  coins_60: { total_fee: 600, subject: "60金币" },
  coins_300: { total_fee: 3000, subject: "300金币" },
  vip_month: { total_fee: 3000, subject: "月度会员", maxQuantity: 1 },
} as const;

export const APPLE_SANDBOX_PRICES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(APPLE_SANDBOX_PRODUCTS).map(([id, product]) => [id, product.total_fee * 10]),
);

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

/** The `appleiap` sub-config pointing at the sandbox at `base` (its own root trusted by file, never by `sandbox: true`). */
export function appleSandboxConfig(keys: AppleSandboxKeys, base: string): Record<string, unknown> {
  return {
    bundleId: APPLE_SANDBOX_BUNDLE_ID,
    appAppleId: APPLE_SANDBOX_APP_APPLE_ID,
    sandbox: true,
    password: APPLE_SANDBOX_PASSWORD,
    timeout: 10000,
    trustedRootCertPaths: [keys.rootPath],
    keyId: APPLE_SANDBOX_KEY_ID,
    issuerId: APPLE_SANDBOX_ISSUER_ID,
    privateKeyPath: keys.apiKeyPath,
    // Apple's hosts, each answered by the sandbox under its own prefix.
    baseUrl: {
      "api.storekit.apple.com": `${base}/api`,
      "api.storekit-sandbox.apple.com": `${base}/api-sandbox`,
      "buy.itunes.apple.com": `${base}/buy`,
      "sandbox.itunes.apple.com": `${base}/sandbox`,
    },
    products: APPLE_SANDBOX_PRODUCTS,
    // The sandbox's chain names no OCSP responder (its port is only known at start), so its data is checked offline, at signedDate.
    onlineChecks: false,
  };
}

/** JavaScript source of the `appleiap` block; the origin follows `PORT` when the config is loaded. */
export function renderAppleSandboxConfig(keys: AppleSandboxKeys, portExpression = "(process.env.PORT || 8787)"): string {
  const block = { "app-plus": appleSandboxConfig(keys, `${PLACEHOLDER}/__sandbox/appleiap`) };
  return JSON.stringify(block, null, 2).replace(
    new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"),
    (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`,
  );
}
