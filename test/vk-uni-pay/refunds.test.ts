import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { findOrder, markPaid, openOrder, type Order } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund, reserveRefund, settleRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { memoryDatabase } from "../helpers/deps";

describe("the refund ledger", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  let order: Order;
  const reserve = (outRefundNo: string, refundFee: number) => reserveRefund(order._id, { outRefundNo, refundFee, desc: "退款" }, 5000, db);

  beforeEach(async () => {
    raw = memoryDatabase();
    db = raw.db;
    order = await openOrder(
      {
        out_trade_no: "T1",
        type: "goods",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: 100,
        description: "商品",
        user_id: "u1",
        notify_url: "http://x",
        notify_path: "/p",
      },
      1000,
      db,
    );
    await markPaid(order, { paidAt: 2000, notifyMode: 1 }, 2000, db);
  });
  afterEach(() => raw.close());

  it("reserves, then counts a successful refund into the order", async () => {
    expect(await reserve("R1", 30)).toMatchObject({ created: true, record: { status: "PROCESSING", refund_fee: 30, out_trade_no: "T1" } });
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_reserved: 30, refund_num: 1 });
    expect(await settleRefund("R1", { state: "SUCCESS", refundId: "WXR1", settledAt: 6000 }, db)).toBe("settled");
    expect(await findOrder("T1", db)).toMatchObject({
      status: "REFUND",
      refund_fee: 30,
      refund_reserved: 30,
      refund_list: [{ out_refund_no: "R1", refund_fee: 30, refund_date: 6000, refund_desc: "退款" }],
    });
    expect(await findRefund("R1", db)).toMatchObject({ status: "SUCCESS", refund_id: "WXR1", settle_date: 6000 });
  });

  it("treats the same out_refund_no as the same refund, and refuses it for another amount", async () => {
    await reserve("R1", 30);
    expect(await reserve("R1", 30)).toMatchObject({ created: false });
    await expect(reserve("R1", 31)).rejects.toMatchObject({ code: 2009 });
    expect(await findOrder("T1", db)).toMatchObject({ refund_reserved: 30, refund_num: 1 });
  });

  it("never reserves more than was paid, even under concurrent requests", async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => reserve(`R${i}`, 30)));
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(3);
    for (const failed of attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected")) expect(failed.reason).toMatchObject({ code: 2008 });
    expect(await findOrder("T1", db)).toMatchObject({ refund_reserved: 90 });
    await expect(reserve("R-last", 11)).rejects.toMatchObject({ code: 2008 });
    expect(await reserve("R-last", 10)).toMatchObject({ created: true });
  });

  it("releases the reservation of a CLOSED refund", async () => {
    await reserve("R1", 100);
    await expect(reserve("R2", 1)).rejects.toMatchObject({ code: 2008 });
    expect(await settleRefund("R1", { state: "CLOSED", settledAt: 6000 }, db)).toBe("settled");
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_reserved: 0 });
    expect(await reserve("R2", 100)).toMatchObject({ created: true });
  });

  it("keeps an ABNORMAL refund open with its reservation held, until WeChat reports SUCCESS", async () => {
    await reserve("R1", 100);
    expect(await settleRefund("R1", { state: "ABNORMAL", settledAt: 6000 }, db)).toBe("settled");
    expect(await findRefund("R1", db)).toMatchObject({ status: "ABNORMAL" });
    // The money is in WeChat's intermediate account: refunding it again would pay twice.
    await expect(reserve("R2", 1)).rejects.toMatchObject({ code: 2008 });
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_reserved: 100 });
    expect(await settleRefund("R1", { state: "ABNORMAL", settledAt: 6500 }, db)).toBe("already-settled");
    expect(await settleRefund("R1", { state: "SUCCESS", settledAt: 7000 }, db)).toBe("settled");
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 100, refund_reserved: 100 });
    expect(await settleRefund("R1", { state: "CLOSED", settledAt: 8000 }, db)).toBe("already-settled");
  });

  it("releases an ABNORMAL refund's reservation when it ends CLOSED", async () => {
    await reserve("R1", 100);
    await settleRefund("R1", { state: "ABNORMAL", settledAt: 6000 }, db);
    expect(await settleRefund("R1", { state: "CLOSED", settledAt: 7000 }, db)).toBe("settled");
    expect(await findOrder("T1", db)).toMatchObject({ refund_fee: 0, refund_reserved: 0 });
  });

  it("settles once, however many times the result arrives", async () => {
    await reserve("R1", 40);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => settleRefund("R1", { state: "SUCCESS", settledAt: 6000 }, db)));
    expect(outcomes.filter((o) => o === "settled")).toHaveLength(1);
    expect(await settleRefund("R1", { state: "CLOSED", settledAt: 7000 }, db)).toBe("already-settled");
    expect(await findOrder("T1", db)).toMatchObject({ refund_fee: 40, refund_reserved: 40 });
    expect(await settleRefund("nope", { state: "SUCCESS", settledAt: 1 }, db)).toBe("unknown-refund");
  });

  it("refuses refunds of an unpaid order", async () => {
    const unpaid = await openOrder(
      {
        out_trade_no: "T2",
        type: "goods",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        notify_url: "http://x",
        notify_path: "/p",
      },
      1000,
      db,
    );
    await expect(reserveRefund(unpaid._id, { outRefundNo: "R9", refundFee: 1, desc: "" }, 1, db)).rejects.toMatchObject({ code: 2002 });
    expect(await findRefund("R9", db)).toBeUndefined();
  });
});
