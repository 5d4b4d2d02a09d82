/**
 * What `npm start` writes into the generated `uni-pay/config.js` for Alipay: every mode pointing at this
 * sandbox, in key mode by default (the cert-mode app when `certMode`). The base URL follows `PORT` when
 * the config is loaded, like the generated `notifyUrl`.
 */
import { SANDBOX_CODEPAY_TIMING } from "../codepay-timing";
import { alipaySandboxConfig, type AlipaySandboxKeys } from "../pki";

/** The modes of uni-pay's `alipay` block the sandbox serves; `transfer` is added in certificate mode, the only one Alipay transfers in. */
export const ALIPAY_SANDBOX_MODES = ["mp-alipay", "app-plus", "h5", "codepay"] as const;

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

/** JavaScript source of the `alipay` block; keys appear only in that file under the data directory. */
export function renderAlipaySandboxConfig(keys: AlipaySandboxKeys, options: { certMode?: boolean; portExpression?: string } = {}): string {
  const portExpression = options.portExpression ?? "(process.env.PORT || 8787)";
  const block: Record<string, unknown> = {};
  for (const mode of ALIPAY_SANDBOX_MODES) {
    block[mode] = {
      ...alipaySandboxConfig(keys, `${PLACEHOLDER}/__sandbox/alipay`, { certMode: options.certMode }),
      ...(mode === "codepay" ? SANDBOX_CODEPAY_TIMING : {}),
    };
  }
  block.transfer = alipaySandboxConfig(keys, `${PLACEHOLDER}/__sandbox/alipay`, { certMode: true });
  // JSON is valid JavaScript; the origin is then spliced in as an expression evaluated at load time.
  return JSON.stringify(block, null, 2).replace(
    new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"),
    (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`,
  );
}
