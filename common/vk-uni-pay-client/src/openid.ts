import { callRoute, envelopeFailure } from "./cloud";
import type { ClientContext } from "./context";
import { detectH5Env, detectPlatform } from "./env";
import { callUni } from "./host";
import { VkPayClientError } from "./errors";

const STORAGE_PREFIX = "vk-uni-pay-openid:";

export interface GetOpenidParams {
  /** `mp-weixin`, `mp-alipay` or `h5-weixin`; the running one by default. */
  env?: string;
  /** The WeChat browser without a `code` yet: leave for WeChat's authorisation page (default true). */
  redirect?: boolean;
}

/** Where an openid comes from here: a mini program's login, or an official account's page authorisation. */
export function openidEnv(context: ClientContext): "mp-weixin" | "mp-alipay" | "h5-weixin" | undefined {
  const platform = detectPlatform(context.host, context.options.platform);
  if (platform === "mp-weixin") return "mp-weixin";
  if (platform === "mp-alipay") return "mp-alipay";
  if (platform === "h5" && detectH5Env(context.host) === "h5-weixin") return "h5-weixin";
  return undefined;
}

function remember(context: ClientContext, env: string, openid: string): string {
  context.openids[env] = openid;
  context.host.uni?.setStorageSync?.(STORAGE_PREFIX + env, openid);
  return openid;
}

function cached(context: ClientContext, env: string): string | undefined {
  if (context.openids[env]) return context.openids[env];
  const stored = context.host.uni?.getStorageSync?.(STORAGE_PREFIX + env);
  return typeof stored === "string" && stored ? (context.openids[env] = stored) : undefined;
}

/** The mini program's own appId, so the server picks the matching sub-config when it has several. */
function miniProgramAppid(context: ClientContext): string | undefined {
  try {
    return context.host.uni?.getAccountInfoSync?.().miniProgram?.appId || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A mini program's login code → openid through the server (the session key never leaves it).
 * @see https://uniapp.dcloud.net.cn/api/plugins/login.html#login
 */
async function miniProgramOpenid(context: ClientContext, env: "mp-weixin" | "mp-alipay"): Promise<string> {
  const login = await callUni(context.host.uni, "login", { provider: env === "mp-weixin" ? "weixin" : "alipay" });
  const code = login.res?.code ?? login.res?.authCode;
  if (!login.ok || typeof code !== "string" || !code) {
    throw new VkPayClientError({ failType: "call", code: "login", msg: "获取登录凭证失败", raw: login.res });
  }
  const appid = miniProgramAppid(context);
  const route = env === "mp-weixin" ? "pay/code2SessionWeixin" : "pay/code2SessionAlipay";
  const reply = await callRoute(context.host, context.options, route, { code, ...(appid ? { appid } : {}) });
  if (reply.code !== 0 || typeof reply.data?.openid !== "string") throw envelopeFailure("call", reply.code === 0 ? { code: -1, msg: "获取openid失败" } : reply);
  return remember(context, env, reply.data.openid);
}

/**
 * The WeChat browser: WeChat's page authorisation (`snsapi_base`, no prompt) returns to this page with a
 * `code`, which the server exchanges. Without a code yet, the page leaves for WeChat (and resolves nothing).
 * @see https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
 */
async function officialAccountOpenid(context: ClientContext, redirect: boolean): Promise<string | undefined> {
  const browser = context.host.window;
  const href = browser?.location.href ?? "";
  const match = /[?&]code=([^&#]+)/.exec(href);
  if (match) {
    const reply = await callRoute(context.host, context.options, "pay/code2SessionWeixinH5", { code: decodeURIComponent(match[1]!) });
    if (reply.code === 0 && typeof reply.data?.openid === "string") {
      browser?.history?.replaceState?.(
        null,
        "",
        href
          .replace(/([?&])code=[^&#]*&?/, "$1")
          .replace(/([?&])state=[^&#]*&?/, "$1")
          .replace(/[?&]+(#|$)/, "$1"),
      );
      return remember(context, "h5-weixin", reply.data.openid);
    }
    // A used or stale code (the page was reloaded): authorise again below.
    if (!redirect) throw envelopeFailure("call", reply);
  }
  if (!redirect || !browser) return undefined;
  const appid = context.options.weixinH5Appid;
  if (!appid) throw new VkPayClientError({ failType: "call", code: "appid", msg: "未配置公众号appid（weixinH5Appid）" });
  const back = href.replace(/([?&])(code|state)=[^&#]*/g, "$1").replace(/[?&]+(#|$)/, "$1");
  browser.location.href = `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${encodeURIComponent(appid)}&redirect_uri=${encodeURIComponent(back)}&response_type=code&scope=snsapi_base&state=vkpay#wechat_redirect`;
  return undefined;
}

/** The payer's openid for this platform, cached for the session and in storage; undefined while redirecting. */
export async function getOpenid(context: ClientContext, params: GetOpenidParams = {}): Promise<string | undefined> {
  const env = params.env ?? openidEnv(context);
  if (env !== "mp-weixin" && env !== "mp-alipay" && env !== "h5-weixin") {
    throw new VkPayClientError({ failType: "call", code: "platform", msg: "当前环境无需获取openid" });
  }
  const known = cached(context, env);
  if (known) return known;
  if (env === "h5-weixin") return officialAccountOpenid(context, params.redirect !== false);
  return miniProgramOpenid(context, env);
}
