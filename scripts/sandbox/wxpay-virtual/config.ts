import { XPAY_SANDBOX_GOODS, XPAY_SANDBOX_RATE, type XpaySandboxKeys } from "./keys";

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

/** The sandbox's mini program as a `wxpay-virtual` merchant: safe mode (messages encrypted), its items and coin rate. */
export function xpaySandboxMerchant(keys: XpaySandboxKeys, baseUrl: string) {
  return {
    appId: keys.appId,
    secret: keys.appSecret,
    offerId: keys.offerId,
    appKey: keys.appKey,
    sandboxAppKey: keys.sandboxAppKey,
    rate: XPAY_SANDBOX_RATE,
    token: keys.token,
    encodingAESKey: keys.encodingAESKey,
    messageFormat: "json",
    sandbox: false,
    goods: XPAY_SANDBOX_GOODS,
    baseUrl,
  };
}

/** The `wxpay-virtual` block of the generated uni-pay/config.js, with a baseUrl on PORT read when the config loads. */
export function renderXpaySandboxConfig(keys: XpaySandboxKeys, portExpression = "(process.env.PORT || 8787)"): string {
  const block = { "mp-weixin": xpaySandboxMerchant(keys, `${PLACEHOLDER}/__sandbox/wxpay-virtual`) };
  return JSON.stringify(block, null, 2).replace(
    new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"),
    (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`,
  );
}
