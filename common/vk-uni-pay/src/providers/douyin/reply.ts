import { jsonReply, type IntegrationResponse } from "../../http-reply";
import type { AckContext } from "../../kernel/contract";

/**
 * The reply both systems expect: exactly `{"err_no":0,"err_tips":"success"}` with status 200. Anything
 * else makes Douyin deliver again (15 s, 15 s, 30 s, 3 min … 6 h). The ecpay pages give this reply; for
 * the trade system the official page's text could not be read, and every integration found replies the
 * same, so it is used for both. A refusal that is our fault (the database down) answers 5xx, a refused
 * message 4xx, so either shows in access logs.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 */
export const DOUYIN_NOTIFY_ACK = '{"err_no":0,"err_tips":"success"}';

export function acknowledgeDouyinNotify(accepted: boolean, context?: AckContext): IntegrationResponse {
  if (accepted) return { ...jsonReply(200, {}), body: DOUYIN_NOTIFY_ACK };
  return jsonReply(context?.ourFault ? 500 : 400, { err_no: 1, err_tips: "fail" });
}
