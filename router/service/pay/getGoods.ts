import { database } from "../../database";
import { success } from "../../replies";
import type { RouteReply } from "../../types";

export const access = "user";

interface GoodsRow {
  _id: string;
  name: string;
  price: number;
  stock: number;
}

/** The goods on sale: id, name, price (fen) and stock. */
export async function main(): Promise<RouteReply> {
  const { data } = await database().collection<GoodsRow>("vk-pay-goods").where({}).get();
  return success({ rows: data.map(({ _id, name, price, stock }) => ({ _id, name, price, stock })) });
}
