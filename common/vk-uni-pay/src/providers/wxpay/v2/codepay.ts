import { formatTimeEnd } from "../../../core/beijing-time";
import { NetworkError, ProviderRejectedError, SignatureError, ValidationError } from "../../../core/errors";
import type { CreateRequest, CreateResult, PaymentStatus, ProviderRuntime, TradeState } from "../../../kernel/contract";
import { cancelCodepay, pollCodepay, realCodepayWait, type CodepayWait } from "../../codepay-loop";
import { callWxpayV2 } from "./client";
import { convertV2Other } from "./modes";
import type { WxpayV2Merchant } from "./merchant";
import { toV2PaymentStatus } from "./normalize";
import { V2_PENDING_ERRORS, type V2Outcome } from "./protocol";

/**
 * Pay-code payments (付款码支付: the merchant scans the customer's code) over v2's micropay, for version-2
 * configs (v3/codepay.ts serves version 3). WeChat sends no notification: the
 * answer, or the queries that follow it, decide. While the customer is still confirming (USERPAYING) or
 * WeChat does not know (SYSTEMERROR, BANKERROR, a lost answer), the order is queried at intervals up to
 * a deadline; an order still unsettled then is reversed so the customer cannot be charged later.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (付款码支付)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=5_4 (支付结果未知时: 查询与撤销)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_11&index=3 (撤销订单)
 */

/** Waits without blocking; injected so tests advance a fake clock instead of sleeping. */
export type Wait = CodepayWait;

export const realWait: Wait = realCodepayWait;

/** WeChat asks for another reverse call while `recall=Y`; a few, a second apart, then the query path decides. */
const REVERSE_ATTEMPTS = 3;
const REVERSE_RETRY_MS = 1_000;

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  SUCCESS: "支付成功",
  USERPAYING: "用户支付中，请稍后查询",
  PAYERROR: "支付失败",
  REVOKED: "已撤销",
  CLOSED: "已关闭",
};

/** `store_id` (vk-uni-pay's pay-code extra, beside `auth_code` or in `other`) belongs in `scene_info.store_info.id`. */
function micropayOther(other: CreateRequest["other"], givenStoreId: string | undefined): Record<string, string> {
  const fromOther = other && typeof other === "object" && !Array.isArray(other) ? (other as Record<string, unknown>).store_id : undefined;
  if (givenStoreId === undefined && fromOther === undefined) return convertV2Other(other);
  const { store_id: _ignored, ...rest } = (other ?? {}) as Record<string, unknown>;
  const storeId = givenStoreId ?? fromOther;
  if (typeof storeId !== "string" || !/^[\w-]{1,32}$/.test(storeId))
    throw new ValidationError(1000, "wxpay-other-invalid", "store_id 必须是 1-32 位字母、数字、下划线或中划线");
  const converted = convertV2Other(rest);
  let scene: Record<string, unknown> = {};
  if (converted.scene_info) {
    try {
      scene = JSON.parse(converted.scene_info) as Record<string, unknown>;
    } catch {
      throw new ValidationError(1000, "wxpay-other-invalid", "other.scene_info 不是合法的 JSON");
    }
  }
  const store = typeof scene.store_info === "object" && scene.store_info !== null ? (scene.store_info as Record<string, unknown>) : {};
  converted.scene_info = JSON.stringify({ ...scene, store_info: { ...store, id: storeId } });
  return converted;
}

function result(state: TradeState, wechatState: string, extra: Partial<CreateResult> & { raw: unknown }): CreateResult {
  return {
    orderInfo: {
      tradeState: wechatState,
      tradeStateDesc: DESCRIPTIONS[wechatState] ?? wechatState,
      ...(extra.transactionId ? { transactionId: extra.transactionId } : {}),
    },
    state,
    ...extra,
  };
}

/** A paid answer must be about this order and this amount; anything else is not a payment we can apply. */
function paidResult(status: PaymentStatus, request: CreateRequest): CreateResult {
  if (status.outTradeNo !== request.outTradeNo || status.totalFee !== request.totalFee) {
    throw new NetworkError("支付平台返回的订单号或金额与请求不一致，请稍后再试");
  }
  return result("SUCCESS", "SUCCESS", { transactionId: status.transactionId, raw: status.raw });
}

/**
 * orderquery for the polling loop: a state, or undefined while WeChat cannot tell (no such order yet,
 * a pending error, the network).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_2
 */
async function queryOnce(merchant: WxpayV2Merchant, runtime: ProviderRuntime, outTradeNo: string): Promise<PaymentStatus | undefined> {
  try {
    const outcome = await callWxpayV2(merchant, runtime, { path: "/pay/orderquery", params: { out_trade_no: outTradeNo }, returnBusinessFailure: true });
    if (outcome.kind === "business-fail") return undefined;
    return toV2PaymentStatus(outcome.fields);
  } catch (error) {
    if (error instanceof NetworkError) return undefined;
    throw error;
  }
}

/**
 * Reverses (撤销) a pay-code order: refunds it if paid, closes it otherwise. True once WeChat confirms;
 * false when it could not (the order then stays in the query path).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_11&index=3
 */
export async function reverseCodepay(merchant: WxpayV2Merchant, runtime: ProviderRuntime, outTradeNo: string, wait: Wait): Promise<boolean> {
  return cancelCodepay(REVERSE_ATTEMPTS, REVERSE_RETRY_MS, wait, async () => {
    try {
      const outcome = await callWxpayV2(merchant, runtime, {
        path: "/secapi/pay/reverse",
        params: { out_trade_no: outTradeNo },
        secure: true,
        returnBusinessFailure: true,
      });
      if (outcome.kind === "success") return "done";
      return outcome.fields.recall === "Y" || V2_PENDING_ERRORS.has(outcome.errCode) ? "retry" : "stop";
    } catch (error) {
      // A certificate or config problem will not fix itself between attempts.
      if (error instanceof NetworkError) return "retry";
      throw error;
    }
  });
}

/**
 * Pays with the customer's code, then follows WeChat's guidance until the payment is final or reversed.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=5_4
 */
export async function payByCode(request: CreateRequest, merchant: WxpayV2Merchant, runtime: ProviderRuntime, wait: Wait): Promise<CreateResult> {
  if (typeof request.authCode !== "string" || !/^\d{10,32}$/.test(request.authCode)) {
    throw new ValidationError(1000, "auth-code-invalid", "auth_code（付款码）格式不正确");
  }
  const params: Record<string, string> = {
    body: request.subject,
    out_trade_no: request.outTradeNo,
    total_fee: String(request.totalFee),
    spbill_create_ip: request.clientIp,
    auth_code: request.authCode,
  };
  if (request.timeExpire !== undefined) params.time_expire = formatTimeEnd(request.timeExpire);
  let outcome: V2Outcome | undefined;
  try {
    outcome = await callWxpayV2(merchant, runtime, {
      path: "/pay/micropay",
      params: { ...params, ...micropayOther(request.other, request.storeId) },
      returnBusinessFailure: true,
      failureMessage: "付款码支付失败",
    });
  } catch (error) {
    // A lost or unverifiable answer is an unknown outcome, exactly like SYSTEMERROR: query (verified), do not guess.
    if (!(error instanceof NetworkError) && !(error instanceof SignatureError)) throw error;
  }
  if (outcome?.kind === "success") return paidResult(toV2PaymentStatus(outcome.fields, "SUCCESS"), request);
  // ORDERPAID: this number was paid before (a retried request); the query says how.
  if (outcome && !V2_PENDING_ERRORS.has(outcome.errCode) && outcome.errCode !== "ORDERPAID") {
    throw new ProviderRejectedError(outcome.errCode, outcome.errMessage, outcome.errMessage ? `付款码支付失败：${outcome.errMessage}` : "付款码支付失败");
  }
  return settleUnknown(request, merchant, runtime, wait);
}

async function settleUnknown(request: CreateRequest, merchant: WxpayV2Merchant, runtime: ProviderRuntime, wait: Wait): Promise<CreateResult> {
  const isFinal = (status: PaymentStatus) => status.state !== "NOTPAY" && status.state !== "USERPAYING";
  const { final, last } = await pollCodepay(merchant.codepay, runtime.now, wait, () => queryOnce(merchant, runtime, request.outTradeNo), isFinal);
  if (final?.state === "SUCCESS" || final?.state === "REFUND") return paidResult(final, request);
  if (final) return result(final.state, String((final.raw as Record<string, string>).trade_state ?? final.state), { raw: final.raw });
  if (await reverseCodepay(merchant, runtime, request.outTradeNo, wait)) return result("CLOSED", "REVOKED", { raw: last?.raw ?? {} });
  // Neither settled nor reversed: the order stays "paying" and later queries (or the timer) decide.
  return result("USERPAYING", "USERPAYING", { raw: last?.raw ?? {} });
}
