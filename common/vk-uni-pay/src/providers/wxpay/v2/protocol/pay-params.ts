import { createV2Nonce, signV2, type V2SignType } from "./sign";

/**
 * What a client needs to start paying, signed with the API v2 key by the rules of `sign` (the sorted
 * string is therefore `appId=…&nonceStr=…&package=…&signType=…&timeStamp=…&key=…`).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=7_7&index=6 (JSAPI: getBrandWCPayRequest)
 * @see https://pay.weixin.qq.com/wiki/doc/api/wxa/wxa_api.php?chapter=7_7&index=5 (mini-program: wx.requestPayment)
 * @see https://pay.weixin.qq.com/wiki/doc/api/app/app.php?chapter=9_12&index=2 (APP: PayReq)
 */

export interface V2JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: V2SignType;
  paySign: string;
}

export interface V2AppPayParams {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: "Sign=WXPay";
  noncestr: string;
  timestamp: string;
  sign: string;
}

/** Seconds since the epoch as a string, the way both clients take it. */
export function v2Timestamp(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}

/**
 * `signType` is signed and must be the algorithm the unifiedorder call used. The mini-program API takes
 * the same object without `appId`, but `appId` is still part of what is signed.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=7_7&index=6
 */
export function buildV2JsapiPayParams(input: {
  appId: string;
  prepayId: string;
  key: string;
  signType: V2SignType;
  timeStamp: string;
  nonceStr?: string;
}): V2JsapiPayParams {
  const unsigned = {
    appId: input.appId,
    timeStamp: input.timeStamp,
    nonceStr: input.nonceStr ?? createV2Nonce(),
    package: `prepay_id=${input.prepayId}`,
    signType: input.signType,
  };
  return { ...unsigned, paySign: signV2(unsigned, input.key, input.signType) };
}

/**
 * APP params use lower-case names and the fixed `package=Sign=WXPay`; like JSAPI they are signed with the
 * unifiedorder call's algorithm (there is no `signType` field to tell the SDK otherwise, MD5 by default).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/app/app.php?chapter=9_12&index=2
 */
export function buildV2AppPayParams(input: {
  appId: string;
  mchId: string;
  prepayId: string;
  key: string;
  timestamp: string;
  nonceStr?: string;
  signType?: V2SignType;
}): V2AppPayParams {
  const unsigned = {
    appid: input.appId,
    partnerid: input.mchId,
    prepayid: input.prepayId,
    package: "Sign=WXPay" as const,
    noncestr: input.nonceStr ?? createV2Nonce(),
    timestamp: input.timestamp,
  };
  return { ...unsigned, sign: signV2(unsigned, input.key, input.signType ?? "MD5") };
}
