import type { MerchantConfig, PaymentProvider, ProviderRuntime } from "../../kernel/contract";
import { douyinConfig } from "./config-reference";
import { StateError } from "../../core/errors";
import { queryDouyinBalance } from "./balance";
import { callDouyin, DOUYIN_CALLS } from "./calls";
import { createEcpayPayment, queryEcpayPayment, queryEcpayRefund, refundEcpayPayment } from "./ecpay/order";
import { verifyEcpayNotification } from "./ecpay/notify";
import { readDouyinMerchant, type DouyinMerchant } from "./merchant";
import { acknowledgeDouyinNotify } from "./reply";
import { selectDouyinMode } from "./select-mode";
import { createTradePayment, outOrderNoOf, queryTradePayment, queryTradeRefund, refundTradePayment } from "./trade/order";
import { verifyTradeNotification } from "./trade/notify";

/**
 * The `douyin` provider (pay_type `douyin_mp-toutiao`): Douyin mini-program payments in 通用交易系统 (the
 * default) or 担保支付 (ecpay v1, `version: 1`), chosen per sub-config. Neither system can close an order
 * (it expires at Douyin: `payExpireSeconds` / `valid_time`), so a close is local; refunds are settled by
 * their callbacks, or by a query.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/
 */

function merchantOf(config: MerchantConfig): DouyinMerchant {
  return readDouyinMerchant(config);
}

export function createDouyinProvider(): PaymentProvider {
  const lookUpOrderNumber = (merchant: DouyinMerchant, runtime: ProviderRuntime) => (orderId: string) =>
    merchant.system === "trade" ? outOrderNoOf(orderId, merchant, runtime) : Promise.resolve(undefined);
  return Object.freeze({
    name: "douyin",
    capabilities: Object.freeze({
      modes: ["mp-toutiao"],
      query: true,
      close: false,
      refund: true,
      refundNotify: true,
      balanceConfigKey: "mp-toutiao",
      calls: DOUYIN_CALLS,
    }),
    selectMode: selectDouyinMode,
    ...douyinConfig,
    createPayment: async (request, runtime) => {
      const merchant = merchantOf(request.config);
      return merchant.system === "trade" ? createTradePayment(request, merchant, runtime) : createEcpayPayment(request, merchant, runtime);
    },
    queryPayment: async (request, runtime) => {
      const merchant = merchantOf(request.config);
      return merchant.system === "trade" ? queryTradePayment(request.outTradeNo, merchant, runtime) : queryEcpayPayment(request.outTradeNo, merchant, runtime);
    },
    closePayment: async () => {
      // capabilities.close is false, so the core closes locally and never calls this.
      throw new StateError(2012, "close-unsupported", "抖音支付不支持关闭订单，订单到期后自动失效");
    },
    refund: async (request, runtime) => {
      const merchant = merchantOf(request.config);
      return merchant.system === "trade" ? refundTradePayment(request, merchant, runtime) : refundEcpayPayment(request, merchant, runtime);
    },
    queryRefund: async (request, runtime) => {
      const merchant = merchantOf(request.config);
      return merchant.system === "trade"
        ? queryTradeRefund(request.outTradeNo, request.outRefundNo, merchant, runtime)
        : queryEcpayRefund(request.outTradeNo, request.outRefundNo, merchant, runtime);
    },
    verifyNotify: async (notification, config, runtime) => {
      const merchant = merchantOf(config);
      return merchant.system === "trade"
        ? verifyTradeNotification(notification, merchant, lookUpOrderNumber(merchant, runtime))
        : verifyEcpayNotification(notification, merchant);
    },
    acknowledge: (accepted, context) => acknowledgeDouyinNotify(accepted, context),
    queryAccountBalance: async (request, runtime) => queryDouyinBalance(merchantOf(request.config), runtime),
    callProvider: callDouyin,
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const douyin: PaymentProvider = createDouyinProvider();
