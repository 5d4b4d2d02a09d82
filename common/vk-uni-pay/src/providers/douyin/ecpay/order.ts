import { NetworkError, RefundNotFoundError } from "../../../core/errors";
import type { CreateRequest, CreateResult, PaymentStatus, ProviderRuntime, RefundRequest, RefundStatus } from "../../../kernel/contract";
import { checkDouyinAnswer, fenOf, postDouyinJson, recordOf, stringOf } from "../http";
import { DOUYIN_ECPAY_HOST, DOUYIN_ECPAY_SANDBOX_HOST, type DouyinEcpayMerchant } from "../merchant";
import { payMethodOfChannel } from "../pay-method";
import { douyinRefundState, douyinTradeState, isUnknownToDouyin } from "../states";
import { ecpayWireParams } from "./sign";

/**
 * 担保支付's verbs, all `POST https://developer.toutiao.com/api/apps/ecpay/v1/<api>` with a salt-signed
 * JSON body (`open-sandbox.douyin.com` with `sandbox: true`). `create_order` answers the `order_id` and
 * `order_token` the client passes to `uni.requestPayment({ service: 5, orderInfo })`.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/pay
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/query
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/refund-list/refund
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/refund-list/query
 */

/** `valid_time` bounds: Douyin accepts 5 minutes to 2 days; 30 minutes unless the order says otherwise. */
const MIN_VALID_SECONDS = 300;
const MAX_VALID_SECONDS = 172_800;
const DEFAULT_VALID_SECONDS = 1800;

async function callEcpay(merchant: DouyinEcpayMerchant, runtime: ProviderRuntime, api: string, params: Record<string, unknown>, failure: string) {
  // The app and the service provider are the merchant's, whatever a caller's `other` says.
  const body = ecpayWireParams(
    { ...params, app_id: merchant.appId, ...(merchant.thirdpartyId ? { thirdparty_id: merchant.thirdpartyId } : {}) },
    merchant.salt,
  );
  const host = merchant.sandbox ? DOUYIN_ECPAY_SANDBOX_HOST : DOUYIN_ECPAY_HOST;
  return checkDouyinAnswer(await postDouyinJson(merchant, runtime, { host, path: `/api/apps/ecpay/v1/${api}`, body }), failure);
}

function validSeconds(timeExpire: number | undefined, now: number): number {
  if (timeExpire === undefined) return DEFAULT_VALID_SECONDS;
  return Math.min(MAX_VALID_SECONDS, Math.max(MIN_VALID_SECONDS, Math.ceil((timeExpire - now) / 1000)));
}

export async function createEcpayPayment(request: CreateRequest, merchant: DouyinEcpayMerchant, runtime: ProviderRuntime): Promise<CreateResult> {
  const answer = await callEcpay(
    merchant,
    runtime,
    "create_order",
    {
      ...(request.other ?? {}),
      out_order_no: request.outTradeNo,
      total_amount: request.totalFee,
      subject: request.subject.slice(0, 128),
      body: (request.body || request.subject).slice(0, 128),
      valid_time: validSeconds(request.timeExpire, runtime.now()),
      notify_url: request.notifyUrl,
    },
    "获取支付信息失败，请稍后再试",
  );
  const data = recordOf(answer.data);
  const orderId = stringOf(data?.order_id);
  const orderToken = stringOf(data?.order_token);
  if (!orderId || !orderToken) throw new NetworkError("抖音支付没有返回 order_id / order_token，请稍后再试");
  return { orderInfo: { order_id: orderId, order_token: orderToken }, raw: data };
}

/** `pay_time` is `yyyy-MM-dd HH:mm:ss`, Beijing time. */
export function parseBeijingTime(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value) : null;
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h - 8, mi, s);
}

export async function queryEcpayPayment(outTradeNo: string, merchant: DouyinEcpayMerchant, runtime: ProviderRuntime): Promise<PaymentStatus> {
  let answer: Record<string, unknown>;
  try {
    answer = await callEcpay(merchant, runtime, "query_order", { out_order_no: outTradeNo }, "查询抖音订单失败");
  } catch (error) {
    // An order the client never opened may be unknown to Douyin: for an order we created, that is "not paid".
    if (isUnknownToDouyin(error)) return { state: "NOTPAY", outTradeNo, raw: { unknown: true } };
    throw error;
  }
  if (stringOf(answer.out_order_no) !== outTradeNo) throw new NetworkError("抖音支付返回的订单号与查询的不一致");
  const info = recordOf(answer.payment_info) ?? {};
  const state = douyinTradeState(info.order_status);
  const totalFee = fenOf(info.total_fee);
  const orderId = stringOf(answer.order_id);
  const paidAt = parseBeijingTime(info.pay_time);
  const payMethod = payMethodOfChannel(info.way);
  return {
    state,
    outTradeNo,
    ...(orderId ? { transactionId: orderId } : {}),
    ...(totalFee !== undefined ? { totalFee } : {}),
    ...(state === "SUCCESS" && paidAt ? { paidAt } : {}),
    ...(stringOf(info.seller_uid) ? { mchId: stringOf(info.seller_uid) } : {}),
    ...(state === "SUCCESS" && payMethod ? { payMethod } : {}),
    raw: answer,
  };
}

/** `cp_extra` carries our order number: the refund callback names only the refund, so it is bound by it. */
export async function refundEcpayPayment(request: RefundRequest, merchant: DouyinEcpayMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const answer = await callEcpay(
    merchant,
    runtime,
    "create_refund",
    {
      ...(request.other ?? {}),
      out_order_no: request.outTradeNo,
      out_refund_no: request.outRefundNo,
      reason: (request.reason || "退款").slice(0, 100),
      refund_amount: request.refundFee,
      notify_url: request.notifyUrl,
      cp_extra: request.outTradeNo,
    },
    "抖音退款申请失败",
  );
  const refundId = stringOf(answer.refund_no);
  return {
    state: "PROCESSING",
    outTradeNo: request.outTradeNo,
    outRefundNo: request.outRefundNo,
    ...(refundId ? { refundId } : {}),
    refundFee: request.refundFee,
    raw: answer,
  };
}

export async function queryEcpayRefund(
  outTradeNo: string,
  outRefundNo: string,
  merchant: DouyinEcpayMerchant,
  runtime: ProviderRuntime,
): Promise<RefundStatus> {
  let answer: Record<string, unknown>;
  try {
    answer = await callEcpay(merchant, runtime, "query_refund", { out_refund_no: outRefundNo }, "查询抖音退款失败");
  } catch (error) {
    if (isUnknownToDouyin(error)) throw new RefundNotFoundError(error.providerCode, error.providerMessage);
    throw error;
  }
  const info = recordOf(answer.refundInfo);
  const refundFee = fenOf(info?.refund_amount);
  if (!info || refundFee === undefined) throw new NetworkError("抖音支付返回的退款信息格式不正确");
  const refundId = stringOf(info.refund_no);
  const refundedAt = fenOf(info.refunded_at);
  return {
    state: douyinRefundState(info.refund_status),
    outTradeNo,
    outRefundNo,
    ...(refundId ? { refundId } : {}),
    refundFee,
    ...(refundedAt ? { settledAt: refundedAt * 1000 } : {}),
    raw: info,
  };
}
