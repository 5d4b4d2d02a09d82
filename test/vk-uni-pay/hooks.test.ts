import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { hookRetryDelayMs, runPaidHook, runRefundedHook, type HookModule, type OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findRefund, reserveRefund, settleRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { memoryDatabase } from "../helpers/deps";

describe("order-type hooks run exactly once", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  let orderId: string;
  const quiet = () => undefined;

  /** A recharge-like hook: credits the user's balance inside the hook transaction. */
  const credit = (calls: { count: number }, behaviour: "ok" | "throw" | "false" = "ok"): OrderTypeHooks => ({
    async paid({ order, db: transaction }) {
      calls.count += 1;
      const users = transaction.collection("uni-id-users");
      const user = (await users.doc(order.user_id!).get()).data as unknown as { balance: number };
      await users.doc(order.user_id!).update({ balance: user.balance + order.total_fee });
      if (behaviour === "throw") throw new Error("downstream failure");
      if (behaviour === "false") return false;
      return true;
    },
  });
  const balance = async () => ((await db.collection("uni-id-users").doc("u1").get()).data as unknown as Array<{ balance: number }>)[0]!.balance;

  beforeEach(async () => {
    raw = memoryDatabase();
    db = raw.db;
    await db.collection("uni-id-users").add({ _id: "u1", balance: 0 });
    const order = await openOrder(
      {
        out_trade_no: "T1",
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_h5",
        total_fee: 500,
        description: "充值",
        user_id: "u1",
        custom: { bonus: 5 },
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

  it("applies the hook's writes with the done marker, and a second run changes nothing", async () => {
    const calls = { count: 0 };
    const hooks: HookModule = credit(calls);
    expect(await runPaidHook(orderId, () => hooks, { now: 3000, db, log: quiet })).toBe("done");
    expect(await runPaidHook(orderId, () => hooks, { now: 4000, db, log: quiet })).toBe("already-done");
    expect(await balance()).toBe(500);
    expect(calls.count).toBe(1);
    expect(await findOrder("T1", db)).toMatchObject({ user_order_success: true, hook_attempts: 1, hook_date: 3000 });
  });

  it("credits once when 20 runs race (duplicate notifications, a query, the timer)", async () => {
    const calls = { count: 0 };
    const hooks = credit(calls);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => runPaidHook(orderId, () => hooks, { now: 3000, db, log: quiet })));
    expect(outcomes.filter((o) => o === "done")).toHaveLength(1);
    expect(outcomes.filter((o) => o !== "done").every((o) => o === "already-done")).toBe(true);
    expect(await balance()).toBe(500);
  });

  it.each(["throw", "false"] as const)("rolls back a hook that fails (%s), records it, and applies it once on retry", async (behaviour) => {
    const calls = { count: 0 };
    expect(await runPaidHook(orderId, () => credit(calls, behaviour), { now: 3000, db, log: quiet })).toBe("failed");
    expect(await balance()).toBe(0);
    const failed = (await findOrder("T1", db)) as unknown as { hook_error: string };
    expect(failed).toMatchObject({ user_order_success: false, hook_attempts: 1, hook_next_retry: 3000 + hookRetryDelayMs(1) });
    expect(failed.hook_error).toMatch(behaviour === "throw" ? /downstream failure/ : /returned false/);
    expect(await runPaidHook(orderId, () => credit(calls), { now: 5000, db, log: quiet })).toBe("done");
    expect(await balance()).toBe(500);
    expect(await findOrder("T1", db)).toMatchObject({ user_order_success: true, hook_attempts: 2 });
  });

  it("runs a legacy vk-uni-pay hook with custom spread into the order, marking it done only on true", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const legacy = async (obj: { data: Record<string, unknown> }) => {
      seen.push(obj.data);
      return seen.length > 1;
    };
    expect(await runPaidHook(orderId, () => legacy, { now: 3000, db, log: quiet })).toBe("failed");
    expect(seen[0]).toMatchObject({ out_trade_no: "T1", total_fee: 500, bonus: 5, status: "SUCCESS" });
    expect(await runPaidHook(orderId, () => legacy, { now: 4000, db, log: quiet })).toBe("done");
    expect(await runPaidHook(orderId, () => legacy, { now: 5000, db, log: quiet })).toBe("already-done");
    expect(seen).toHaveLength(2);
  });

  it("does not run for an unpaid order, and records a missing hook as a failure", async () => {
    await db.collection("vk-pay-orders").add({ _id: "unpaid", out_trade_no: "T2", status: "NOTPAY", type: "recharge", total_fee: 1 });
    const calls = { count: 0 };
    expect(await runPaidHook("unpaid", () => credit(calls), { now: 1, db, log: quiet })).toBe("not-paid");
    expect(calls.count).toBe(0);
    expect(await runPaidHook(orderId, () => undefined, { now: 3000, db, log: quiet })).toBe("failed");
    expect((await findOrder("T1", db)) as unknown as { hook_error: string }).toMatchObject({ hook_error: expect.stringContaining("no hook") });
  });

  it("backs off between retries, up to six hours", () => {
    expect([1, 2, 3, 4].map(hookRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(hookRetryDelayMs(40)).toBe(6 * 3600_000);
  });

  it("runs the refunded hook once per successful refund, with the refund and the admin's force flag", async () => {
    const seen: Array<{ refund_fee: number; force?: boolean }> = [];
    let fail = true;
    const hooks: OrderTypeHooks = {
      async refunded({ refund, order, db: transaction }) {
        seen.push(refund);
        const user = (await transaction.collection("uni-id-users").doc(order.user_id!).get()).data as unknown as { balance: number };
        await transaction
          .collection("uni-id-users")
          .doc(order.user_id!)
          .update({ balance: user.balance - refund.refund_fee });
        if (fail) throw new Error("not now");
      },
    };
    await reserveRefund(orderId, { outRefundNo: "R1", refundFee: 200, desc: "退", force: true }, 3000, db);
    expect(await runRefundedHook("R1", () => hooks, { now: 3000, db, log: quiet })).toBe("not-settled");
    await settleRefund("R1", { state: "SUCCESS", settledAt: 3500 }, db);
    expect(await runRefundedHook("R1", () => hooks, { now: 4000, db, log: quiet })).toBe("failed");
    expect(await balance()).toBe(0);
    expect(await findRefund("R1", db)).toMatchObject({ hook_error: expect.stringContaining("not now") });
    fail = false;
    const outcomes = await Promise.all([1, 2, 3].map(() => runRefundedHook("R1", () => hooks, { now: 5000, db, log: quiet })));
    expect(outcomes.filter((o) => o === "done")).toHaveLength(1);
    expect(await balance()).toBe(-200);
    expect(seen.at(-1)).toMatchObject({ refund_fee: 200, force: true, out_refund_no: "R1" });
  });
});
