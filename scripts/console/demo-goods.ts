/**
 * A few goods for the console's checkout when `vk-pay-goods` is empty (a fresh `npm start`), so the goods
 * type can be tried at once; a collection with any row of its own is left alone.
 */
const DEMO_GOODS = [
  { _id: "demo-tea", name: "明前龙井 250g", price: 6800, stock: 20 },
  { _id: "demo-mug", name: "陶瓷马克杯", price: 3900, stock: 50 },
  { _id: "demo-ebook", name: "电子书《uniCloud 实战》", price: 1990, stock: 999 },
];

interface Database {
  collection(name: string): {
    where(query: Record<string, unknown>): { count(): Promise<{ total: number }> };
    doc(id: string): { set(data: Record<string, unknown>): Promise<unknown> };
  };
}

export async function ensureDemoGoods(db: Database): Promise<void> {
  const goods = db.collection("vk-pay-goods");
  if ((await goods.where({}).count()).total > 0) return;
  for (const { _id, ...row } of DEMO_GOODS) await goods.doc(_id).set(row);
}
