import { failures, ValidationError } from "../../../core/errors";
import type { CallOrder, ProviderCallResult, ProviderRuntime } from "../../../kernel/contract";
import { fenOf, recordOf, stringOf } from "../http";
import type { DouyinTradeMerchant } from "../merchant";
import { callTrade } from "./order";

/**
 * The merchant's answer to a refund the buyer asked for in Douyin (退款审核): when the app requires refund
 * review, Douyin holds a buyer's refund until the developer agrees or refuses through
 * `refund_audit_callback` (`refund_audit_status` 1 agree, 2 refuse, with `deny_message` shown to the buyer).
 * An agreed refund then runs like any other and ends with the `refund` callback.
 *
 * An agreed refund is handed back to the core with the answer, to be held in the order's refund ledger
 * under the number refund_query lists for it (Douyin numbers a buyer's refund itself; its refund_id when
 * it lists none): the `refund` callback, or a query, then settles it once, as a merchant's own refund.
 *
 * The refund is named by Douyin's `refund_id` and must be of the order the caller names: refund_query tells
 * whose it is before any answer is sent, so a refund of another order (or app) is never agreed by mistake.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/trade-system/general/refund/refund_audit_callback
 */

const REFUND_ID = /^[A-Za-z0-9_-]{1,64}$/;

const invalid = (reason: string, message: string) => new ValidationError(-1, reason, message);

/** `douyin.auditRefund({ out_trade_no, refund_id, agree, deny_message? })`. */
export async function auditTradeRefund(
  order: CallOrder | undefined,
  params: Readonly<Record<string, unknown>>,
  merchant: DouyinTradeMerchant,
  runtime: ProviderRuntime,
): Promise<ProviderCallResult> {
  if (!order) throw failures.orderNotFound();
  const refundId = params.refund_id;
  if (typeof refundId !== "string" || !REFUND_ID.test(refundId)) throw invalid("refund-id-invalid", "refund_id 格式不正确");
  if (typeof params.agree !== "boolean") throw invalid("agree-invalid", "agree 必须是布尔值（true 同意退款，false 拒绝）");
  const denyMessage = params.deny_message;
  if (!params.agree && (typeof denyMessage !== "string" || !denyMessage.trim() || denyMessage.length > 100))
    throw invalid("deny-message-invalid", "拒绝退款需要填写 deny_message（1-100 个字符）");
  if (!order.transactionId) throw failures.orderNotPaid();
  const listed = recordOf((await callTrade(merchant, runtime, "refund_query", { refund_id: refundId }, "查询抖音退款失败")).data)?.refund_list;
  const refund = (Array.isArray(listed) ? listed.map(recordOf) : []).find((entry) => stringOf(entry?.refund_id) === refundId);
  if (!refund) throw invalid("refund-not-found", "抖音支付没有该退款单");
  if (stringOf(refund.order_id) !== order.transactionId) throw invalid("refund-not-of-order", "该退款单不属于此订单");
  await callTrade(
    merchant,
    runtime,
    "refund_audit_callback",
    { refund_id: refundId, refund_audit_status: params.agree ? 1 : 2, ...(params.agree ? {} : { deny_message: (denyMessage as string).trim() }) },
    "抖音退款审核失败",
  );
  const data = { out_trade_no: order.outTradeNo, refund_id: refundId, agree: params.agree };
  if (!params.agree) return { data };
  const refundFee = fenOf(refund.refund_total_amount);
  // Agreed, but the amount is unreadable: the refund callback, which names it, still reaches the ledger.
  if (refundFee === undefined || refundFee === 0) return { data };
  return { data, refund: { outRefundNo: stringOf(refund.out_refund_no) ?? refundId, refundId, refundFee, desc: "买家申请退款（已同意）" } };
}
