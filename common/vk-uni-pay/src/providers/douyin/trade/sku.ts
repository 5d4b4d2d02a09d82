import { ValidationError } from "../../../core/errors";
import type { CreateRequest } from "../../../kernel/contract";
import type { DouyinSkuDefaults } from "../merchant";

/**
 * The goods line (`skuList`) of 通用交易系统's order data. Douyin shows it in the cashier and the order
 * list and charges `totalAmount`, which it checks against the lines' `price × quantity`; so the price is
 * the order's, never the caller's. The order has one amount, hence one line:
 *
 * - by default it is built from the order: our number as `skuId`, the subject as `title`, one of it at the
 *   order's price, and the sub-config's goods type, tag group and image;
 * - a caller may describe the goods itself with `other.skuList` holding one line (its own `skuId`,
 *   `title`, `imageList`, `type`, `tagGroupId`, `entrySchema`, `skuAttr`…). A `price` or `quantity` it states
 *   must come to the order's amount (`price × quantity === total_fee`): a client cannot make the cashier
 *   show one price and the order charge another. More than one line is refused, for the order's amount
 *   cannot be split by us.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/request-order-data-sign
 */

const invalid = (detail: string) => new ValidationError(-1, "douyin-sku-invalid", "other.skuList 只能包含一个商品，且金额必须与订单金额一致", detail);

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw invalid(`skuList[0].${field} must be a positive integer`);
  return value;
}

/** The caller's one line with the order's amount in it, or undefined when the caller described none. */
function callerLine(given: unknown, totalFee: number): Record<string, unknown> | undefined {
  if (given === undefined) return undefined;
  if (!Array.isArray(given) || given.length !== 1) throw invalid("skuList must hold exactly one line");
  const line = given[0];
  if (typeof line !== "object" || line === null || Array.isArray(line)) throw invalid("skuList[0] must be an object");
  const { price, quantity, ...described } = line as Record<string, unknown>;
  const count = quantity === undefined ? 1 : positiveInteger(quantity, "quantity");
  const unit = price === undefined ? totalFee / count : positiveInteger(price, "price");
  if (!Number.isSafeInteger(unit) || unit * count !== totalFee) throw invalid(`skuList[0] comes to ${unit * count}, the order to ${totalFee}`);
  return { ...described, price: unit, quantity: count };
}

export function skuListOf(request: CreateRequest, defaults: DouyinSkuDefaults): Record<string, unknown>[] {
  const own: Record<string, unknown> = {
    skuId: request.outTradeNo,
    title: request.subject.slice(0, 80),
    type: defaults.type,
    tagGroupId: defaults.tagGroupId,
    ...(defaults.imageUrl ? { imageList: [defaults.imageUrl] } : {}),
  };
  const described = callerLine(request.other?.skuList, request.totalFee);
  return [described ? { ...own, ...described } : { ...own, price: request.totalFee, quantity: 1 }];
}
