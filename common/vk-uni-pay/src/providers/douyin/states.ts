import { ProviderRejectedError } from "../../core/errors";
import type { RefundStatus, TradeState } from "../../kernel/contract";

/**
 * What both Douyin systems share in their answers, read once here: the order's state (the trade system's
 * `pay_status` and ecpay's `order_status` are the same words, PROCESS / PROCESSING for "not yet"), a refund's
 * state (SUCCESS, FAIL, PROCESSING in both), and the refusal of an order or refund Douyin does not know.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/query-order
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/query
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/refund/query-refund
 */

/** TIMEOUT is an order whose pay window closed unpaid; FAIL a failed payment; anything else is still open. */
export function douyinTradeState(status: unknown): TradeState {
  switch (status) {
    case "SUCCESS":
      return "SUCCESS";
    case "TIMEOUT":
      return "CLOSED";
    case "FAIL":
      return "PAYERROR";
    default:
      return "NOTPAY";
  }
}

/** A FAIL refund gave nothing back: its reservation is released (CLOSED). */
export function douyinRefundState(status: unknown): RefundStatus["state"] {
  return status === "SUCCESS" ? "SUCCESS" : status === "FAIL" ? "CLOSED" : "PROCESSING";
}

/**
 * Douyin knows an order only once the client opened it (tt.requestOrder, or ecpay's cashier), and neither
 * system's pages list a code for "unknown": the message is read.
 */
export function isUnknownToDouyin(error: unknown): error is ProviderRejectedError {
  return error instanceof ProviderRejectedError && /不存在|not\s*exist|not\s*found/i.test(error.providerMessage);
}
