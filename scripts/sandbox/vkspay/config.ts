import type { VkspaySandboxKeys } from "./keys";

/** The flat `vkspay` block of the generated uni-pay/config.js, its gateway this sandbox (following PORT at load). */
export function renderVkspaySandboxConfig(keys: VkspaySandboxKeys, options: { portExpression?: string } = {}): string {
  const portExpression = options.portExpression ?? "(process.env.PORT || 8787)";
  return `{
  "mchId": ${JSON.stringify(keys.mchId)},
  "key": ${JSON.stringify(keys.key)},
  "gatewayUrl": "http://127.0.0.1:" + ${portExpression} + "/__sandbox/vkspay"
}`;
}
