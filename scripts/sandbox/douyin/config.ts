/**
 * What `npm start` writes into the generated `uni-pay/config.js` for Douyin: the `mp-toutiao` sub-config
 * pointing at this sandbox, in 通用交易系统 by default, or 担保支付 when `DOUYIN_SANDBOX_VERSION=1` at
 * generation. The base URL follows `PORT` when the config is loaded, like the generated `notifyUrl`.
 */
import type { DouyinSandboxKeys } from "./keys";

const PLACEHOLDER = "@@VK_PAY_SANDBOX_ORIGIN@@";

export function douyinSandboxConfig(keys: DouyinSandboxKeys, baseUrl: string, version: 1 | 2): Record<string, unknown> {
  const common = { appId: keys.appId, secret: keys.secret, mchId: keys.mchId, baseUrl };
  return version === 1
    ? { ...common, version: 1, salt: keys.salt, token: keys.token, sandbox: false }
    : {
        ...common,
        version: 2,
        privateKey: keys.appPrivateKeyPem,
        keyVersion: keys.keyVersion,
        platformPublicKey: keys.platformPublicKeyPem,
        skuType: 401,
        tagGroupId: "tag_group_7272625659888041996",
        orderEntryPath: "pages/order/detail",
      };
}

export function renderDouyinSandboxConfig(keys: DouyinSandboxKeys, options: { version?: 1 | 2; portExpression?: string } = {}): string {
  const portExpression = options.portExpression ?? "(process.env.PORT || 8787)";
  const block = { "mp-toutiao": douyinSandboxConfig(keys, `${PLACEHOLDER}/__sandbox/douyin`, options.version ?? 2) };
  return JSON.stringify(block, null, 2).replace(
    new RegExp(`"${PLACEHOLDER}([^"]*)"`, "g"),
    (_, rest: string) => `"http://127.0.0.1:" + ${portExpression} + ${JSON.stringify(rest)}`,
  );
}
