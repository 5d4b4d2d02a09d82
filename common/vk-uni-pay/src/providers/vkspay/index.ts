import { StateError, ValidationError } from "../../core/errors";
import type { MerchantConfig, PaymentProvider } from "../../kernel/contract";
import { vkspayConfig } from "./config-reference";
import { readVkspayMerchant, type VkspayMerchant } from "./merchant";
import { acknowledgeVkspayNotify, verifyVkspayNotification } from "./notify";
import { selectVkspayMode, vkspayConfigPath } from "./select-mode";
import { channelOf, createVkspayPayment, queryVkspayPayment, refundVkspayPayment } from "./trade";

/**
 * The `vkspay` provider. VksPay's own wire protocol is not public, so it is spoken as the MD5-signed
 * aggregator protocol widely known as 易支付 (README says so): one flat config block (`mchId`, `key`,
 * `gatewayUrl`), a QR code or cashier link from `mapi.php`, GET notifications answered `success`, queries and
 * refunds through `api.php`. There is no close call and no refund query in that protocol.
 */
function merchantOf(config: MerchantConfig): VkspayMerchant {
  return readVkspayMerchant(config);
}

/** The channel inside the aggregator's cashier must be known before any order is written. */
function requirePayMethod(mode: string, payMethod: string | undefined): void {
  if (!channelOf(mode, payMethod)) {
    throw new ValidationError(
      -1,
      "pay-method-invalid",
      "VksPay需要 provider_pay_method 为 wxpay 或 alipay",
      "vkspay needs provider_pay_method wxpay or alipay",
    );
  }
}

export function createVkspayProvider(): PaymentProvider {
  return Object.freeze({
    name: "vkspay",
    capabilities: Object.freeze({ modes: ["h5", "mp-weixin", "app-plus"], query: true, close: false, refund: true, refundNotify: false }),
    selectMode: selectVkspayMode,
    ...vkspayConfig,
    configPath: vkspayConfigPath,
    checkCreate: (input) => requirePayMethod(input.mode, input.payMethod),
    createPayment: async (request, runtime) => createVkspayPayment(request, merchantOf(request.config), runtime),
    queryPayment: async (request, runtime) => queryVkspayPayment(request, merchantOf(request.config), runtime),
    closePayment: async () => {
      // capabilities.close is false, so the core closes locally and never calls this.
      throw new StateError(2012, "close-unsupported", "VksPay不支持关闭订单");
    },
    refund: async (request, runtime) => refundVkspayPayment(request, merchantOf(request.config), runtime),
    // No refund query in the protocol: an open refund stays as it is (refunds settle in their own answer).
    queryRefund: async (request) => ({ state: "PROCESSING", outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: 0, raw: {} }),
    verifyNotify: async (notification, config) => verifyVkspayNotification(notification, merchantOf(config)),
    acknowledge: (accepted, context) => acknowledgeVkspayNotify(accepted, context?.ourFault === true),
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const vkspay: PaymentProvider = createVkspayProvider();
