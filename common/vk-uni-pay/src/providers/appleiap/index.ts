import { StateError } from "../../core/errors";
import { appleiapConfig } from "./config-reference";
import type { PaymentProvider } from "../../kernel/contract";
import { acknowledgeAppleNotification, verifyAppleNotification } from "./notify";
import { priceAppleOrder } from "./pricing";
import { verifyAppleClientProof } from "./proof";
import { selectAppleiapMode } from "./select-mode";

/**
 * The `appleiap` provider: Apple in-app purchase for `app-plus`. The app buys through StoreKit with the
 * order's appAccountToken; the server learns of the purchase from the app's proof
 * (`pay/appleiap/verifyReceipt`) and of refunds from App Store Server Notifications V2. Apple offers no
 * merchant-initiated query by order number, close or refund: a refund is the buyer's request to Apple.
 *
 * @see https://developer.apple.com/documentation/storekit/in-app_purchase
 * @see https://developer.apple.com/documentation/appstoreservernotifications
 */

const noMerchantRefund = () => new StateError(2012, "appleiap-refund-unsupported", "苹果内购不支持商户发起退款，请引导用户向苹果申请退款");

/** vk-pay.md §2.3: the app needs the product, the quantity and the token to pass to StoreKit. */
function orderInfoOf(outTradeNo: string, fields: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return { productId: fields?.product_id, quantity: fields?.quantity ?? 1, appAccountToken: fields?.app_account_token, outTradeNo };
}

export const appleiap: PaymentProvider = Object.freeze({
  name: "appleiap",
  capabilities: Object.freeze({
    modes: ["app-plus"],
    query: false,
    close: false,
    refund: false,
    refundNotify: true,
    clientProof: [{ name: "appleiap.verifyReceipt", route: "pay/appleiap/verifyReceipt", mode: "app-plus" }],
  }),
  selectMode: selectAppleiapMode,
  ...appleiapConfig,
  priceOrder: async (request) => priceAppleOrder(request),
  createPayment: async (request) => {
    if (!request.orderFields?.app_account_token) throw new StateError(2014, "appleiap-order-unpriced", "苹果内购订单缺少商品信息，请传入 item.product_id");
    return { orderInfo: orderInfoOf(request.outTradeNo, request.orderFields), raw: {} };
  },
  // Apple answers by transaction, not by order number: until the app proves a purchase the order is unpaid.
  queryPayment: async (request) => ({ state: "NOTPAY", outTradeNo: request.outTradeNo, raw: {} }),
  closePayment: async () => undefined,
  refund: async () => {
    throw noMerchantRefund();
  },
  queryRefund: async () => {
    throw noMerchantRefund();
  },
  verifyClientProof: (request, runtime) => verifyAppleClientProof(request, runtime),
  verifyNotify: (notification, config, runtime) => verifyAppleNotification(notification, config, runtime),
  acknowledge: (accepted, context) => acknowledgeAppleNotification(accepted, context),
} satisfies PaymentProvider);
