/**
 * What `npm start` writes into the generated `uni-pay/config.js` for WeChat: every v3 mode pointing at
 * this sandbox, and `codepay` as an API v2 block (v2's micropay takes pay codes without a store number;
 * a v3 block pays them over v3's codepay, which needs `store_id`). The base URLs follow `PORT`
 * and `WXPAY_SANDBOX_HTTPS_PORT` when the config is loaded, like the generated `notifyUrl`.
 */
import { SANDBOX_CODEPAY_TIMING } from "../codepay-timing";
import { wxpaySandboxConfig, type WxpaySandboxKeys } from "../pki/wxpay-keys";

/** The v3 modes the sandbox serves. */
export const WXPAY_SANDBOX_MODES = ["mp-weixin", "app-plus", "h5", "h5-weixin", "mweb", "transfer"] as const;
/** The modes written as `version: 2` blocks. */
export const WXPAY_SANDBOX_V2_MODES = ["codepay"] as const;

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";
const SECURE_PLACEHOLDER = "@@VK_PAY_SANDBOX_SECURE_ORIGIN@@";
const PFX_PLACEHOLDER = "@@VK_PAY_SANDBOX_PFX@@";

/** The HTTPS port `npm start` gives `/secapi` unless WXPAY_SANDBOX_HTTPS_PORT says otherwise: PORT + 1. */
export const DEFAULT_HTTPS_PORT_EXPRESSION = "(process.env.WXPAY_SANDBOX_HTTPS_PORT || (Number(process.env.PORT || 8787) + 1))";

/**
 * JavaScript source of the `wxpay` block, for a generated config file. Secrets appear only in that file
 * under the data directory, never in the repository.
 */
export function renderWxpaySandboxConfig(
  keys: WxpaySandboxKeys,
  portExpression = "(process.env.PORT || 8787)",
  options: { v2?: boolean; httpsPortExpression?: string } = {},
): string {
  const httpsPortExpression = options.httpsPortExpression ?? DEFAULT_HTTPS_PORT_EXPRESSION;
  const block: Record<string, unknown> = {};
  for (const mode of WXPAY_SANDBOX_MODES) {
    const config: Record<string, unknown> = wxpaySandboxConfig(keys, `${PLACEHOLDER}/__sandbox/wxpay`);
    if (mode === "mweb") config.sceneInfo = { h5_info: { type: "Wap", wap_url: PLACEHOLDER, wap_name: "vk-pay 本地" } };
    // 现金营销 (1000) and its report infos, as a merchant who applied for that scene would configure them.
    if (mode === "transfer") {
      config.defaultSceneId = "1000";
      config.defaultSceneReportInfos = [
        { info_type: "活动名称", info_content: "vk-pay 本地活动" },
        { info_type: "奖励说明", info_content: "本地沙箱奖励" },
      ];
    }
    block[mode] = config;
  }
  // The v2 blocks read the .p12 with require("fs") at load time: only for a CommonJS config file.
  for (const mode of options.v2 ? WXPAY_SANDBOX_V2_MODES : []) {
    const config: Record<string, unknown> = wxpaySandboxConfig(keys, `${PLACEHOLDER}/__sandbox/wxpay`, {
      version: 2,
      secapiBaseUrl: `${SECURE_PLACEHOLDER}/__sandbox/wxpay`,
    });
    // The .p12 is read when the config loads, as vk-uni-pay's templates do with fs.readFileSync.
    config.pfx = PFX_PLACEHOLDER;
    block[mode] = { ...config, ...SANDBOX_CODEPAY_TIMING };
  }
  // JSON is valid JavaScript; the origins are then spliced in as expressions evaluated at load time.
  return JSON.stringify(block, null, 2)
    .replace(new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"), (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`)
    .replace(new RegExp(`"${SECURE_PLACEHOLDER}([^"]*)"`, "g"), (_, rest: string) => `"https://127.0.0.1:" + ${httpsPortExpression} + ${JSON.stringify(rest)}`)
    .split(`"${PFX_PLACEHOLDER}"`)
    .join(`require("fs").readFileSync(${JSON.stringify(keys.pfxPath)})`);
}
