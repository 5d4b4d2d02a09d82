import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { runRefundedHook, runRefundReversedHook, type OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findRefund, reserveRefund, reverseRefund, settleRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { memoryDatabase } from "../helpers/deps";

/** reverseRefund and the refundReversed hook: a settled refund the provider took back, undone once. */

let raw: ReturnType<typeof memoryDatabase>;
let db: Database;
let orderId: string;
const quiet = () => undefined;

async function settledRefund(outRefundNo: string, refundFee: number): Promise<void> {
  await reserveRefund(orderId, { outRefundNo, refundFee, desc: "退款" }, 3000, db);
  await settleRefund(outRefundNo, { state: "SUCCESS", settledAt: 4000 }, db);
}

beforeEach(async () => {
  raw = memoryDatabase();
  db = raw.db;
  const order = await openOrder(
    {
      out_trade_no: "R1",
      type: "recharge",
      provider: "wxpay",
      pay_type: "wxpay_h5",
      total_fee: 1000,
      description: "充值",
      user_id: "u1",
      notify_url: "http://x",
      notify_path: "/vk-pay-notify/wxpay_h5",
    },
    1000,
    db,
  );
  orderId = order._id;
  await markPaid(order, { paidAt: 2000, notifyMode: 1 }, 2000, db);
});
afterEach(() => raw.close());

describe("reverseRefund", () => {
  it("takes one refund out of the order's totals and list; the order stays REFUND while another refund remains, and is SUCCESS after the last", async () => {
    await settledRefund("R1-1", 300);
    await settledRefund("R1-2", 200);
    expect(await reverseRefund("R1-1", 5000, db)).toBe("reversed");
    expect(await findOrder("R1", db)).toMatchObject({ status: "REFUND", refund_fee: 200, refund_reserved: 200, refund_list: [{ out_refund_no: "R1-2" }] });
    expect(await findRefund("R1-1", db)).toMatchObject({ status: "CLOSED", reversed_date: 5000 });
    expect(await reverseRefund("R1-1", 6000, db)).toBe("already-reversed");
    expect(await findOrder("R1", db)).toMatchObject({ refund_fee: 200 });
    expect(await reverseRefund("R1-2", 7000, db)).toBe("reversed");
    expect(await findOrder("R1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 0, refund_reserved: 0, refund_list: [] });
    // The ceiling is free again: the whole amount may be refunded anew.
    await expect(reserveRefund(orderId, { outRefundNo: "R1-3", refundFee: 1000, desc: "退款" }, 8000, db)).resolves.toMatchObject({ created: true });
  });

  it("leaves a refund that has not settled alone, and knows no unknown refund", async () => {
    await reserveRefund(orderId, { outRefundNo: "R1-1", refundFee: 300, desc: "退款" }, 3000, db);
    expect(await reverseRefund("R1-1", 5000, db)).toBe("not-settled");
    expect(await findRefund("R1-1", db)).toMatchObject({ status: "PROCESSING" });
    expect(await reverseRefund("nope", 5000, db)).toBe("unknown-refund");
  });
});

describe("runRefundReversedHook", () => {
  it("runs once, after refunded ran; a failure is recorded and the next run completes it", async () => {
    let fail = true;
    const calls: string[] = [];
    const hooks: OrderTypeHooks = {
      refunded: ({ refund }) => void calls.push(`refunded ${refund.out_refund_no}`),
      refundReversed: ({ refund, order }) => {
        if (fail) throw new Error("downstream");
        calls.push(`reversed ${refund.out_refund_no} ${order.refund_fee}`);
      },
    };
    await settledRefund("R1-1", 300);
    expect(await runRefundReversedHook("R1-1", () => hooks, { now: 4500, db, log: quiet })).toBe("not-settled");
    expect(await runRefundedHook("R1-1", () => hooks, { now: 4500, db, log: quiet })).toBe("done");
    await reverseRefund("R1-1", 5000, db);
    expect(await runRefundedHook("R1-1", () => hooks, { now: 5500, db, log: quiet })).toBe("not-settled");
    expect(await runRefundReversedHook("R1-1", () => hooks, { now: 6000, db, log: quiet })).toBe("failed");
    expect(await findRefund("R1-1", db)).toMatchObject({ reversal_hook_error: "Error: downstream", reversal_hook_attempts: 1 });
    fail = false;
    expect(await runRefundReversedHook("R1-1", () => hooks, { now: 7000, db, log: quiet })).toBe("done");
    expect(await runRefundReversedHook("R1-1", () => hooks, { now: 8000, db, log: quiet })).toBe("already-done");
    expect(calls).toEqual(["refunded R1-1", "reversed R1-1 0"]);
  });

  it("has nothing to undo when refunded never completed", async () => {
    const calls: string[] = [];
    const hooks: OrderTypeHooks = { refundReversed: () => void calls.push("reversed") };
    await settledRefund("R1-1", 300);
    await reverseRefund("R1-1", 5000, db);
    expect(await runRefundReversedHook("R1-1", () => hooks, { now: 6000, db, log: quiet })).toBe("no-hook");
    expect(calls).toEqual([]);
  });
});
