import { ValidationError } from "../../core/errors";
import type { PriceQuote, PriceRequest } from "../../kernel/contract";
import { readXpayMerchant, type XpayMerchant } from "./merchant";

/** The two modes of `wx.requestVirtualPayment` for short dramas: coin top-up and direct item purchase. */
export type XpayMode = "short_series_coin" | "short_series_goods";

/** What an xpay order carries for its later calls and its notifications (stored as the order's `provider_fields`, which hooks read as `order.provider_fields`). */
export type XpayOrderFields = {
  mode: XpayMode;
  buy_quantity: number;
  /** `short_series_goods` only. */
  product_id?: string;
  goods_price?: number;
  env: 0 | 1;
};

const MAX_QUANTITY = 1_000_000;

function invalid(reason: string, message: string): ValidationError {
  return new ValidationError(-1, `wxpay-virtual-${reason}`, message);
}

/**
 * Prices an xpay order from the config alone: coins at the published `rate` (coins per yuan), items at the
 * configured price, which must be the back office's (`goodsPrice` is checked against it by WeChat). A
 * `goods_price` the caller sends is only compared, never used.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestVirtualPayment.html
 */
export function priceXpayOrder(request: PriceRequest): PriceQuote {
  const merchant = readXpayMerchant(request.config);
  const item = request.item ?? {};
  const mode = item.mode;
  if (mode !== "short_series_coin" && mode !== "short_series_goods")
    throw invalid("mode-invalid", "wxpay_virtual.mode 只能是 short_series_coin 或 short_series_goods");
  const quantity = item.buy_quantity;
  if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity <= 0 || quantity > MAX_QUANTITY) {
    throw invalid("quantity-invalid", "wxpay_virtual.buy_quantity 必须是正整数");
  }
  return mode === "short_series_coin" ? priceCoins(merchant, quantity) : priceGoods(merchant, quantity, item);
}

function priceCoins(merchant: XpayMerchant, coins: number): PriceQuote {
  // rate coins buy one yuan (100 fen): the amount must come out in whole fen.
  const totalFee = (coins * 100) / merchant.rate;
  if (!Number.isSafeInteger(totalFee)) throw invalid("quantity-invalid", `代币数量必须是 ${merchant.rate / gcd(merchant.rate, 100)} 的整数倍`);
  const orderFields: XpayOrderFields = { mode: "short_series_coin", buy_quantity: coins, env: merchant.env };
  return { totalFee, subject: `充值${coins}代币`, orderFields };
}

function priceGoods(merchant: XpayMerchant, quantity: number, item: Readonly<Record<string, unknown>>): PriceQuote {
  const productId = item.product_id;
  if (typeof productId !== "string" || !productId) throw invalid("product-missing", "wxpay_virtual.product_id 不能为空");
  const goods = merchant.goods.get(productId);
  if (!goods) throw invalid("product-unknown", `道具 ${productId.slice(0, 32)} 未在 uni-pay 配置的 wxpay-virtual.goods 中登记`);
  if (item.goods_price !== undefined && item.goods_price !== goods.price) throw invalid("price-mismatch", "道具价格与后台配置的价格不一致");
  const orderFields: XpayOrderFields = {
    mode: "short_series_goods",
    buy_quantity: quantity,
    product_id: productId,
    goods_price: goods.price,
    env: merchant.env,
  };
  return { totalFee: goods.price * quantity, subject: goods.subject ?? `道具${productId.slice(0, 64)}`, orderFields };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The order's stored fields read back (a row written by priceXpayOrder), or undefined when it has none. */
export function readOrderFields(value: unknown): XpayOrderFields | undefined {
  if (!value || typeof value !== "object") return undefined;
  const fields = value as Record<string, unknown>;
  if (fields.mode !== "short_series_coin" && fields.mode !== "short_series_goods") return undefined;
  if (typeof fields.buy_quantity !== "number" || (fields.env !== 0 && fields.env !== 1)) return undefined;
  return fields as unknown as XpayOrderFields;
}
