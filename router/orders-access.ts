import { database } from "./database";

export interface OrderRow {
  _id: string;
  out_trade_no: string;
  user_id?: string;
  status: string;
  type: string;
  [key: string]: unknown;
}

/** The caller's own order, or nothing: another user's order is answered exactly like a missing one. */
export async function findOwnOrder(outTradeNo: unknown, uid: string | undefined): Promise<OrderRow | undefined> {
  if (typeof outTradeNo !== "string" || !outTradeNo || !uid) return undefined;
  const { data } = await database().collection<OrderRow>("vk-pay-orders").where({ out_trade_no: outTradeNo }).get();
  const order = data[0];
  return order && order.user_id === uid ? order : undefined;
}
