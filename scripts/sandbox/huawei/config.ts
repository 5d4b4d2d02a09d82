import type { HuaweiSandboxKeys } from "./keys";

/**
 * What `npm start` writes into the generated `uni-pay/config.js` for Huawei: both sub-configs (`app-harmony`
 * for the HarmonyOS app's `app-plus` mode, `mp-harmony` for the atomic service) pointing at this sandbox
 * through `baseUrl`, with its merchant key and its platform SM2 public key (hex, as Huawei's console shows it).
 */
const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

export function renderHuaweiSandboxConfig(keys: HuaweiSandboxKeys, options: { portExpression?: string } = {}): string {
  const portExpression = options.portExpression ?? "(process.env.PORT || 8787)";
  const block: Record<string, unknown> = {};
  for (const clientType of ["app-harmony", "mp-harmony"]) {
    block[clientType] = {
      appId: keys.appId,
      mchId: keys.mchId,
      mchAuthId: keys.authId,
      mchPrivateKey: keys.merchantPrivateKeyPem,
      platformPublicKey: keys.platformPublicKeyHex,
      clientType,
      baseUrl: `${PLACEHOLDER}/__sandbox/huawei`,
    };
  }
  return JSON.stringify(block, null, 2).replace(
    new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"),
    (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`,
  );
}
