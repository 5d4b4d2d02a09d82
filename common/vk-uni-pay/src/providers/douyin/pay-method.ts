/**
 * Which channel the buyer picked in Douyin's cashier, as vk-uni-pay's `provider_pay_method`: both systems
 * number them alike (the trade system's `pay_channel`, ecpay's `way`): 1 WeChat Pay, 2 Alipay, 10 Douyin's
 * own 抖音支付. Anything else is left unrecorded rather than guessed.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 */
export function payMethodOfChannel(channel: unknown): string | undefined {
  switch (String(channel ?? "")) {
    case "1":
      return "wxpay";
    case "2":
      return "alipay";
    case "10":
      return "douyin";
    default:
      return undefined;
  }
}
