import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { runPaidHook, runRefundedHook, type OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { reserveRefund, settleRefund } from "../../common/vk-uni-pay/src/core/refunds";
import custom = require("../../router/service/pay-notify/custom");
import goods = require("../../router/service/pay-notify/goods");
import recharge = require("../../router/service/pay-notify/recharge");
import vip = require("../../router/service/pay-notify/vip");
import { memoryDatabase } from "../helpers/deps";

const DAY = 86_400_000;
const types: Record<string, OrderTypeHooks> = { recharge, goods, vip, custom };

/** The built-in order types, each from pricing (`create`) through `paid` to a refund. */
describe("built-in order types", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  const user = async () => ((await db.collection("uni-id-users").doc("u1").get()).data as any[])[0];
  const pay = async (type: string, terms: { total_fee: number; subject: string; custom?: Record<string, unknown> }, no = "T1") => {
    const order = await openOrder(
      {
        out_trade_no: no,
        type,
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: terms.total_fee,
        description: terms.subject,
        user_id: "u1",
        custom: terms.custom,
        notify_url: "http://x",
        notify_path: "/p",
      },
      1000,
      db,
    );
    await markPaid(order, { paidAt: 2000, notifyMode: 1 }, 2000, db);
    expect(await runPaidHook(order._id, (name) => types[name], { now: 10 * DAY, db, log: () => undefined })).toBe("done");
    return order;
  };
  const refund = async (orderId: string, outRefundNo: string, fee: number) => {
    await reserveRefund(orderId, { outRefundNo, refundFee: fee, desc: "" }, 3000, db);
    await settleRefund(outRefundNo, { state: "SUCCESS", settledAt: 4000 }, db);
    return runRefundedHook(outRefundNo, (name) => types[name], { now: 10 * DAY, db, log: () => undefined });
  };
  const create = async (type: string, input: Record<string, unknown>, config: Record<string, unknown> = {}) =>
    types[type]!.create!({ user: { _id: "u1" }, input, db, config });

  beforeEach(async () => {
    raw = memoryDatabase();
    db = raw.db;
    await db.collection("uni-id-users").add({ _id: "u1", balance: 0, vip_expire_date: 0, status: 0 });
    await db.collection("vk-pay-goods").add({ _id: "pen", name: "钢笔", price: 500, stock: 1 });
  });
  afterEach(() => raw.close());

  it("recharge: prices within min/max with the best bonus tier, credits once with a log row, takes back a refund's share", async () => {
    const config = {
      min: 100,
      max: 100_000,
      bonus: [
        { min: 1000, bonus: 100 },
        { min: 5000, bonus: 800 },
      ],
    };
    await expect(create("recharge", { total_fee: 50 }, config)).rejects.toMatchObject({ code: 1003 });
    await expect(create("recharge", { total_fee: 200_000 }, config)).rejects.toMatchObject({ code: 1003 });
    const terms = await create("recharge", { total_fee: 5000 }, config);
    expect(terms).toEqual({ total_fee: 5000, subject: "账户充值50.00元", custom: { recharge_balance: 5800 } });
    const order = await pay("recharge", terms);
    expect((await user()).balance).toBe(5800);
    expect((await db.collection("vk-pay-balance-log").get()).data).toEqual([
      expect.objectContaining({ amount: 5800, balance_before: 0, balance_after: 5800, idempotency_key: `${order._id}:paid` }),
    ]);
    expect(await refund(order._id, "R1", 2500)).toBe("done");
    expect((await user()).balance).toBe(5800 - 2900);
  });

  it("recharge: a refund the balance cannot cover is refused before it starts, unless forced", async () => {
    await pay("recharge", await create("recharge", { total_fee: 1000 }, { min: 1 }));
    await db.collection("uni-id-users").doc("u1").update({ balance: 100 });
    const dbOrder = (await findOrder("T1", db))!;
    await expect(Promise.resolve(recharge.beforeRefund!({ order: dbOrder, refund_fee: 1000, force: false, db }))).rejects.toMatchObject({ code: 2010 });
    await expect(Promise.resolve(recharge.beforeRefund!({ order: dbOrder, refund_fee: 1000, force: true, db }))).resolves.toBeUndefined();
  });

  it("goods: prices from the shop, refuses more than the stock, takes it once, restocks on a full refund", async () => {
    await expect(create("goods", { custom: { goods_id: "pen", quantity: 2 } })).rejects.toMatchObject({ errCode: "vk-pay-stock-insufficient" });
    await expect(create("goods", { custom: { goods_id: "nope" } })).rejects.toMatchObject({ errCode: "vk-pay-goods-not-found" });
    await expect(create("goods", { custom: { goods_id: "pen", quantity: 1.5 } })).rejects.toMatchObject({ errCode: "vk-pay-quantity-invalid" });
    const terms = await create("goods", { custom: { goods_id: "pen", quantity: 1 } });
    expect(terms).toEqual({ total_fee: 500, subject: "钢笔", custom: { goods_id: "pen", quantity: 1 } });
    const order = await pay("goods", terms);
    expect(((await db.collection("vk-pay-goods").doc("pen").get()).data as any[])[0].stock).toBe(0);
    expect((await db.collection("vk-pay-purchases").get()).data).toEqual([
      expect.objectContaining({ out_trade_no: "T1", goods_id: "pen", quantity: 1, oversold: false }),
    ]);
    await refund(order._id, "R1", 200);
    expect(((await db.collection("vk-pay-goods").doc("pen").get()).data as any[])[0].stock).toBe(0);
    await refund(order._id, "R2", 300);
    expect(((await db.collection("vk-pay-goods").doc("pen").get()).data as any[])[0].stock).toBe(1);
  });

  it("vip: prices from the plans, extends from max(now, expiry), shortens pro rata on a refund", async () => {
    const config = { plans: { month: { total_fee: 3000, days: 30 } } };
    await expect(create("vip", { custom: { vip_type: "year" } }, config)).rejects.toMatchObject({ errCode: "vk-pay-vip-plan-invalid" });
    await expect(create("vip", { custom: { vip_type: "__proto__" } }, config)).rejects.toMatchObject({ errCode: "vk-pay-vip-plan-invalid" });
    const terms = await create("vip", { custom: { vip_type: "month" } }, config);
    const order = await pay("vip", terms);
    expect((await user()).vip_expire_date).toBe(10 * DAY + 30 * DAY);
    await pay("vip", terms, "T2");
    expect((await user()).vip_expire_date).toBe(10 * DAY + 60 * DAY);
    await refund(order._id, "R1", 1500);
    expect((await user()).vip_expire_date).toBe(10 * DAY + 45 * DAY);
  });

  it("custom: no client pricing, and payment records a purchase", async () => {
    expect(custom.create).toBeUndefined();
    await pay("custom", { total_fee: 800, subject: "咨询", custom: { service: "consulting" } });
    expect((await db.collection("vk-pay-purchases").get()).data).toEqual([
      expect.objectContaining({ type: "custom", out_trade_no: "T1", custom: { service: "consulting" } }),
    ]);
  });
});
