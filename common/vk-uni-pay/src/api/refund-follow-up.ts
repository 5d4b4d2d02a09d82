import { ConfigError, ProviderRejectedError, RefundNotFoundError, ValidationError } from "../core/errors";
import type { Order } from "../core/orders";
import { settleRefund, type RefundRecord } from "../core/refunds";
import type { RefundStatus } from "../kernel/contract";
import { orderMerchant, requireProvider, settleAndRunHook, type ApiDeps } from "./shared";
import { COLLECTIONS } from "../core/repository";

/**
 * What the core does with a refund once the provider has been asked about it, from every place that asks
 * (the refund call, queryRefund, the timer): a state the refund may move to is settled, with its hook.
 */
export async function applyRefundStatus(outRefundNo: string, status: RefundStatus, deps: ApiDeps): Promise<void> {
  if (status.state !== "PROCESSING") await settleAndRunHook(outRefundNo, { ...status, state: status.state }, deps);
  // Kept while it is still processing: a provider whose refund query names its own number needs it later.
  else if (status.refundId) await deps.db.collection(COLLECTIONS.refunds).doc(outRefundNo).update({ refund_id: status.refundId });
}

/**
 * Sends a reserved refund to its provider. A refusal is final, and a ConfigError or ValidationError means
 * the request could not even be built (a provider throws them before any I/O, e.g. an `other` its protocol
 * cannot carry; an answer it cannot verify is a SignatureError): all release the reservation. A network
 * failure or an unverifiable answer leaves it PROCESSING for the timer to query.
 */
export async function sendRefund(order: Order, record: RefundRecord, deps: ApiDeps): Promise<void> {
  const provider = requireProvider(deps, order.provider);
  const merchant = await orderMerchant(order, deps);
  try {
    const result = await provider.refund(
      {
        ...merchant,
        outTradeNo: order.out_trade_no,
        transactionId: order.transaction_id,
        outRefundNo: record.out_refund_no,
        totalFee: order.total_fee,
        refundFee: record.refund_fee,
        reason: record.refund_desc,
        notifyUrl: order.notify_url,
        ...(record.other ? { other: record.other } : {}),
      },
      deps.runtime,
    );
    await applyRefundStatus(record.out_refund_no, result, deps);
  } catch (error) {
    if (error instanceof ProviderRejectedError || error instanceof ConfigError || error instanceof ValidationError) {
      await settleRefund(record.out_refund_no, { state: "CLOSED", settledAt: deps.now() }, deps.db);
    }
    throw error;
  }
}

/**
 * Asks the provider where an open refund stands and applies the answer. A refund the provider has no
 * record of never reached it (the request was lost on the way): with `resend`, it is sent again under the
 * same `out_refund_no`, as WeChat's and Alipay's documentation say to; without, it is left for the timer.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (退款申请: 超时后请使用原商户退款单号重试)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (v2 申请退款: 失败请用原退款单号重试)
 * @see https://opendocs.alipay.com/open/f60979b3_alipay.trade.refund (失败可用相同的 out_request_no 重试)
 */
export async function followUpRefund(order: Order, record: RefundRecord, deps: ApiDeps, options: { resend: boolean }): Promise<"settled" | "resent" | "open"> {
  const provider = requireProvider(deps, order.provider);
  const merchant = await orderMerchant(order, deps);
  let status: RefundStatus;
  try {
    status = await provider.queryRefund(
      { ...merchant, outTradeNo: order.out_trade_no, outRefundNo: record.out_refund_no, ...(record.refund_id ? { refundId: record.refund_id } : {}) },
      deps.runtime,
    );
  } catch (error) {
    if (!(error instanceof RefundNotFoundError)) throw error;
    // An ABNORMAL refund the provider reported cannot be unknown to it; only one we merely sent can be.
    // Nor can one the provider started be sent by us: a second refund would pay the buyer twice.
    if (!options.resend || record.status !== "PROCESSING" || record.provider_initiated) return "open";
    await deps.db
      .collection(COLLECTIONS.refunds)
      .doc(record.out_refund_no)
      .update({ resent: (record.resent ?? 0) + 1 });
    deps.log(`vk-uni-pay: refund ${record.out_refund_no} is unknown to ${order.provider}; sent again under the same number`);
    await sendRefund(order, record, deps);
    return "resent";
  }
  if (status.state === "PROCESSING" || status.state === record.status) return "open";
  await applyRefundStatus(record.out_refund_no, status, deps);
  return "settled";
}
