import { single, ValidationError, type CreateHookInput, type HookContext, type OrderTypeHooks, type RefundFacts } from "vk-uni-pay";

/**
 * Goods: priced from `vk-pay-goods` (`_id`, `name`, `price` in fen, `stock`) times `custom.quantity`.
 * Payment takes the stock and records a `vk-pay-purchases` row (unique per order); a full refund puts
 * the stock back once.
 */
interface GoodsRow {
  _id: string;
  name: string;
  price: number;
  stock: number;
}

const MAX_QUANTITY = 999;

function orderedGoods(order: HookContext["order"]): { goodsId: string; quantity: number } {
  const custom = (order.custom ?? {}) as { goods_id?: unknown; quantity?: unknown };
  return { goodsId: String(custom.goods_id), quantity: Number(custom.quantity) };
}

const goods: OrderTypeHooks = {
  async create({ input, db }: CreateHookInput) {
    const custom = (input.custom ?? {}) as { goods_id?: unknown; quantity?: unknown };
    const quantity = custom.quantity ?? 1;
    if (typeof custom.goods_id !== "string" || !custom.goods_id) throw new ValidationError(-1, "goods-id-invalid", "goods_id不能为空");
    if (!Number.isSafeInteger(quantity) || (quantity as number) < 1 || (quantity as number) > MAX_QUANTITY) {
      throw new ValidationError(-1, "quantity-invalid", `购买数量须为1到${MAX_QUANTITY}的整数`);
    }
    const item = single<GoodsRow>(await db.collection("vk-pay-goods").doc(custom.goods_id).get());
    if (!item) throw new ValidationError(-1, "goods-not-found", "商品不存在");
    if (!Number.isSafeInteger(item.stock) || item.stock < (quantity as number)) throw new ValidationError(-1, "stock-insufficient", "商品库存不足");
    return { total_fee: item.price * (quantity as number), subject: item.name, custom: { goods_id: item._id, quantity } };
  },

  async paid({ order, db, now }) {
    const { goodsId, quantity } = orderedGoods(order);
    const item = single<GoodsRow>(await db.collection("vk-pay-goods").doc(goodsId).get());
    if (!item) throw new Error(`goods ${goodsId} not found`);
    // Two buyers may have paid for the last item: the sale is kept (money was taken) and flagged for the shop.
    const stock = item.stock - quantity;
    await db.collection("vk-pay-goods").doc(goodsId).update({ stock });
    await db.collection("vk-pay-purchases").add({
      user_id: order.user_id ?? "",
      out_trade_no: order.out_trade_no,
      goods_id: goodsId,
      quantity,
      type: "goods",
      oversold: stock < 0,
      create_date: now,
    });
  },

  async refunded({ order, db, refund }: HookContext & { refund: RefundFacts }) {
    if (order.refund_fee < order.total_fee) return;
    const { goodsId, quantity } = orderedGoods(order);
    const item = single<GoodsRow>(await db.collection("vk-pay-goods").doc(goodsId).get());
    if (item)
      await db
        .collection("vk-pay-goods")
        .doc(goodsId)
        .update({ stock: item.stock + quantity });
    void refund;
  },
};

export = goods;
