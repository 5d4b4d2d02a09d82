import { NetworkError, ProviderRejectedError, RefundNotFoundError, ValidationError } from "../../core/errors";
import type { OrderRef, PaymentStatus, ProviderRuntime, RefundRequest, RefundState, RefundStatus, TradeState } from "../../kernel/contract";
import { callXpay } from "./client";
import { readXpayMerchant, type XpayEnv, type XpayMerchant } from "./merchant";

/** query_order's `order`, as far as it is read here. */
interface XpayOrder {
  order_id?: string;
  status?: number;
  order_fee?: number;
  paid_fee?: number;
  order_type?: number;
  refund_fee?: number;
  left_fee?: number;
  paid_time?: number;
  env_type?: number;
  wx_order_id?: string;
  wxpay_order_id?: string;
}

/**
 * query_order's `status` for a payment (order_type 0): 2-4 paid (to deliver, delivering, delivered), 5 and 8
 * refunded (merchant side, user side), 7 a failed refund (still paid), 9-10 clawbacks of a paid order, 6
 * closed; 0-1 not paid. Anything unknown stays pending.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_query_order
 */
export function xpayTradeState(status: unknown): TradeState {
  switch (status) {
    case 2:
    case 3:
    case 4:
    case 7:
    case 9:
    case 10:
      return "SUCCESS";
    case 5:
    case 8:
      return "REFUND";
    case 6:
      return "CLOSED";
    default:
      return "NOTPAY";
  }
}

/** The same status for a refund order (order_type 1): 8 the user has the money, 7 failed; before that it is in flight. */
export function xpayRefundState(status: unknown): RefundState {
  if (status === 8) return "SUCCESS";
  if (status === 7 || status === 6) return "CLOSED";
  return "PROCESSING";
}

/** `env_type` of query_order: 1 production, 2 sandbox (where every request says env 0/1). */
function envOfEnvType(envType: unknown): XpayEnv | undefined {
  return envType === 1 ? 0 : envType === 2 ? 1 : undefined;
}

function payerOf(request: { openid?: string }): string {
  if (!request.openid) throw new ValidationError(1006, "openid-missing", "订单没有记录用户openid，无法查询虚拟支付订单");
  return request.openid;
}

async function queryXpayOrder(merchant: XpayMerchant, openid: string, orderId: string, runtime: ProviderRuntime): Promise<XpayOrder | undefined> {
  let answer;
  try {
    answer = await callXpay(merchant, "query_order", { openid, env: merchant.env, order_id: orderId }, runtime);
  } catch (error) {
    if (error instanceof ProviderRejectedError && error.providerCode === "268490002") return undefined;
    throw error;
  }
  const order = answer.order as XpayOrder | undefined;
  if (!order || typeof order !== "object") throw new NetworkError("微信虚拟支付查单没有返回订单");
  const env = envOfEnvType(order.env_type);
  // An order of the other environment answers for another AppKey's orders: it proves nothing here.
  if (env !== undefined && env !== merchant.env)
    throw new ProviderRejectedError("env-mismatch", `env_type ${String(order.env_type)}`, "订单环境与配置不一致（正式/沙箱）");
  return order;
}

export async function queryXpayPayment(request: OrderRef, runtime: ProviderRuntime): Promise<PaymentStatus> {
  const merchant = readXpayMerchant(request.config);
  const order = await queryXpayOrder(merchant, payerOf(request), request.outTradeNo, runtime);
  if (!order) return { state: "NOTPAY", outTradeNo: request.outTradeNo, raw: null };
  if (order.order_type !== undefined && order.order_type !== 0) throw new ProviderRejectedError("order-type", "not a payment order", "该单号不是虚拟支付订单");
  const state = xpayTradeState(order.status);
  return {
    state,
    outTradeNo: request.outTradeNo,
    ...(order.wx_order_id ? { transactionId: order.wx_order_id } : {}),
    ...(state === "SUCCESS" || state === "REFUND" ? { totalFee: order.order_fee } : {}),
    ...(typeof order.paid_time === "number" && order.paid_time > 0 ? { paidAt: order.paid_time * 1000 } : {}),
    appId: merchant.appId,
    raw: order,
  };
}

/**
 * refund_order only starts a refund; its result is read back with query_order under the refund's number
 * (or pushed as xpay_refund_notify). `left_fee` must be what WeChat says is left, so it is read first.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_refund_order
 */
export async function refundXpayOrder(request: RefundRequest, runtime: ProviderRuntime): Promise<RefundStatus> {
  const merchant = readXpayMerchant(request.config);
  const openid = payerOf(request);
  if (!/^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/.test(request.outRefundNo)) {
    throw new ValidationError(-1, "wxpay-virtual-refund-no-invalid", "虚拟支付的退款单号须为8-32位字母、数字或 _-|*@，且不能以_开头");
  }
  const order = await queryXpayOrder(merchant, openid, request.outTradeNo, runtime);
  if (!order) throw new ProviderRejectedError("268490002", "order not found", "订单不存在");
  const leftFee = typeof order.left_fee === "number" ? order.left_fee : request.totalFee;
  await callXpay(
    merchant,
    "refund_order",
    {
      openid,
      order_id: request.outTradeNo,
      refund_order_id: request.outRefundNo,
      left_fee: leftFee,
      refund_fee: request.refundFee,
      biz_meta: "",
      // 0 no reason given; 1 a refund a merchant's staff made (the two codes the page lists first).
      refund_reason: typeof request.other?.refund_reason === "string" ? request.other.refund_reason : "0",
      req_from: typeof request.other?.req_from === "string" ? request.other.req_from : "1",
      env: merchant.env,
    },
    runtime,
  );
  return { state: "PROCESSING", outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: request.refundFee, raw: null };
}

export async function queryXpayRefund(request: OrderRef & { outRefundNo: string }, runtime: ProviderRuntime): Promise<RefundStatus> {
  const merchant = readXpayMerchant(request.config);
  const refund = await queryXpayOrder(merchant, payerOf(request), request.outRefundNo, runtime);
  if (!refund) throw new RefundNotFoundError("268490002", "refund not found");
  const state = xpayRefundState(refund.status);
  return {
    state,
    outTradeNo: request.outTradeNo,
    outRefundNo: request.outRefundNo,
    ...(refund.wx_order_id ? { refundId: refund.wx_order_id } : {}),
    refundFee: typeof refund.refund_fee === "number" ? refund.refund_fee : 0,
    ...(state === "SUCCESS" && typeof refund.paid_time === "number" ? { settledAt: refund.paid_time * 1000 } : {}),
    raw: refund,
  };
}
