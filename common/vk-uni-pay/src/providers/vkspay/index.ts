import type { PaymentProvider } from "../../kernel/contract";
import { vkspayConfig } from "./config-reference";
import { readVkspayMerchant } from "./merchant";
import { acknowledgeVkspayNotify, verifyVkspayNotification } from "./notify";
import { selectVkspayMode, vkspayConfigPath } from "./select-mode";
import { channelOf, createVkspayPayment, queryVkspayPayment, refundVkspayPayment } from "./trade";
import { ValidationError } from "../../core/errors";

/**
 * The `vkspay` provider. VksPay's own wire protocol is not public, so it is spoken as the MD5-signed
 * aggregator protocol widely known as 易支付 (README says so): one flat config block (`mchId`, `key`,
 * `gatewayUrl`), a QR code or cashier link from `mapi.php`, GET notifications answered `success`, queries and
 * refunds through `api.php`. There is no close call and no refund query in that protocol.
 */
export const vkspay: PaymentProvider = Object.freeze({
  name: "vkspay",
  capabilities: Object.freeze({ modes: ["h5", "mp-weixin", "app-plus"], query: true, close: false, refund: true, refundNotify: false }),
  selectMode: selectVkspayMode,
  ...vkspayConfig,
  configPath: vkspayConfigPath,
  checkCreate(input) {
    if (!channelOf(input.mode, input.payMethod)) {
      throw new ValidationError(
        -1,
        "pay-method-invalid",
        "VksPay需要 provider_pay_method 为 wxpay 或 alipay",
        "vkspay needs provider_pay_method wxpay or alipay",
      );
    }
  },
  createPayment: async (request, runtime) => createVkspayPayment(request, readVkspayMerchant(request.config), runtime),
  queryPayment: async (request, runtime) => queryVkspayPayment(request, readVkspayMerchant(request.config), runtime),
  closePayment: async () => undefined,
  refund: async (request, runtime) => refundVkspayPayment(request, readVkspayMerchant(request.config), runtime),
  // No refund query in the protocol: an open refund stays as it is (refunds settle in their own answer).
  queryRefund: async (request) => ({ state: "PROCESSING", outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: 0, raw: {} }),
  verifyNotify: async (notification, config) => verifyVkspayNotification(notification, readVkspayMerchant(config)),
  acknowledge: (accepted, context) => acknowledgeVkspayNotify(accepted, context?.ourFault === true),
} satisfies PaymentProvider);
