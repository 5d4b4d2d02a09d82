import { callUni, type ClientHost } from "./host";

/**
 * What a native payment call said: `verify` (it reports success, or does not know: the server decides),
 * `cancel` (the user stopped), `fail` (with the platform's code and a message for people).
 */
export type NativeOutcome =
  { kind: "verify"; raw: unknown } | { kind: "cancel"; raw: unknown } | { kind: "fail"; code: number | string; msg: string; raw: unknown };

const verify = (raw: unknown): NativeOutcome => ({ kind: "verify", raw });
const cancel = (raw: unknown): NativeOutcome => ({ kind: "cancel", raw });
const fail = (raw: unknown, code: number | string = "fail", msg = "支付失败"): NativeOutcome => ({ kind: "fail", code, msg, raw });

function errMsgOf(res: any): string {
  return String(res?.errMsg ?? res?.err_msg ?? res?.message ?? "");
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A uni.requestPayment failure: uni-app reports a user's cancel as `requestPayment:fail cancel`. */
function requestPaymentFailure(res: any): NativeOutcome {
  if (/cancel/i.test(errMsgOf(res))) return cancel(res);
  return fail(res, res?.errCode ?? res?.code ?? "fail");
}

/**
 * A WeChat mini program: the JSAPI parameters spread into the call.
 * @see https://uniapp.dcloud.net.cn/api/plugins/payment.html
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestPayment.html
 */
export async function payInWeixinMiniProgram(host: ClientHost, orderInfo: unknown): Promise<NativeOutcome> {
  if (!isObject(orderInfo)) return fail(orderInfo, "order-info", "支付参数错误");
  const { ok, res } = await callUni(host.uni, "requestPayment", { provider: "wxpay", ...orderInfo });
  return ok ? verify(res) : requestPaymentFailure(res);
}

/**
 * An App's WeChat or Alipay SDK: `orderInfo` as the server built it (WeChat: the APP parameter object, which
 * vk-uni-pay also spreads; Alipay: the signed order string, never spread).
 * @see https://uniapp.dcloud.net.cn/api/plugins/payment.html
 */
export async function payInApp(host: ClientHost, provider: string, orderInfo: unknown): Promise<NativeOutcome> {
  const { ok, res } = await callUni(host.uni, "requestPayment", { provider, orderInfo, ...(isObject(orderInfo) ? orderInfo : {}) });
  return ok ? verify(res) : requestPaymentFailure(res);
}

/** my.tradePay's result codes: 9000 paid, 8000 processing, 6004 unknown: the server decides those. */
const ALIPAY_VERIFY = new Set(["9000", "8000", "6004"]);
/** 6001 the user cancelled; 99 the user left through "forgot password". */
const ALIPAY_CANCEL = new Set(["6001", "99"]);
const ALIPAY_MESSAGES: Record<string, string> = { "4000": "支付失败", "6002": "网络连接出错", "6001": "用户取消支付" };

/**
 * An Alipay mini program pays its trade number; the outcome is in `resultCode`, which uni-app passes in
 * either callback.
 * @see https://opendocs.alipay.com/mini/api/openapi-pay
 */
export async function payInAlipayMiniProgram(host: ClientHost, tradeNo: unknown): Promise<NativeOutcome> {
  const { ok, res } = await callUni(host.uni, "requestPayment", { provider: "alipay", orderInfo: tradeNo });
  const code = res?.resultCode ?? res?.result?.resultCode;
  if (code === undefined || code === null) return ok ? verify(res) : requestPaymentFailure(res);
  const resultCode = String(code);
  if (ALIPAY_VERIFY.has(resultCode)) return verify(res);
  if (ALIPAY_CANCEL.has(resultCode)) return cancel(res);
  return fail(res, resultCode, ALIPAY_MESSAGES[resultCode] ?? "支付失败");
}

/**
 * A Douyin mini program's cashier (`service: 5`): `code` 0 paid, 4 cancelled, 9 unknown (the server
 * decides), anything else failed. `getOrderStatus` lets Douyin ask our server when it cannot tell.
 * @see https://uniapp.dcloud.net.cn/api/plugins/payment.html
 */
export async function payInDouyinMiniProgram(host: ClientHost, orderInfo: unknown, getOrderStatus: () => Promise<{ code: number }>): Promise<NativeOutcome> {
  const { ok, res } = await callUni(host.uni, "requestPayment", { provider: "toutiao", service: 5, orderInfo, getOrderStatus });
  if (!ok) return requestPaymentFailure(res);
  const code = Number(res?.code);
  if (code === 0 || code === 9) return verify(res);
  if (code === 4) return cancel(res);
  return fail(res, Number.isFinite(code) ? code : "fail");
}

/** Huawei's code for a payer who backed out of the cashier. */
const HUAWEI_CANCEL = 50000101;

/**
 * A HarmonyOS meta-service (or app) pays Huawei's signed order string as `orderStr`.
 * @see https://uniapp.dcloud.net.cn/api/plugins/payment.html
 */
export async function payWithHuawei(host: ClientHost, orderInfo: unknown, inApp: boolean): Promise<NativeOutcome> {
  const orderStr = typeof orderInfo === "string" ? orderInfo : JSON.stringify(orderInfo);
  const { ok, res } = await callUni(host.uni, "requestPayment", { ...(inApp ? { provider: "huawei" } : {}), orderStr });
  if (ok) return verify(res);
  if (Number(res?.errCode ?? res?.code) === HUAWEI_CANCEL || /cancel/i.test(errMsgOf(res))) return cancel(res);
  return requestPaymentFailure(res);
}

/** wx.requestVirtualPayment's error codes a payer can act on, in their words. */
const VIRTUAL_MESSAGES: Record<string, string> = {
  "-1": "支付失败，请稍后再试",
  "-4": "支付被风控拦截",
  "-5": "开通签约结果未知，请稍后查看",
  "-15001": "支付参数错误",
  "-15002": "商品信息错误",
  "-15005": "代币余额不足",
};

/**
 * WeChat virtual payment (short drama mini programs): the server's `{ signData, paySig, signature, mode }`.
 * iOS is refused by WeChat (`INVALID_PLATFORM`); -2 is the payer's cancel.
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestVirtualPayment.html
 */
export async function payVirtually(host: ClientHost, orderInfo: unknown): Promise<NativeOutcome> {
  if (!isObject(orderInfo)) return fail(orderInfo, "order-info", "支付参数错误");
  const { ok, res } = await callUni(host.uni, "requestVirtualPayment", { ...orderInfo });
  if (ok) return verify(res);
  const code = res?.errCode ?? res?.code;
  if (Number(code) === -2 || /cancel/i.test(errMsgOf(res))) return cancel(res);
  if (/INVALID_PLATFORM/.test(errMsgOf(res))) return fail(res, "INVALID_PLATFORM", "iOS暂不支持虚拟支付");
  return fail(res, code ?? "fail", VIRTUAL_MESSAGES[String(code)] ?? "支付失败");
}

/** How long to wait for WeChat's browser to inject its bridge before giving up. */
const BRIDGE_WAIT_MS = 5000;

function weixinBridge(host: ClientHost): Promise<boolean> {
  const browser = host.window;
  if (!browser) return Promise.resolve(false);
  if (browser.WeixinJSBridge) return Promise.resolve(true);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: boolean) => {
      if (!settled) ((settled = true), resolve(value));
    };
    browser.document?.addEventListener?.("WeixinJSBridgeReady", () => settle(true), false);
    void host.sleep(BRIDGE_WAIT_MS).then(() => settle(Boolean(browser.WeixinJSBridge)));
  });
}

/**
 * JSAPI in WeChat's browser (an official account's page): `getBrandWCPayRequest` with the server's
 * parameters; `:ok` is only the page's word (the server is asked), `:cancel` the payer's.
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012791857
 */
export async function payInWeixinBrowser(host: ClientHost, orderInfo: unknown): Promise<NativeOutcome> {
  if (!(await weixinBridge(host))) return fail(undefined, "no-bridge", "请在微信内打开页面进行支付");
  const bridge = host.window!.WeixinJSBridge!;
  const res = await new Promise<{ err_msg?: string; errMsg?: string }>((resolve) => bridge.invoke("getBrandWCPayRequest", orderInfo, resolve));
  const message = errMsgOf(res);
  if (/:ok$/.test(message)) return verify(res);
  if (/:cancel$/.test(message)) return cancel(res);
  return fail(res, "fail");
}
