import { NetworkError, RefundNotFoundError } from "../../../core/errors";
import type { CreateRequest, CreateResult, PaymentStatus, ProviderRuntime, RefundRequest, RefundStatus } from "../../../kernel/contract";
import { withClientToken } from "../client-token";
import { checkDouyinAnswer, fenOf, postDouyinJson, recordOf, stringOf } from "../http";
import { DOUYIN_OPEN_HOST, type DouyinTradeMerchant } from "../merchant";
import { payMethodOfChannel } from "../pay-method";
import { douyinRefundState, douyinTradeState, isUnknownToDouyin } from "../states";
import { newNonce, signRequestOrder } from "./sign";
import { skuListOf } from "./sku";

/**
 * 通用交易系统's verbs. Creating a payment is local: the server builds the order `data` and its
 * `byteAuthorization` for the client's `tt.requestOrder` (Douyin creates its order when the client calls
 * it, then `tt.getOrderPayment` pays it). Queries and refunds are server APIs under
 * `/api/trade_basic/v1/developer/`, authenticated by the client_token in `access-token`.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/request-order-data-sign
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/industry/general_trade/create_order/requestOrder
 */

const TRADE_API = "/api/trade_basic/v1/developer";

/** Douyin's default pay window, and its ceiling of 48 hours. */
const DEFAULT_EXPIRE_SECONDS = 300;
const MAX_EXPIRE_SECONDS = 48 * 3600;

export async function callTrade(merchant: DouyinTradeMerchant, runtime: ProviderRuntime, api: string, body: Record<string, unknown>, failure: string) {
  return withClientToken(merchant, runtime, async (accessToken) =>
    checkDouyinAnswer(await postDouyinJson(merchant, runtime, { host: DOUYIN_OPEN_HOST, path: `${TRADE_API}/${api}/`, body, accessToken }), failure),
  );
}

function expireSeconds(timeExpire: number | undefined, now: number): number {
  if (timeExpire === undefined) return DEFAULT_EXPIRE_SECONDS;
  return Math.min(MAX_EXPIRE_SECONDS, Math.max(1, Math.ceil((timeExpire - now) / 1000)));
}

/**
 * The order data (its goods line from sku.ts, priced by the order) and its signature. The caller's `other`
 * is merged over it (`limitPayWayList`, `orderEntrySchema`…), except what the order decides.
 */
export function buildRequestOrder(request: CreateRequest, merchant: DouyinTradeMerchant, now: number): { data: string; byteAuthorization: string } {
  const data = {
    orderEntrySchema: { path: merchant.sku.orderEntryPath, params: JSON.stringify({ out_trade_no: request.outTradeNo }) },
    ...(merchant.mchId ? { merchantUid: merchant.mchId } : {}),
    ...(request.other ?? {}),
    // What the order itself decides is never the caller's to override: the number, the amount and the goods
    // priced by it, where Douyin reports.
    skuList: skuListOf(request, merchant.sku),
    outOrderNo: request.outTradeNo,
    totalAmount: request.totalFee,
    payExpireSeconds: expireSeconds(request.timeExpire, now),
    payNotifyUrl: request.notifyUrl,
  };
  const text = JSON.stringify(data);
  const byteAuthorization = signRequestOrder(text, merchant.privateKey, {
    appId: merchant.appId,
    keyVersion: merchant.keyVersion,
    timestamp: String(Math.floor(now / 1000)),
    nonceStr: newNonce(),
  });
  return { data: text, byteAuthorization };
}

export function createTradePayment(request: CreateRequest, merchant: DouyinTradeMerchant, runtime: ProviderRuntime): CreateResult {
  const orderInfo = buildRequestOrder(request, merchant, runtime.now());
  return { orderInfo, raw: { outOrderNo: request.outTradeNo } };
}

/** The verified (TLS) answer of order_query as a payment status; the core binds its amount to the order. */
export function paymentStatusOf(data: Record<string, unknown>, outTradeNo: string): PaymentStatus {
  const state = douyinTradeState(data.pay_status);
  const totalFee = fenOf(data.total_amount);
  const orderId = stringOf(data.order_id);
  const paidAt = fenOf(data.pay_time);
  const payMethod = payMethodOfChannel(data.pay_channel);
  return {
    state,
    outTradeNo: stringOf(data.out_order_no) ?? outTradeNo,
    ...(orderId ? { transactionId: orderId } : {}),
    ...(totalFee !== undefined ? { totalFee } : {}),
    ...(state === "SUCCESS" && paidAt ? { paidAt } : {}),
    ...(stringOf(data.merchant_uid) ? { mchId: stringOf(data.merchant_uid) } : {}),
    ...(stringOf(data.app_id) ? { appId: stringOf(data.app_id) } : {}),
    ...(payMethod ? { payMethod } : {}),
    raw: data,
  };
}

async function queryOrder(merchant: DouyinTradeMerchant, runtime: ProviderRuntime, by: { out_order_no: string } | { order_id: string }) {
  const answer = await callTrade(merchant, runtime, "order_query", by, "查询抖音订单失败");
  const data = recordOf(answer.data);
  if (!data) throw new NetworkError("抖音支付返回了无法解析的订单信息，请稍后再试");
  return data;
}

export async function queryTradePayment(outTradeNo: string, merchant: DouyinTradeMerchant, runtime: ProviderRuntime): Promise<PaymentStatus> {
  let data: Record<string, unknown>;
  try {
    data = await queryOrder(merchant, runtime, { out_order_no: outTradeNo });
  } catch (error) {
    if (isUnknownToDouyin(error)) return { state: "NOTPAY", outTradeNo, raw: { unknown: true } };
    throw error;
  }
  const status = paymentStatusOf(data, outTradeNo);
  // An answer about another order number is not an answer about this one.
  if (status.outTradeNo !== outTradeNo) throw new NetworkError("抖音支付返回的订单号与查询的不一致");
  return status;
}

/** The developer's order number of a Douyin order, for a refund callback that names only Douyin's. */
export async function outOrderNoOf(orderId: string, merchant: DouyinTradeMerchant, runtime: ProviderRuntime): Promise<string | undefined> {
  return stringOf((await queryOrder(merchant, runtime, { order_id: orderId })).out_order_no);
}

/**
 * A refund of the order's one goods line (its item order from order_query), by amount; `cp_extra` carries
 * our order number so the refund callback, which names only Douyin's order, is bound without a lookup.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/refund/create-refund
 */
export async function refundTradePayment(request: RefundRequest, merchant: DouyinTradeMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const order = await queryOrder(merchant, runtime, { out_order_no: request.outTradeNo });
  const orderId = stringOf(order.order_id);
  const items = Array.isArray(order.item_order_list) ? order.item_order_list.map(recordOf) : [];
  const item = items.find((entry) => stringOf(entry?.item_order_id));
  if (!orderId || !item) throw new NetworkError("抖音支付返回的订单缺少 order_id 或商品单，请稍后再试");
  const answer = await callTrade(
    merchant,
    runtime,
    "refund_create",
    {
      ...(request.other ?? {}),
      order_id: orderId,
      out_refund_no: request.outRefundNo,
      cp_extra: request.outTradeNo,
      order_entry_schema: { path: merchant.sku.orderEntryPath, params: JSON.stringify({ out_trade_no: request.outTradeNo }) },
      refund_reason: [{ code: 999, text: (request.reason || "退款").slice(0, 40) }],
      refund_total_amount: request.refundFee,
      notify_url: request.notifyUrl,
      item_order_detail: [{ item_order_id: stringOf(item!.item_order_id), refund_amount: request.refundFee }],
    },
    "抖音退款申请失败",
  );
  const refundId = stringOf(recordOf(answer.data)?.refund_id);
  return {
    state: "PROCESSING",
    outTradeNo: request.outTradeNo,
    outRefundNo: request.outRefundNo,
    ...(refundId ? { refundId } : {}),
    refundFee: request.refundFee,
    raw: answer.data,
  };
}

export async function queryTradeRefund(
  outTradeNo: string,
  outRefundNo: string,
  merchant: DouyinTradeMerchant,
  runtime: ProviderRuntime,
): Promise<RefundStatus> {
  const answer = await callTrade(merchant, runtime, "refund_query", { out_refund_no: outRefundNo }, "查询抖音退款失败");
  const list = recordOf(answer.data)?.refund_list;
  const refund = (Array.isArray(list) ? list.map(recordOf) : []).find((entry) => entry?.out_refund_no === outRefundNo);
  if (!refund) throw new RefundNotFoundError("REFUND_NOT_FOUND", "抖音支付没有该退款单");
  const refundFee = fenOf(refund.refund_total_amount);
  if (refundFee === undefined) throw new NetworkError("抖音支付返回的退款金额格式不正确");
  const refundId = stringOf(refund.refund_id);
  const settledAt = fenOf(refund.refund_at);
  return {
    state: douyinRefundState(refund.refund_status),
    outTradeNo,
    outRefundNo,
    ...(refundId ? { refundId } : {}),
    refundFee,
    ...(settledAt ? { settledAt } : {}),
    raw: refund,
  };
}
