import { readBaseUrl } from "../core/base-url";
import { checkPid, resolveMerchant } from "../core/merchants";
import { failures, NetworkError, ProviderRejectedError } from "../core/errors";
import { respond, type Result } from "../core/result";
import { productionDeps, type ApiDeps } from "./shared";

/** Session keys stay on the server: one document per app and openid, never returned to a client. */
export const WX_SESSIONS = "vk-pay-wx-sessions";

const WEIXIN_HOSTS = ["api.weixin.qq.com"];

interface WeixinAnswer {
  errcode?: number;
  errmsg?: string;
  openid?: string;
  unionid?: string;
  session_key?: string;
}

async function askWeixin(config: Readonly<Record<string, unknown>>, path: string, query: Record<string, string>, deps: ApiDeps): Promise<WeixinAnswer> {
  const origin = readBaseUrl(config.baseUrl, ["api.mch.weixin.qq.com", "api2.mch.weixin.qq.com", ...WEIXIN_HOSTS])("api.weixin.qq.com");
  let response;
  try {
    response = await deps.runtime.request(`${origin}${path}?${new URLSearchParams(query).toString()}`, { method: "GET", timeout: 10_000 });
  } catch {
    throw new NetworkError();
  }
  let answer: WeixinAnswer;
  try {
    answer = JSON.parse(response.data.toString("utf8")) as WeixinAnswer;
  } catch {
    throw new NetworkError("微信接口返回了无法识别的内容");
  }
  if (answer.errcode) {
    const message = answer.errcode === 40163 ? "该code已被使用，请重新获取" : answer.errcode === 40029 ? "code无效，请重新获取" : "获取openid失败";
    throw new ProviderRejectedError(String(answer.errcode), answer.errmsg ?? "", message);
  }
  if (typeof answer.openid !== "string" || !answer.openid) throw new NetworkError("微信接口没有返回openid");
  return answer;
}

function checkCode(code: unknown): string {
  if (typeof code !== "string" || !code || code.length > 256) throw failures.codeMissing();
  return code;
}

/**
 * `code2SessionWeixinMP`: a mini-program login code → openid (and unionid). The session key is kept in
 * the database for later server-side use (virtual payments) and is never part of the answer.
 * @see https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 */
export function code2SessionWeixinMP(params: { code: string; pid?: string }, deps: ApiDeps = productionDeps()): Promise<Result<{ openid: string; unionid?: string }>> {
  return respond("code2SessionWeixinMP", async () => {
    const code = checkCode(params?.code);
    const config = await resolveMerchant(deps, { provider: "wxpay", configKey: "mp-weixin" }, checkPid(params.pid));
    const appid = String(config.appId ?? "");
    const answer = await askWeixin(config, "/sns/jscode2session", { appid, secret: String(config.secret ?? ""), js_code: code, grant_type: "authorization_code" }, deps);
    if (answer.session_key) {
      await deps.db.collection(WX_SESSIONS).doc(`${appid}:${answer.openid}`).set({ appid, openid: answer.openid, session_key: answer.session_key, update_date: deps.now() });
    }
    return { openid: answer.openid!, ...(answer.unionid ? { unionid: answer.unionid } : {}) };
  }, deps.log);
}

/**
 * `code2SessionWeixinH5`: an official-account OAuth code → openid. The access and refresh tokens stay here.
 * @see https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
 */
export function code2SessionWeixinH5(params: { code: string; pid?: string }, deps: ApiDeps = productionDeps()): Promise<Result<{ openid: string; unionid?: string }>> {
  return respond("code2SessionWeixinH5", async () => {
    const code = checkCode(params?.code);
    const config = await resolveMerchant(deps, { provider: "wxpay", configKey: "h5-weixin" }, checkPid(params.pid));
    const answer = await askWeixin(config, "/sns/oauth2/access_token", { appid: String(config.appId ?? ""), secret: String(config.secret ?? ""), code, grant_type: "authorization_code" }, deps);
    return { openid: answer.openid!, ...(answer.unionid ? { unionid: answer.unionid } : {}) };
  }, deps.log);
}
