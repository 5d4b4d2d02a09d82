/**
 * Orders and refunds in API v2's field names: the orderquery / refundquery answers and the two v2
 * notifications (payment: signed XML; refund: `req_info`, no sign).
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2 (查询订单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (查询退款)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7 (支付结果通知)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10 (退款结果通知)
 */
import { randomNonce } from "./sign";
import type { RefundStatus, SandboxOrder, SandboxRefund } from "./types";
import { buildV2Xml, compactTime, dashedTime, encryptReqInfo, signedV2 } from "./v2-xml";

type Fields = Record<string, string | number | undefined>;

/** appid / mch_id are the service provider's in partner mode, with the sub-merchant beside them. */
export function v2MerchantFields(order: Pick<SandboxOrder, "mchid" | "appid" | "sp_mchid" | "sp_appid" | "sub_appid">): Fields {
  return order.sp_mchid
    ? { appid: order.sp_appid ?? order.appid, mch_id: order.sp_mchid, sub_appid: order.sub_appid, sub_mch_id: order.mchid }
    : { appid: order.appid, mch_id: order.mchid };
}

/** The trade as orderquery shows it (and the payment notification, less the state fields). */
export function v2OrderFields(order: SandboxOrder): Fields {
  const paid = order.transaction_id !== undefined;
  return {
    device_info: order.device_info,
    ...(paid
      ? {
          openid: order.payer_openid,
          is_subscribe: "N",
          ...(order.sp_mchid ? { sub_openid: order.sub_openid, sub_is_subscribe: "N" } : {}),
          bank_type: "OTHERS",
          cash_fee: order.total,
          cash_fee_type: order.currency,
          transaction_id: order.transaction_id,
          time_end: compactTime(order.success_time!),
        }
      : {}),
    trade_type: order.trade_type,
    total_fee: order.total,
    fee_type: order.currency,
    out_trade_no: order.out_trade_no,
    attach: order.attach,
  };
}

/** The refund statuses v2 names differently: ABNORMAL is CHANGE, CLOSED is REFUNDCLOSE. */
export const V2_REFUND_STATUS: Record<RefundStatus, string> = { SUCCESS: "SUCCESS", PROCESSING: "PROCESSING", ABNORMAL: "CHANGE", CLOSED: "REFUNDCLOSE" };

/** refundquery's numbered fields (`out_refund_no_0`, …) for the refunds of one order. */
export function v2RefundListFields(order: SandboxOrder, refunds: SandboxRefund[]): Fields {
  const fields: Fields = {
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    total_fee: order.total,
    fee_type: order.currency,
    cash_fee: order.total,
    total_refund_count: refunds.length,
    refund_count: refunds.length,
  };
  refunds.forEach((refund, n) => {
    Object.assign(fields, {
      [`out_refund_no_${n}`]: refund.out_refund_no,
      [`refund_id_${n}`]: refund.refund_id,
      [`refund_channel_${n}`]: "ORIGINAL",
      [`refund_fee_${n}`]: refund.refund,
      [`settlement_refund_fee_${n}`]: refund.refund,
      [`refund_status_${n}`]: V2_REFUND_STATUS[refund.status],
      [`refund_account_${n}`]: "REFUND_SOURCE_UNSETTLED_FUNDS",
      [`refund_recv_accout_${n}`]: "支付用户零钱",
      [`refund_success_time_${n}`]: refund.success_time !== undefined ? dashedTime(refund.success_time) : undefined,
    });
  });
  return fields;
}

/** A payment notification: the orderquery fields plus result_code, signed with the order's sign type. */
export function v2PaymentNotification(order: SandboxOrder, key: string): string {
  const fields: Fields = {
    return_code: "SUCCESS",
    return_msg: "OK",
    ...v2MerchantFields(order),
    nonce_str: randomNonce(32),
    result_code: "SUCCESS",
    ...v2OrderFields(order),
  };
  return buildV2Xml(signedV2(fields, key, order.sign_type ?? "MD5"));
}

/** A refund notification: the outer XML carries no sign; `req_info` is only readable with the key. */
export function v2RefundNotification(refund: SandboxRefund, order: SandboxOrder, key: string): string {
  const inner = buildV2Xml(
    {
      out_refund_no: refund.out_refund_no,
      out_trade_no: refund.out_trade_no,
      refund_account: "REFUND_SOURCE_UNSETTLED_FUNDS",
      refund_fee: refund.refund,
      refund_id: refund.refund_id,
      refund_recv_accout: "支付用户零钱",
      refund_request_source: "API",
      refund_status: V2_REFUND_STATUS[refund.status],
      settlement_refund_fee: refund.refund,
      settlement_total_fee: refund.total,
      success_time: refund.success_time !== undefined ? dashedTime(refund.success_time) : undefined,
      total_fee: refund.total,
      transaction_id: refund.transaction_id,
    },
    "root",
  );
  return buildV2Xml({ return_code: "SUCCESS", return_msg: "OK", ...v2MerchantFields(order), nonce_str: randomNonce(32), req_info: encryptReqInfo(inner, key) });
}
