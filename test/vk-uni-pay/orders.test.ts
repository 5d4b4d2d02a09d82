import { findOrder, markClosed, markPaid, openOrder, type OrderDraft } from "../../common/vk-uni-pay/src/core/orders";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { memoryDatabase } from "../helpers/deps";

const draft = (overrides: Partial<OrderDraft> = {}): OrderDraft => ({
  out_trade_no: "T1",
  type: "recharge",
  provider: "wxpay",
  pay_type: "wxpay_mp-weixin",
  total_fee: 100,
  description: "充值",
  user_id: "u1",
  openid: "o1",
  custom: { note: "x" },
  notify_url: "http://127.0.0.1/http/vk-pay",
  notify_path: "/vk-pay-notify/wxpay_mp-weixin/T1",
  ...overrides,
});

describe("orders: creation and the conditional state changes", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  beforeEach(() => {
    raw = memoryDatabase();
    db = raw.db;
  });
  afterEach(() => raw.close());

  const count = async () => (await db.collection("vk-pay-orders").count()).total;

  it("creates an unpaid order with the draft's fields", async () => {
    const order = await openOrder(draft(), 1000, db);
    expect(order).toMatchObject({ status: "NOTPAY", create_date: 1000, refund_fee: 0, total_fee: 100, user_id: "u1" });
    expect(await findOrder("T1", db)).toMatchObject({ _id: order._id, status: "NOTPAY", custom: { note: "x" } });
  });

  it("lets the same user retry the same unpaid order, refreshing it in place", async () => {
    const first = await openOrder(draft(), 1000, db);
    const retry = await openOrder(draft({ pay_type: "wxpay_h5", openid: "o2" }), 2000, db);
    expect(retry._id).toBe(first._id);
    expect(await count()).toBe(1);
    expect(await findOrder("T1", db)).toMatchObject({ pay_type: "wxpay_h5", openid: "o2", create_date: 1000 });
  });

  it.each([
    ["another user", { user_id: "u2" }],
    ["another amount", { total_fee: 1 }],
    ["another type", { type: "vip" }],
    ["another provider", { provider: "alipay", pay_type: "alipay_h5" }],
    ["no user at all", { user_id: undefined }],
  ])("refuses the same out_trade_no from %s and leaves the order alone", async (_label, change) => {
    await openOrder(draft(), 1000, db);
    await expect(openOrder(draft(change), 2000, db)).rejects.toMatchObject({ code: 2006 });
    expect(await findOrder("T1", db)).toMatchObject({ user_id: "u1", total_fee: 100, type: "recharge", provider: "wxpay" });
  });

  it("settles concurrent creates of one order number to a single document", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => openOrder(draft(), 1000, db)));
    expect(new Set(results.map((order) => order._id)).size).toBe(1);
    expect(await count()).toBe(1);
  });

  it("moves an open order to SUCCESS exactly once, even under 50 concurrent attempts", async () => {
    const order = await openOrder(draft(), 1000, db);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => markPaid(order, { transactionId: `W${i}`, paidAt: 5000, notifyMode: 1 }, 6000, db)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes.indexOf(true);
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", transaction_id: `W${winner}`, pay_date: 5000, notify_date: 6000, notify_mode: 1 });
  });

  it("never marks paid for another amount", async () => {
    const order = await openOrder(draft(), 1000, db);
    expect(await markPaid({ _id: order._id, total_fee: 99 }, { paidAt: 1, notifyMode: 1 }, 2, db)).toBe(false);
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
  });

  it("refuses to reopen a paid order and never closes it", async () => {
    const order = await openOrder(draft(), 1000, db);
    await markPaid(order, { paidAt: 1, notifyMode: 1 }, 2, db);
    await expect(openOrder(draft(), 3000, db)).rejects.toMatchObject({ code: 2005 });
    expect(await markClosed(order._id, 4000, db)).toBe(false);
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS" });
  });

  it("closes an open order, after which it cannot be reopened, yet a verified payment still lands on it", async () => {
    const order = await openOrder(draft(), 1000, db);
    expect(await markClosed(order._id, 4000, db)).toBe(true);
    expect(await markClosed(order._id, 4001, db)).toBe(false);
    await expect(openOrder(draft(), 5000, db)).rejects.toMatchObject({ code: 2007 });
    expect(await findOrder("T1", db)).toMatchObject({ status: "CLOSED", cancel_date: 4000 });
    // A payment the provider confirms means the close was ours alone: the money moved, so the order follows.
    expect(await markPaid({ ...order, total_fee: 99 }, { paidAt: 1, notifyMode: 1 }, 2, db)).toBe(false);
    expect(await markPaid(order, { paidAt: 1, notifyMode: 1 }, 2, db)).toBe(true);
    expect(await markClosed(order._id, 4002, db)).toBe(false);
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS" });
  });
});
