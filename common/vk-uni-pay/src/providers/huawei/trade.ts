import { randomBytes } from "node:crypto";
import { ProviderRejectedError, RefundNotFoundError, SignatureError, ValidationError } from "../../core/errors";
import type { CreateRequest, CreateResult, OrderRef, PaymentStatus, ProviderRuntime, RefundRequest, RefundStatus } from "../../kernel/contract";
import { HUAWEI_OK, huaweiRequest, type HuaweiAnswer } from "./client";
import type { HuaweiMerchant } from "./merchant";
import { fenOf, huaweiTime, refundStateOf, timeOf, tradeStateOf } from "./normalize";
import { huaweiPaths, PARTY_FIELDS, preorderParties, subMerchantOf, type HuaweiSubMerchant } from "./partner";
import { huaweiSignString, rsaPssSign } from "./protocol";

/**
 * Huawei Payment Kit's trade calls, for a direct merchant or a service provider's sub-merchant (partner.ts):
 * preorder (HarmonyOS app `/app`, atomic service `/fa`), the client's `orderStr`, the order query, refunds
 * (v1) and the refund query by Huawei's refund number.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-prepay (预下单)
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-merc-query-order
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-pas--refund/
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-sys-query-refund
 */

/** The fields the protocol or the order decide; a caller's `other` may not replace them. */
const DECIDED = [...PARTY_FIELDS, "mercOrderNo", "tradeSummary", "totalAmount", "currency", "callbackUrl"];

function rejected(answer: HuaweiAnswer, what: string): ProviderRejectedError {
  const code = String(answer.subCode ?? answer.resultCode ?? "unknown");
  const desc = String(answer.subDesc ?? answer.resultDesc ?? "");
  return new ProviderRejectedError(code, desc, `华为支付${what}失败：${desc || code}`);
}

/**
 * The JSON string the HarmonyOS Payment Kit SDK takes (`requestPayment(orderStr)`): `app_id`, `merc_no`,
 * `prepay_id`, `timestamp` (ms), `noncestr` and `auth_id`, with `sign` over the others by the common rule.
 *
 * For a sub-merchant the model page names no other fields: `merc_no` stays the caller whose `auth_id` signs
 * (the provider), and `app_id` is the app that pays, the sub-merchant's own when it has one (UNSETTLED: the
 * page says only 商户号 and 应用ID; the prepayId already binds the order to its sub-merchant).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-model (orderStr)
 */
export function orderStrOf(merchant: HuaweiMerchant, prepayId: string, now: number, sub?: HuaweiSubMerchant): string {
  const fields: Record<string, string> = {
    app_id: sub?.subAppId ?? merchant.appId,
    merc_no: merchant.mchId,
    prepay_id: prepayId,
    timestamp: String(now),
    noncestr: randomBytes(16).toString("hex"),
    auth_id: merchant.authId,
  };
  return JSON.stringify({ ...fields, sign: rsaPssSign(huaweiSignString(fields), merchant.privateKey) });
}

export async function createHuaweiPayment(request: CreateRequest, merchant: HuaweiMerchant, runtime: ProviderRuntime): Promise<CreateResult> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.other ?? {})) {
    if (DECIDED.includes(key)) throw new ValidationError(-1, "other-invalid", `other 不能覆盖 ${key}`, `other.${key} is decided by the order`);
    extra[key] = value;
  }
  const sub = subMerchantOf(merchant, request.partner);
  const body: Record<string, unknown> = {
    ...extra,
    ...preorderParties(merchant, sub),
    mercOrderNo: request.outTradeNo,
    tradeSummary: request.subject.slice(0, 128),
    totalAmount: request.totalFee,
    currency: "CNY",
    callbackUrl: request.notifyUrl,
    ...(request.timeExpire ? { expireTime: huaweiTime(request.timeExpire) } : {}),
  };
  const kind = request.mode === "mp-harmony" ? "fa" : "app";
  const answer = await huaweiRequest(merchant, runtime, { method: "POST", path: huaweiPaths(sub).preorder(kind), body });
  if (answer.resultCode !== HUAWEI_OK) throw rejected(answer, "预下单");
  if (typeof answer.prepayId !== "string" || !answer.prepayId) throw new SignatureError("huawei-answer-invalid", "Huawei's preorder answer has no prepayId");
  return { orderInfo: orderStrOf(merchant, answer.prepayId, runtime.now(), sub), raw: { prepayId: answer.prepayId, mercOrderNo: answer.mercOrderNo } };
}

/**
 * Huawei's not-found answer of the query APIs: TRX100010 "Order does not exist." (订单异常，订单不存在), the only
 * not-found code of the Payment Kit error table, which lists no separate code for refunds. It is read from
 * `subCode` (the business code) or `resultCode`; any other refusal is reported as it is.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/pay-docs/petalpay_api_5656_error_code-0000001325012501
 */
const NOT_FOUND_CODES = new Set(["TRX100010"]);
const isNotFound = (answer: HuaweiAnswer) => NOT_FOUND_CODES.has(String(answer.subCode ?? "")) || NOT_FOUND_CODES.has(String(answer.resultCode ?? ""));

export async function queryHuaweiPayment(request: OrderRef, merchant: HuaweiMerchant, runtime: ProviderRuntime): Promise<PaymentStatus> {
  const sub = subMerchantOf(merchant, request.partner);
  const answer = await huaweiRequest(merchant, runtime, { method: "GET", path: huaweiPaths(sub).orderQuery(request.outTradeNo) });
  if (answer.resultCode !== HUAWEI_OK) {
    // An order the buyer never opened has no trade at Huawei: for us it is simply unpaid.
    if (isNotFound(answer)) return { state: "NOTPAY", outTradeNo: request.outTradeNo, raw: answer };
    throw rejected(answer, "查询订单");
  }
  if (answer.mercOrderNo !== undefined && answer.mercOrderNo !== request.outTradeNo)
    throw new SignatureError("huawei-answer-invalid", "Huawei's query answer is about another order");
  if (sub && answer.subMercNo !== undefined && answer.subMercNo !== sub.subMercNo)
    throw new SignatureError("huawei-answer-invalid", "Huawei's query answer is about another sub-merchant");
  const state = tradeStateOf(answer.orderStatus);
  return {
    state,
    outTradeNo: request.outTradeNo,
    ...(typeof answer.sysTransOrderNo === "string" ? { transactionId: answer.sysTransOrderNo } : {}),
    ...(fenOf(answer.totalAmount) !== undefined ? { totalFee: fenOf(answer.totalAmount) } : {}),
    ...(timeOf(answer.finishTime) !== undefined ? { paidAt: timeOf(answer.finishTime) } : {}),
    ...partiesOf(answer),
    raw: answer,
  };
}

/** The merchant, app and sub-merchant an answer reports, for the core to bind to the order's. */
function partiesOf(answer: HuaweiAnswer): Pick<PaymentStatus, "mchId" | "appId" | "subMchId"> {
  const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  const mchId = text(answer.spMercNo) ?? text(answer.mercNo);
  const appId = text(answer.spAppId) ?? text(answer.appId);
  const subMchId = text(answer.subMercNo);
  return { ...(mchId ? { mchId } : {}), ...(appId ? { appId } : {}), ...(subMchId ? { subMchId } : {}) };
}

function refundStatusOf(answer: HuaweiAnswer, outTradeNo: string, outRefundNo: string, refundFee: number): RefundStatus {
  const state = refundStateOf(answer.refundOrderStatus);
  const amount = fenOf(answer.refundAmount);
  return {
    state,
    outTradeNo,
    outRefundNo,
    ...(typeof answer.sysRefundOrderNo === "string" ? { refundId: answer.sysRefundOrderNo } : {}),
    refundFee: amount ?? refundFee,
    ...(state !== "PROCESSING" && timeOf(answer.finishTime) !== undefined ? { settledAt: timeOf(answer.finishTime) } : {}),
    raw: answer,
  };
}

export async function refundHuaweiPayment(request: RefundRequest, merchant: HuaweiMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const body: Record<string, unknown> = {
    ...(request.other ?? {}),
    mercOrderNo: request.outTradeNo,
    ...(request.transactionId ? { sysTransOrderNo: request.transactionId } : {}),
    mercRefundOrderNo: request.outRefundNo,
    refundAmount: request.refundFee,
    callbackUrl: request.notifyUrl,
    ...(request.reason ? { reason: request.reason.slice(0, 256) } : {}),
  };
  const paths = huaweiPaths(subMerchantOf(merchant, request.partner));
  const answer = await huaweiRequest(merchant, runtime, { method: "POST", path: paths.refund, body });
  if (answer.resultCode !== HUAWEI_OK) throw rejected(answer, "退款");
  if (answer.mercRefundOrderNo !== undefined && answer.mercRefundOrderNo !== request.outRefundNo)
    throw new SignatureError("huawei-answer-invalid", "Huawei's refund answer is about another refund");
  return refundStatusOf(answer, request.outTradeNo, request.outRefundNo, request.refundFee);
}

/**
 * The refund query names Huawei's own refund number (`sysRefundOrderNo`), which the refund's answer gave
 * and the core keeps. A refund without one never got an answer: for the core it is one Huawei may not know,
 * to be sent again under the same `mercRefundOrderNo` (Huawei refunds a number once: 相同的退款订单号多次请求只退一笔).
 */
export async function queryHuaweiRefund(
  request: OrderRef & { outRefundNo: string; refundId?: string },
  merchant: HuaweiMerchant,
  runtime: ProviderRuntime,
): Promise<RefundStatus> {
  if (!request.refundId) throw new RefundNotFoundError("NO_SYS_REFUND_ORDER_NO", "no sysRefundOrderNo recorded for this refund");
  const path = huaweiPaths(subMerchantOf(merchant, request.partner)).refundQuery(request.refundId);
  const answer = await huaweiRequest(merchant, runtime, { method: "GET", path });
  if (answer.resultCode !== HUAWEI_OK) {
    if (isNotFound(answer)) throw new RefundNotFoundError(String(answer.subCode ?? answer.resultCode), String(answer.resultDesc ?? ""));
    throw rejected(answer, "查询退款");
  }
  if (answer.mercRefundOrderNo !== undefined && answer.mercRefundOrderNo !== request.outRefundNo)
    throw new SignatureError("huawei-answer-invalid", "Huawei's refund query answer is about another refund");
  return refundStatusOf(answer, request.outTradeNo, request.outRefundNo, 0);
}
