import { NetworkError, ProviderRejectedError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { XpayMerchant } from "./merchant";
import { xpayPaySig, xpayUserSignature } from "./protocol/sign";
import { storeAccessToken, storedAccessToken } from "./stores";

/** A token is renewed this long before WeChat says it expires, so no call races its expiry. */
const RENEW_MARGIN_MS = 5 * 60_000;

/** WeChat's answers for a token that is invalid or expired: fetch a new one and try once more. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

interface WeixinAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

async function postJson(url: string, body: string, runtime: ProviderRuntime): Promise<WeixinAnswer> {
  let response;
  try {
    response = await runtime.request(url, { method: "POST", headers: { "content-type": "application/json" }, content: body, timeout: 10_000 });
  } catch {
    throw new NetworkError();
  }
  try {
    const answer = JSON.parse(response.data.toString("utf8")) as unknown;
    if (answer && typeof answer === "object" && !Array.isArray(answer)) return answer as WeixinAnswer;
  } catch {
    // Reported below.
  }
  throw new NetworkError("微信接口返回了无法识别的内容");
}

/**
 * The mini program's access token, cached in the database for every instance until five minutes before it
 * expires. The stable token endpoint hands out the same token to concurrent callers (unlike `/cgi-bin/token`,
 * whose every call invalidates the previous token), so two instances refreshing at once do not undo each other.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
 */
export async function accessTokenOf(merchant: XpayMerchant, runtime: ProviderRuntime, forceRefresh = false): Promise<string> {
  if (!forceRefresh) {
    const stored = await storedAccessToken(merchant.appId, runtime);
    if (stored && stored.expires_at - RENEW_MARGIN_MS > runtime.now()) return stored.access_token;
  }
  const body = JSON.stringify({ grant_type: "client_credential", appid: merchant.appId, secret: merchant.secret, force_refresh: forceRefresh });
  const answer = await postJson(`${merchant.origin}/cgi-bin/stable_token`, body, runtime);
  if (answer.errcode) throw new ProviderRejectedError(String(answer.errcode), String(answer.errmsg ?? ""), "获取微信接口调用凭证失败，请检查 appId 与 secret");
  if (typeof answer.access_token !== "string" || typeof answer.expires_in !== "number") throw new NetworkError("微信接口没有返回access_token");
  await storeAccessToken(merchant.appId, { access_token: answer.access_token, expires_at: runtime.now() + answer.expires_in * 1000 }, runtime);
  return answer.access_token;
}

/** Chinese messages for xpay's documented error codes; anything else keeps the generic one. */
const XPAY_MESSAGES: Record<number, string> = {
  268490002: "订单不存在",
  268490003: "虚拟支付签名校验失败，请检查AppKey配置",
  268490004: "重复操作（赠送和代币支付相关接口）",
  268490009: "用户登录态已失效，请重新登录小程序后再试",
  268490011: "账单数据生成中，请稍后再试",
};

export interface XpayCallOptions {
  /** The user's session key: only query_user_balance, currency_pay and cancel_currency_pay carry the user signature. */
  sessionKey?: string;
}

/**
 * One xpay server call: the exact body string is what `pay_sig` (and `signature`) sign and what is sent.
 * An answer with a non-zero `errcode` is a refusal, keeping WeChat's code and message.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html (2.4 签名详解)
 */
export async function callXpay(
  merchant: XpayMerchant,
  api: string,
  payload: Record<string, unknown>,
  runtime: ProviderRuntime,
  options: XpayCallOptions = {},
): Promise<WeixinAnswer> {
  const body = JSON.stringify(payload);
  const send = async (token: string) => {
    const query = new URLSearchParams({ access_token: token, pay_sig: xpayPaySig(merchant.appKey, api, body) });
    if (options.sessionKey !== undefined) query.set("signature", xpayUserSignature(options.sessionKey, body));
    return postJson(`${merchant.origin}/xpay/${api}?${query.toString()}`, body, runtime);
  };
  let answer = await send(await accessTokenOf(merchant, runtime));
  if (typeof answer.errcode === "number" && TOKEN_REJECTED.has(answer.errcode)) answer = await send(await accessTokenOf(merchant, runtime, true));
  if (answer.errcode) {
    const code = Number(answer.errcode);
    throw new ProviderRejectedError(String(code), String(answer.errmsg ?? ""), XPAY_MESSAGES[code] ?? "微信虚拟支付接口调用失败，请稍后再试");
  }
  return answer;
}
