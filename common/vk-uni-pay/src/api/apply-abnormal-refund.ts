import { failures, NetworkError, ValidationError } from "../core/errors";
import { findOrder, type Order } from "../core/orders";
import { findRefund, type RefundRecord } from "../core/refunds";
import { respond, type Result } from "../core/result";
import type { AbnormalRefundRoute, RefundState } from "../kernel/contract";
import { applyRefundStatus, followUpRefund } from "./refund-follow-up";
import { checkOutTradeNo, orderMerchant, productionDeps, requireProvider, type ApiDeps } from "./shared";
import { COLLECTIONS } from "../core/repository";

export interface ApplyAbnormalRefundParams {
  out_refund_no: string;
  /** `USER_BANK_CARD`: to the payer's debit card; `MERCHANT_BANK_CARD`: back to the merchant's bank account. */
  type: AbnormalRefundRoute["type"];
  /** USER_BANK_CARD: WeChat's bank code, e.g. `ICBC_DEBIT`. */
  bank_type?: string;
  /** USER_BANK_CARD: the card number; sent encrypted, never stored. */
  bank_account?: string;
  /** USER_BANK_CARD: the card holder's name; sent encrypted, never stored. */
  real_name?: string;
}

export interface ApplyAbnormalRefundData {
  out_trade_no: string;
  out_refund_no: string;
  refund_id: string;
  /** Ours: ABNORMAL (its money still reserved) until the provider reports SUCCESS or CLOSED. */
  refund_status: RefundState;
  /** The provider's, as it answered the request (WeChat: PROCESSING while it pays out). */
  provider_status: RefundState;
}

function invalid(field: string, rule: string): ValidationError {
  return new ValidationError(1000, `${field.replace(/_/g, "-")}-invalid`, `${field}${rule}`);
}

/** Checks the caller's choice before anything is asked; only the card's last four digits are ever kept. */
function readRoute(params: ApplyAbnormalRefundParams): AbnormalRefundRoute {
  if (params.type === "MERCHANT_BANK_CARD") return { type: "MERCHANT_BANK_CARD" };
  if (params.type !== "USER_BANK_CARD") throw invalid("type", "必须是USER_BANK_CARD（退款到用户银行卡）或MERCHANT_BANK_CARD（退款至商户银行账户）");
  const bankType = params.bank_type;
  if (typeof bankType !== "string" || !/^[A-Z0-9_]{1,16}$/.test(bankType)) throw invalid("bank_type", "必须是微信支付的银行类型标识，如ICBC_DEBIT");
  const bankAccount = typeof params.bank_account === "string" ? params.bank_account.replace(/\s/g, "") : "";
  if (!/^\d{12,30}$/.test(bankAccount)) throw invalid("bank_account", "必须是12到30位数字的银行卡号");
  const realName = typeof params.real_name === "string" ? params.real_name.trim() : "";
  if (realName === "" || realName.length > 50) throw invalid("real_name", "必须是收款用户的姓名");
  return { type: "USER_BANK_CARD", bankType, bankAccount, realName };
}

/** Our record may still say PROCESSING when the ABNORMAL notification was lost: the provider is asked first. */
async function currentRecord(order: Order, record: RefundRecord, deps: ApiDeps): Promise<RefundRecord> {
  if (record.status !== "PROCESSING") return record;
  await followUpRefund(order, record, deps, { resend: false });
  return (await findRefund(record.out_refund_no, deps.db)) ?? record;
}

async function applyAbnormal(params: ApplyAbnormalRefundParams, deps: ApiDeps): Promise<ApplyAbnormalRefundData> {
  const outRefundNo = checkOutTradeNo(params?.out_refund_no);
  const route = readRoute(params);
  const found = await findRefund(outRefundNo, deps.db);
  if (!found) throw failures.refundNotFound();
  const order = await findOrder(found.out_trade_no, deps.db);
  if (!order) throw failures.refundNotFound();
  const provider = requireProvider(deps, order.provider);
  if (!provider.applyAbnormalRefund) throw failures.abnormalRefundUnsupported(`${order.provider}没有异常退款处理接口`);
  const record = await currentRecord(order, found, deps);
  if (record.status !== "ABNORMAL") throw failures.refundNotAbnormal(record.status);
  const merchant = await orderMerchant(order, deps);
  const refundId = record.refund_id ?? (await provider.queryRefund({ ...merchant, outTradeNo: order.out_trade_no, outRefundNo }, deps.runtime)).refundId;
  if (!refundId) throw new NetworkError("支付平台未返回退款单号，请稍后再试");

  const status = await provider.applyAbnormalRefund({ ...merchant, outTradeNo: order.out_trade_no, outRefundNo, refundId, route }, deps.runtime);
  const apply = {
    type: route.type,
    date: deps.now(),
    ...(route.type === "USER_BANK_CARD" ? { bank_type: route.bankType, bank_account_tail: route.bankAccount.slice(-4) } : {}),
  };
  await deps.db.collection(COLLECTIONS.refunds).doc(outRefundNo).update({ abnormal_apply: apply });
  deps.log(`vk-uni-pay: abnormal refund ${outRefundNo} applied as ${route.type}; ${order.provider} answers ${status.state}`);
  await applyRefundStatus(outRefundNo, status, deps);
  const settled = (await findRefund(outRefundNo, deps.db)) ?? record;
  return { out_trade_no: order.out_trade_no, out_refund_no: outRefundNo, refund_id: refundId, refund_status: settled.status, provider_status: status.state };
}

/**
 * `vkPay.applyAbnormalRefund`: tells the provider where to pay a refund it holds as ABNORMAL (WeChat Pay
 * API v3). The refund keeps its reservation until the provider reports SUCCESS or CLOSED, by
 * notification, queryRefund or the timer.
 *
 * @see https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html
 */
export function applyAbnormalRefund(params: ApplyAbnormalRefundParams, deps: ApiDeps = productionDeps()): Promise<Result<ApplyAbnormalRefundData>> {
  return respond("applyAbnormalRefund", () => applyAbnormal(params, deps), deps.log);
}
