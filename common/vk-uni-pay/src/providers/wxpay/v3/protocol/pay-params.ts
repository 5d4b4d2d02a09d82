import type { KeyObject } from "node:crypto";
import { WxpayV3ValidationError } from "./errors";
import { createNonce, currentTimestamp, signSha256WithRsa } from "./sign";

/**
 * The objects a client passes to `wx.requestPayment` / `WeixinJSBridge` (JSAPI, mini-program) and to the
 * OpenSDK `PayReq` (APP). Both are signed with the merchant key over four `\n`-terminated lines.
 */

export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: "RSA";
  paySign: string;
}

export interface AppPayParams {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: "Sign=WXPay";
  noncestr: string;
  timestamp: string;
  sign: string;
}

function line(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "" || /[\r\n]/.test(value)) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", `${what} must be a non-empty single-line string`);
  }
  return value;
}

function seconds(value: string | undefined): string {
  const text = value ?? currentTimestamp();
  if (!/^[0-9]{1,12}$/.test(text)) throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "timestamp must be whole seconds");
  return text;
}

export interface JsapiPayParamsInput {
  appId: string;
  /** The bare `prepay_id` from the JSAPI prepay response. */
  prepayId: string;
  privateKey: KeyObject;
  nonceStr?: string;
  timeStamp?: string;
}

/**
 * Signs `appId\ntimeStamp\nnonceStr\nprepay_id=…\n`; `signType` is not signed but must be sent as `RSA`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_5_4.shtml (mini-program)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_4.shtml (JSAPI)
 */
export function buildJsapiPayParams(input: JsapiPayParamsInput): JsapiPayParams {
  const appId = line(input.appId, "appId");
  const pkg = `prepay_id=${line(input.prepayId, "prepayId")}`;
  const nonceStr = line(input.nonceStr ?? createNonce(), "nonceStr");
  const timeStamp = seconds(input.timeStamp);
  const paySign = signSha256WithRsa(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, input.privateKey);
  return { appId, timeStamp, nonceStr, package: pkg, signType: "RSA", paySign };
}

export interface AppPayParamsInput {
  appid: string;
  /** The merchant ID, sent as `partnerid`. */
  mchid: string;
  /** The bare `prepay_id` from the APP prepay response. */
  prepayId: string;
  privateKey: KeyObject;
  nonceStr?: string;
  timestamp?: string;
}

/**
 * Signs `appid\ntimestamp\nnoncestr\nprepayid\n`: unlike JSAPI, the bare prepay id, not `prepay_id=…`.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012265144
 */
export function buildAppPayParams(input: AppPayParamsInput): AppPayParams {
  const appid = line(input.appid, "appid");
  const prepayid = line(input.prepayId, "prepayId");
  const noncestr = line(input.nonceStr ?? createNonce(), "nonceStr");
  const timestamp = seconds(input.timestamp);
  const sign = signSha256WithRsa(`${appid}\n${timestamp}\n${noncestr}\n${prepayid}\n`, input.privateKey);
  return { appid, partnerid: line(input.mchid, "mchid"), prepayid, package: "Sign=WXPay", noncestr, timestamp, sign };
}
