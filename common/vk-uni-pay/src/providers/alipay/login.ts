import { NetworkError, ProviderRejectedError, ValidationError } from "../../core/errors";
import type { LoginMethod, LoginRequest, LoginResult, ProviderRuntime } from "../../kernel/contract";
import { callAlipay, rejectionOf } from "./client";
import type { AlipayMerchant } from "./merchant";
import { parseAlipayError } from "./protocol";

/** Mini program first: vk-uni-pay's helper serves `<vk-uni-pay>` in Alipay mini programs; a caller's `appid` may name another app. */
export const ALIPAY_LOGINS: readonly LoginMethod[] = Object.freeze([
  { name: "code2SessionAlipay", route: "pay/code2SessionAlipay", configKey: "mp-alipay", alsoConfigKeys: ["app-plus", "h5", "codepay", "transfer"] },
]);

/**
 * `code2SessionAlipay`: a mini-program auth code → the user's id (`user_id` 2088…, or `open_id` for apps
 * on OpenID). The access and refresh tokens Alipay returns stay here.
 *
 * @see https://opendocs.alipay.com/open/02ailc (alipay.system.oauth.token)
 */
export async function alipayCode2Session(request: LoginRequest, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<LoginResult> {
  if (request.method !== "code2SessionAlipay") throw new ValidationError(-1, "login-unsupported", "支付宝不支持该登录方式");
  const answer = await callAlipay(merchant, runtime, { method: "alipay.system.oauth.token", params: { grant_type: "authorization_code", code: request.code } });
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
}
