import type { OrderTypeHooks } from "vk-uni-pay";

/**
 * Custom: orders your own server code creates with `vkPay.createPayment` (clients cannot create them
 * through `pay/createPayment`, since there is no `create` here to price them). Payment records a
 * `vk-pay-purchases` row; add your business logic beside it.
 */
const custom: OrderTypeHooks = {
  async paid({ order, db, now }) {
    await db
      .collection("vk-pay-purchases")
      .add({ user_id: order.user_id ?? "", out_trade_no: order.out_trade_no, type: "custom", custom: order.custom ?? {}, create_date: now });
  },
};

export = custom;
