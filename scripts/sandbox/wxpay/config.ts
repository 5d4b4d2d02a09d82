/**
 * What `npm start` writes into the generated `uni-pay/config.js` for WeChat: every v3 mode pointing at
 * this sandbox. The base URL follows `PORT` when the config is loaded, like the generated `notifyUrl`.
 */
import { wxpaySandboxConfig, type WxpaySandboxKeys } from "../pki";

/** The v3 modes the sandbox serves (codepay is API v2 and needs the v2 sandbox). */
export const WXPAY_SANDBOX_MODES = ["mp-weixin", "app-plus", "h5", "h5-weixin", "mweb", "transfer"] as const;

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

/**
 * JavaScript source of the `wxpay` block, for a generated config file. Secrets appear only in that file
 * under the data directory, never in the repository.
 */
export function renderWxpaySandboxConfig(keys: WxpaySandboxKeys, portExpression = "(process.env.PORT || 8787)"): string {
  const block: Record<string, unknown> = {};
  for (const mode of WXPAY_SANDBOX_MODES) {
    const config: Record<string, unknown> = wxpaySandboxConfig(keys, `${PLACEHOLDER}/__sandbox/wxpay`);
    if (mode === "mweb") config.sceneInfo = { h5_info: { type: "Wap", wap_url: PLACEHOLDER, wap_name: "vk-pay 本地" } };
    block[mode] = config;
  }
  // JSON is valid JavaScript; the origin is then spliced in as an expression evaluated at load time.
  return JSON.stringify(block, null, 2).replace(new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"), (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`);
}
