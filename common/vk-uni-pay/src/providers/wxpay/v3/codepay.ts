import { ConfigError, NetworkError, ProviderRejectedError, SignatureError, ValidationError } from "../../../core/errors";
import { cancelCodepay, pollCodepay, type CodepayWait } from "../../codepay-loop";
import type { CreateRequest, CreateResult, PaymentStatus, ProviderRuntime, TradeState } from "../../../kernel/contract";
import type { WxpayCall, WxpayResult } from "./client";
import type { WxpayMerchant } from "../merchant";
import { convertOther, subMerchantOf, type WxpaySubMerchant } from "./modes";
import { toPaymentStatus } from "./normalize";

/**
 * Pay-code payments (付款码支付) over API v3, for merchants that configured only v3. The answer is final
 * (200 SUCCESS, or a refusal such as NOTENOUGH), or open: 202 USERPAYING while the payer confirms on the
 * phone, a 5xx SYSTEM_ERROR / BANK_ERROR, or a lost answer. An open one is queried every
 * `codepayPollIntervalMs` up to `codepayMaxWaitMs`, then reversed (撤销), so a payer the cashier turned
 * away can never be charged later. WeChat sends no notification for pay codes.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/reverse.html
 * @see https://pay.weixin.qq.com/docs/partner/apis/partner-code-payment-v3/partner/partner-code-pay.html (服务商)
 */

export type V3Call = (call: WxpayCall) => Promise<WxpayResult>;

/** A reverse answered 5xx or not at all is asked again; a few, a second apart, then the query path decides. */
const REVERSE_ATTEMPTS = 3;
const REVERSE_RETRY_MS = 1_000;

const DESCRIPTIONS: Readonly<Partial<Record<TradeState, string>>> = {
  SUCCESS: "支付成功",
  USERPAYING: "用户支付中，请稍后查询",
  CLOSED: "已撤销",
  PAYERROR: "支付失败",
};

function result(state: TradeState, extra: { transactionId?: string; totalFee?: number; paidAt?: number; raw: unknown }): CreateResult {
  return {
    orderInfo: { tradeState: state, tradeStateDesc: DESCRIPTIONS[state] ?? state, ...(extra.transactionId ? { transactionId: extra.transactionId } : {}) },
    state,
    ...extra,
  };
}

/** A paid answer must be about this order and this amount; anything else is not a payment we can apply. */
function paidResult(status: PaymentStatus, request: CreateRequest): CreateResult {
  if (status.outTradeNo !== request.outTradeNo || status.totalFee !== request.totalFee)
    throw new NetworkError("支付平台返回的订单号或金额与请求不一致，请稍后再试");
  return result("SUCCESS", { transactionId: status.transactionId, totalFee: status.totalFee, paidAt: status.paidAt, raw: status.raw });
}

function parties(merchant: WxpayMerchant, sub: WxpaySubMerchant | undefined): Record<string, unknown> {
  if (!merchant.appId) throw new ConfigError("wxpay-config-invalid", "微信支付 codepay 配置缺少 appId");
  return sub
    ? { sp_appid: merchant.appId, sp_mchid: merchant.mchId, ...(sub.subAppId ? { sub_appid: sub.subAppId } : {}), sub_mchid: sub.subMchId }
    : { appid: merchant.appId, mchid: merchant.mchId };
}

/**
 * The codepay body. `store_id` (vk-uni-pay's pay-code extra) is the merchant's own store number, which v3
 * requires as `scene_info.store_info.out_id`; the cashier's IP is `device_ip`.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html
 */
export function buildCodepayBody(request: CreateRequest, merchant: WxpayMerchant): { path: string; body: Record<string, unknown> } {
  if (typeof request.authCode !== "string" || !/^\d{10,32}$/.test(request.authCode))
    throw new ValidationError(1000, "auth-code-invalid", "auth_code（付款码）格式不正确");
  // vk-uni-pay takes `store_id` beside `auth_code`; older callers put it in `other`.
  const { store_id: otherStoreId, ...rest } = (request.other ?? {}) as Record<string, unknown>;
  const storeId = request.storeId ?? otherStoreId;
  if (typeof storeId !== "string" || !/^[\w-]{1,32}$/.test(storeId)) {
    throw new ValidationError(1000, "wxpay-other-invalid", "微信支付 API v3 付款码支付需要 store_id（商户门店编号，1-32 位字母、数字、下划线或中划线）");
  }
  const extra = convertOther(rest);
  const givenScene = typeof extra.scene_info === "object" && extra.scene_info !== null ? (extra.scene_info as Record<string, unknown>) : {};
  const givenStore = typeof givenScene.store_info === "object" && givenScene.store_info !== null ? (givenScene.store_info as Record<string, unknown>) : {};
  const sub = subMerchantOf(request.partner);
  return {
    path: sub ? "/v3/pay/partner/transactions/codepay" : "/v3/pay/transactions/codepay",
    body: {
      ...parties(merchant, sub),
      description: request.subject,
      out_trade_no: request.outTradeNo,
      ...extra,
      payer: { auth_code: request.authCode },
      amount: { total: request.totalFee, currency: "CNY" },
      scene_info: { device_ip: request.clientIp, ...givenScene, store_info: { ...givenStore, out_id: storeId } },
    },
  };
}

/**
 * 撤销: refunds the order if it was paid, closes it otherwise. True once WeChat confirms; a refusal stops
 * (the order stays in the query path), a 5xx or a lost answer is asked again.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/reverse.html
 * @see https://pay.weixin.qq.com/docs/partner/apis/partner-code-payment-v3/partner/partner-reverse.html
 */
export async function reverseCodepayV3(
  call: V3Call,
  merchant: WxpayMerchant,
  request: Pick<CreateRequest, "outTradeNo" | "partner">,
  wait: CodepayWait,
): Promise<boolean> {
  const sub = subMerchantOf(request.partner);
  return cancelCodepay(REVERSE_ATTEMPTS, REVERSE_RETRY_MS, wait, async () => {
    try {
      await call({
        method: "POST",
        path: `/v3/pay${sub ? "/partner" : ""}/transactions/out-trade-no/${encodeURIComponent(request.outTradeNo)}/reverse`,
        body: parties(merchant, sub),
        failureMessage: "撤销付款码订单失败",
      });
      return "done";
    } catch (error) {
      if (error instanceof NetworkError || error instanceof SignatureError) return "retry";
      if (error instanceof ProviderRejectedError) return "stop";
      throw error;
    }
  });
}

/**
 * Pays with the customer's code, then follows WeChat's guidance until the payment is final or reversed.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html
 */
export async function payByCodeV3(
  request: CreateRequest,
  merchant: WxpayMerchant,
  runtime: ProviderRuntime,
  deps: { call: V3Call; query: () => Promise<PaymentStatus>; wait: CodepayWait },
): Promise<CreateResult> {
  const { path, body } = buildCodepayBody(request, merchant);
  let answer: WxpayResult | undefined;
  try {
    answer = await deps.call({ method: "POST", path, body, failureMessage: "付款码支付失败" });
  } catch (error) {
    // A lost or unverifiable answer is an unknown outcome, like SYSTEM_ERROR: query (verified), do not guess.
    if (!(error instanceof NetworkError) && !(error instanceof SignatureError)) throw error;
  }
  if (answer && answer.status === 200 && answer.body?.trade_state === "SUCCESS") return paidResult(toPaymentStatus(answer.body), request);

  const queryOnce = async () => {
    try {
      return await deps.query();
    } catch (error) {
      if (error instanceof NetworkError || error instanceof SignatureError) return undefined;
      throw error;
    }
  };
  const { final, last } = await pollCodepay(
    merchant.codepay,
    runtime.now,
    deps.wait,
    queryOnce,
    (status) => status.state !== "NOTPAY" && status.state !== "USERPAYING",
  );
  if (final?.state === "SUCCESS" || final?.state === "REFUND") return paidResult(final, request);
  if (final) return result(final.state, { raw: final.raw });
  if (await reverseCodepayV3(deps.call, merchant, request, deps.wait)) return result("CLOSED", { raw: last?.raw ?? answer?.body ?? {} });
  // Neither settled nor reversed: the order stays "paying" and later queries (or the timer) decide.
  return result("USERPAYING", { raw: last?.raw ?? answer?.body ?? {} });
}
