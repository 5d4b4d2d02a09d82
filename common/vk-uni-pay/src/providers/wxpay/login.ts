import { readBaseUrl } from "../../core/base-url";
import type { Database } from "../../core/database";
import { NetworkError, ProviderRejectedError, ValidationError } from "../../core/errors";
import type { LoginMethod, LoginRequest, LoginResult, ProviderRuntime } from "../../kernel/contract";

/** Session keys stay on the server: one document per app and openid, never returned to a client. */
export const WX_SESSIONS = "vk-pay-wx-sessions";

const WEIXIN_HOSTS = ["api.weixin.qq.com"];

/**
 * The logins WeChat offers vk-uni-pay's clients: a mini program's `wx.login` code, and an official
 * account's web OAuth code.
 */
export const WXPAY_LOGINS: readonly LoginMethod[] = Object.freeze([
  { name: "code2SessionWeixinMP", route: "pay/code2SessionWeixin", configKey: "mp-weixin" },
  { name: "code2SessionWeixinH5", route: "pay/code2SessionWeixinH5", configKey: "h5-weixin" },
]);

interface WeixinAnswer {
  errcode?: number;
  errmsg?: string;
  openid?: string;
  unionid?: string;
  session_key?: string;
}

async function askWeixin(config: LoginRequest["config"], path: string, query: Record<string, string>, runtime: ProviderRuntime): Promise<WeixinAnswer> {
  const origin = readBaseUrl(config.baseUrl, ["api.mch.weixin.qq.com", "api2.mch.weixin.qq.com", ...WEIXIN_HOSTS])("api.weixin.qq.com");
  let response;
  try {
    response = await runtime.request(`${origin}${path}?${new URLSearchParams(query).toString()}`, { method: "GET", timeout: 10_000 });
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

function identity(answer: WeixinAnswer): LoginResult {
  return { openid: answer.openid!, ...(answer.unionid ? { unionid: answer.unionid } : {}) };
}

/**
 * `code2SessionWeixinMP`: the session key is kept in the database for later server-side use (virtual
 * payments) and never answered. `code2SessionWeixinH5`: the access and refresh tokens stay here.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
 */
export async function weixinCode2Session(request: LoginRequest, runtime: ProviderRuntime, database: () => Database): Promise<LoginResult> {
  const { config, code } = request;
  const appid = String(config.appId ?? "");
  const secret = String(config.secret ?? "");
  switch (request.method) {
    case "code2SessionWeixinMP": {
      const answer = await askWeixin(config, "/sns/jscode2session", { appid, secret, js_code: code, grant_type: "authorization_code" }, runtime);
      if (answer.session_key) {
        await database()
          .collection(WX_SESSIONS)
          .doc(`${appid}:${answer.openid}`)
          .set({ appid, openid: answer.openid, session_key: answer.session_key, update_date: runtime.now() });
      }
      return identity(answer);
    }
    case "code2SessionWeixinH5":
      return identity(await askWeixin(config, "/sns/oauth2/access_token", { appid, secret, code, grant_type: "authorization_code" }, runtime));
    default:
      throw new ValidationError(-1, "login-unsupported", "微信不支持该登录方式");
  }
}
