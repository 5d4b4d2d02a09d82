import type { PaymentProvider } from "../../kernel/contract";
import { wxpayVirtualConfig } from "./config-reference";
import { createXpayPayment } from "./create";
import { acknowledgeXpayNotify, verifyXpayNotify } from "./notify";
import { manageXpay } from "./manager";
import { queryXpayPayment, queryXpayRefund, refundXpayOrder } from "./orders";
import { priceXpayOrder } from "./price";
import { selectWxpayVirtualMode } from "./select-mode";

/**
 * `wxpay-virtual`: WeChat mini-program virtual payment (虚拟支付, xpay) for short dramas, in its two modes
 * (`short_series_coin` coin top-up, `short_series_goods` direct item purchase). The amount comes from the
 * config (coins at `rate`, items at their back-office price), the client pays with `wx.requestVirtualPayment`,
 * and results arrive as mini-program message pushes at `/vk-pay-notify/wxpay-virtual_mp-weixin`.
 *
 * xpay has no close API: a local close is all there is (an unpaid order simply never completes).
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */
/**
 * vk-pay.md §1.8's manager (`vkPay.getWxpayVirtualManager()`), plus notify_provide_goods. Each method has an
 * admin route: the coin calls move a user's coins or read another user's wallet (vk-pay.md §6.3 calls the
 * demo routes "delete in production"; behind the admin role they can stay).
 */
const MANAGER = Object.freeze({
  name: "getWxpayVirtualManager",
  mode: "mp-weixin",
  methods: Object.freeze(
    ["queryUserBalance", "currencyPay", "cancelCurrencyPay", "presentCurrency", "notifyProvideGoods"].map((name) =>
      Object.freeze({ name, adminRoute: `admin/wxpayVirtual/${name}` }),
    ),
  ),
});

export const wxpayVirtual: PaymentProvider = Object.freeze({
  name: "wxpay-virtual",
  capabilities: Object.freeze({
    modes: Object.freeze(["mp-weixin"]),
    query: true,
    close: false,
    refund: true,
    refundNotify: true,
    itemField: "wxpay_virtual",
    manager: MANAGER,
  }),
  selectMode: selectWxpayVirtualMode,
  ...wxpayVirtualConfig,
  priceOrder: async (request) => priceXpayOrder(request),
  createPayment: createXpayPayment,
  queryPayment: queryXpayPayment,
  // Never called while `close` is false: the core closes xpay orders locally only.
  closePayment: async () => undefined,
  refund: refundXpayOrder,
  queryRefund: queryXpayRefund,
  verifyNotify: verifyXpayNotify,
  acknowledge: acknowledgeXpayNotify,
  manage: manageXpay,
} satisfies PaymentProvider);
