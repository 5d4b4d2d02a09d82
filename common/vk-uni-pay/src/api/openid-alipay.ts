import { merchantConfig, type PayConfig } from "../core/config";
import { checkPid, payConfigFor } from "../core/merchants";
import { ConfigError, failures, NetworkError, ProviderRejectedError, ValidationError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { callAlipay, rejectionOf } from "../providers/alipay/client";
import { readAlipayMerchant } from "../providers/alipay/merchant";
import { parseAlipayError } from "../providers/alipay/protocol";
import { productionDeps, type ApiDeps } from "./shared";

export interface Code2SessionAlipayParams {
  code: string;
  /** Picks the Alipay sub-config with this appId (mini program first); the mp-alipay one when absent. */
  appid?: string;
  /** Multi-merchant `vk-pay-config` row: accepted as createPayment accepts it; the file config is used. */
  pid?: string;
}

export interface Code2SessionAlipayData {
  /** The user's id for this app: `user_id` (2088…) or, for apps on OpenID, `open_id`. */
  openid: string;
  user_id?: string;
  open_id?: string;
}

/** Mini program first: vk-uni-pay's helper serves `<vk-uni-pay>` in Alipay mini programs. */
const CONFIG_KEYS = ["mp-alipay", "app-plus", "h5", "codepay", "transfer"];

function alipayConfigFor(config: PayConfig, appid: string | undefined): Readonly<Record<string, unknown>> {
  if (appid === undefined) return merchantConfig(config, { provider: "alipay", configKey: "mp-alipay" });
  const block = (config.alipay ?? {}) as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    const sub = block[key] as Record<string, unknown> | undefined;
    if (sub && typeof sub === "object" && sub.appId === appid) return sub;
  }
  throw new ConfigError("alipay-appid-unknown", `uni-pay/config.js 中没有 appId 为 ${appid.slice(0, 32)} 的支付宝配置`);
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.length > 64) throw new ValidationError(-1, `${name}-invalid`, `${name}必须是字符串`);
  return value;
}

/**
 * `code2SessionAlipay`: a mini-program auth code → the user's id. The access and refresh tokens Alipay
 * returns stay here: nothing the client needs, and the manual's answer is the openid only.
 *
 * @see https://docs.open.alipay.com/api_9/alipay.system.oauth.token
 */
export function code2SessionAlipay(params: Code2SessionAlipayParams, deps: ApiDeps = productionDeps()): Promise<Result<Code2SessionAlipayData>> {
  return respond("code2SessionAlipay", async () => {
    const code = params?.code;
    if (typeof code !== "string" || !code || code.length > 256) throw failures.codeMissing();
    const appid = optionalText(params.appid, "appid");
    const merchant = readAlipayMerchant(alipayConfigFor(await payConfigFor(deps, checkPid(params.pid)), appid));
    const answer = await callAlipay(merchant, deps.runtime, { method: "alipay.system.oauth.token", params: { grant_type: "authorization_code", code } });
    const error = parseAlipayError(answer);
    if (error) {
      const expired = error.subCode === "isv.code-invalid" || error.subCode === "isv.code-expired";
      if (expired) throw new ProviderRejectedError(error.subCode!, error.subMsg ?? error.msg, "code无效或已被使用，请重新获取");
      throw rejectionOf(error, "获取openid失败");
    }
    const userId = typeof answer.user_id === "string" && answer.user_id ? answer.user_id : undefined;
    const openId = typeof answer.open_id === "string" && answer.open_id ? answer.open_id : undefined;
    const openid = userId ?? openId;
    if (!openid) throw new NetworkError("支付宝接口没有返回用户标识");
    return { openid, ...(userId ? { user_id: userId } : {}), ...(openId ? { open_id: openId } : {}) };
  }, deps.log);
}
