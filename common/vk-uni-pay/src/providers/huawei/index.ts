import { StateError, ValidationError } from "../../core/errors";
import type { MerchantConfig, PaymentProvider } from "../../kernel/contract";
import { huaweiConfig } from "./config-reference";
import { readHuaweiMerchant, type HuaweiMerchant } from "./merchant";
import { acknowledgeHuaweiNotify, verifyHuaweiNotification } from "./notify";
import { huaweiConfigPath, selectHuaweiMode } from "./select-mode";
import { createHuaweiPayment, queryHuaweiPayment, queryHuaweiRefund, refundHuaweiPayment } from "./trade";

/**
 * The `huawei` provider: Huawei Payment Kit (华为支付) for HarmonyOS, for a direct merchant or a service
 * provider's sub-merchant (partner.ts). Requests are signed
 * SHA256WithRSA/PSS with the merchant key, answers and callbacks verified SM2 with Huawei's key. Modes:
 * `app-plus` (HarmonyOS app, config key `app-harmony`) and `mp-harmony` (atomic service). Payment Kit has
 * no close API for a preorder (its `prepayId` expires after 10 minutes), so `close` is false; refunds
 * settle by callback (`refundNotify`) or by query.
 *
 * `biz_type` is vk-uni-pay's, not Huawei's: vk-uni-pay requires it for huawei (vk-pay.md §1.1), so the
 * library refuses a call without it, and it is never sent to Huawei (no Huawei request has such a field).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview
 */
function merchantOf(config: MerchantConfig): HuaweiMerchant {
  return readHuaweiMerchant(config);
}

/** `biz_type` is vk-uni-pay's own and required for huawei; it is checked before any order is written. */
function requireBizType(bizType: string | undefined): void {
  if (typeof bizType !== "string" || !bizType.trim()) {
    throw new ValidationError(
      -1,
      "biz-type-missing",
      "华为支付需要传 biz_type（业务类型）",
      "huawei requires data.biz_type (a vk-uni-pay field, not sent to Huawei)",
    );
  }
}

export function createHuaweiProvider(): PaymentProvider {
  return Object.freeze({
    name: "huawei",
    capabilities: Object.freeze({ modes: ["app-plus", "mp-harmony"], query: true, close: false, refund: true, refundNotify: true }),
    selectMode: selectHuaweiMode,
    ...huaweiConfig,
    configPath: huaweiConfigPath,
    checkCreate: (input) => requireBizType(input.bizType),
    createPayment: async (request, runtime) => createHuaweiPayment(request, merchantOf(request.config), runtime),
    queryPayment: async (request, runtime) => queryHuaweiPayment(request, merchantOf(request.config), runtime),
    closePayment: async () => {
      // capabilities.close is false, so the core closes locally and never calls this.
      throw new StateError(2012, "close-unsupported", "华为支付不支持关闭订单，预支付订单到期后自动失效");
    },
    refund: async (request, runtime) => refundHuaweiPayment(request, merchantOf(request.config), runtime),
    queryRefund: async (request, runtime) => queryHuaweiRefund(request, merchantOf(request.config), runtime),
    verifyNotify: async (notification, config) => verifyHuaweiNotification(notification, merchantOf(config)),
    acknowledge: (accepted, context) => acknowledgeHuaweiNotify(accepted, context?.ourFault === true),
  } satisfies PaymentProvider);
}

/** The built-in instance the registry serves. */
export const huawei: PaymentProvider = createHuaweiProvider();
