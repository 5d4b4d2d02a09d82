import { randomUUID } from "node:crypto";
import { ValidationError } from "../../core/errors";
import type { PriceQuote, PriceRequest } from "../../kernel/contract";
import { readAppleMerchant } from "./merchant";

/**
 * An App Store product costs what `appleiap["app-plus"].products` says, never what the client sends. The
 * order also gets the `appAccountToken` the app passes to StoreKit (`Product.PurchaseOption.appAccountToken`,
 * or StoreKit 1's `applicationUsername`): Apple returns it in the signed transaction only because it is a
 * UUID, and it is what binds the purchase back to this order.
 *
 * @see https://developer.apple.com/documentation/storekit/product/purchaseoption/appaccounttoken(_:)
 * @see https://developer.apple.com/documentation/storekit/skmutablepayment/applicationusername
 */
export async function priceAppleOrder(request: PriceRequest): Promise<PriceQuote> {
  const merchant = readAppleMerchant(request.config);
  const productId = request.item.product_id ?? request.item.productId;
  if (typeof productId !== "string" || !productId) throw new ValidationError(1017, "appleiap-product-missing", "请传入苹果内购商品ID（item.product_id）");
  const product = merchant.products.get(productId);
  if (!product)
    throw new ValidationError(1017, "appleiap-product-unknown", "苹果内购商品不存在或未配置", `product ${productId.slice(0, 64)} is not in appleiap.products`);
  const quantity = request.item.quantity ?? 1;
  if (!Number.isSafeInteger(quantity) || (quantity as number) < 1 || (quantity as number) > product.maxQuantity) {
    throw new ValidationError(1018, "appleiap-quantity-invalid", `购买数量必须是 1 到 ${product.maxQuantity} 之间的整数`);
  }
  return {
    totalFee: product.totalFee * (quantity as number),
    ...(product.subject ? { subject: product.subject } : {}),
    orderFields: { product_id: productId, quantity, app_account_token: randomUUID() },
  };
}
