import { reconcile } from "../../common/vk-uni-pay/src/api/reconcile";
import { queryRefund } from "../../common/vk-uni-pay/src/api/query-refund";
import { refund } from "../../common/vk-uni-pay/src/api/refund";
import type { ApiDeps } from "../../common/vk-uni-pay/src/api/shared";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { makeDeps, memoryDatabase } from "../helpers/deps";
import type { OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund, reserveRefund, reverseRefund, settleRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { runRefundedHook, runRefundReversedHook } from "../../common/vk-uni-pay/src/core/hooks";
import { ProviderRejectedError } from "../../common/vk-uni-pay/src/core/errors";
import { createTestpay, type TestpayPlatform } from "../helpers/testpay";

const MINUTE = 60_000;

describe("the reconciliation timer", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  let deps: ApiDeps;
  let platform: TestpayPlatform;
  let clock: number;
  let paidRuns: number;
  let refundRuns: number;
  let hookDown: boolean;
  let reversalDown: boolean;
  let reversalRuns: number;
  const hooks: OrderTypeHooks = {
    async paid() {
      if (hookDown) throw new Error("down");
      paidRuns += 1;
    },
    async refunded() {
      refundRuns += 1;
    },
    async refundReversed() {
      if (reversalDown) throw new Error("down");
      reversalRuns += 1;
    },
  };
  const open = (no: string, createdAt: number, extra: Record<string, unknown> = {}) =>
    openOrder(
      {
        out_trade_no: no,
        type: "t",
        provider: "testpay",
        pay_type: "testpay_h5",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        notify_url: "http://x",
        notify_path: "/p",
        ...extra,
      },
      createdAt,
      db,
    );

  beforeEach(() => {
    raw = memoryDatabase();
    db = raw.db;
    const testpay = createTestpay();
    platform = testpay.platform;
    clock = 100 * 24 * 3600_000;
    paidRuns = 0;
    refundRuns = 0;
    hookDown = false;
    reversalDown = false;
    reversalRuns = 0;
    deps = makeDeps({
      db,
      now: () => clock,
      config: () => ({ autoDeleteExpiredOrders: 3, testpay: { h5: { key: "k" } } }),
      providers: [testpay.provider],
      hooks: () => hooks,
    });
  });
  afterEach(async () => {
    await raw.close();
  });

  it("re-drives a failed hook once its retry time has come, not before", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    await db
      .collection("vk-pay-orders")
      .doc(order._id)
      .update({ user_order_success: false, hook_next_retry: clock + MINUTE });
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { hooks: 0 } });
    clock += 2 * MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { hooks: 1 } });
    expect(await findOrder("T1", db)).toMatchObject({ user_order_success: true });
    expect(paidRuns).toBe(1);
  });

  it("asks the provider about open orders that had no notification, and applies what it reports", async () => {
    await open("T1", clock - 5 * MINUTE);
    await open("FRESH", clock - 10_000);
    platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "TX" });
    platform.payments.set("FRESH", { state: "SUCCESS", totalFee: 100 });
    const report = await reconcile({}, deps);
    expect(report).toMatchObject({ code: 0, data: { queried: 1 } });
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", notify_mode: 0, user_order_success: true });
    expect(await findOrder("FRESH", db)).toMatchObject({ status: "NOTPAY" });
  });

  it("closes expired unpaid orders at the provider and here, and deletes old ones", async () => {
    await open("EXPIRED", clock - 10 * MINUTE, { time_expire: clock - MINUTE });
    await open("DAYOLD", clock - 25 * 3600_000);
    await open("ANCIENT", clock - 4 * 24 * 3600_000);
    const paid = await open("PAIDOLD", clock - 5 * 24 * 3600_000);
    await markPaid(paid, { paidAt: clock, notifyMode: 1 }, clock, db);
    const report = await reconcile({}, deps);
    expect(report).toMatchObject({ code: 0, data: { deleted: 1 } });
    expect(await findOrder("EXPIRED", db)).toMatchObject({ status: "CLOSED" });
    expect(await findOrder("DAYOLD", db)).toMatchObject({ status: "CLOSED" });
    expect(await findOrder("ANCIENT", db)).toBeUndefined();
    expect(await findOrder("PAIDOLD", db)).toMatchObject({ status: "SUCCESS" });
    expect(platform.calls.filter((c) => c.method === "closePayment").length).toBeGreaterThanOrEqual(2);
  });

  it("closes an expired order here even when the provider refuses to close it (no trade there yet)", async () => {
    const testpay = deps.findProvider("testpay")!;
    const refusing = { ...testpay, closePayment: async () => Promise.reject(new ProviderRejectedError("ACQ.TRADE_NOT_EXIST", "交易不存在")) };
    deps = { ...deps, findProvider: (name) => (name === "testpay" ? refusing : undefined), providerNames: () => ["testpay"] };
    await open("UNSCANNED", clock - 25 * 3600_000);
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { closed: 1, errors: [] } });
    expect(await findOrder("UNSCANNED", db)).toMatchObject({ status: "CLOSED" });
    // Should the buyer pay after all, the payment is not lost: a closed-here order can still become paid.
    expect(await markPaid((await findOrder("UNSCANNED", db))!, { paidAt: clock, notifyMode: 1 }, clock, db)).toBe(true);
    expect(await findOrder("UNSCANNED", db)).toMatchObject({ status: "SUCCESS" });
  });

  it("settles refunds still processing and runs their hook; records every run with its errors", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 50, desc: "" }, clock - 2 * MINUTE, db);
    platform.refunds.set("R1", "SUCCESS");
    await db.collection("vk-pay-orders").add({
      _id: "broken",
      out_trade_no: "BROKEN",
      status: "NOTPAY",
      provider: "gone",
      pay_type: "gone_h5",
      type: "t",
      total_fee: 1,
      create_date: clock - 10 * MINUTE,
    });
    const report = await reconcile({}, deps);
    expect(report).toMatchObject({ code: 0, data: { refunds: 1 } });
    expect(await findRefund("R1", db)).toMatchObject({ status: "SUCCESS", hook_done: true });
    expect(refundRuns).toBe(1);
    expect((report as { data: { errors: string[] } }).data.errors).toEqual([expect.stringContaining("BROKEN")]);
    const { data: runs } = await db.collection("vk-pay-task-log").where({ task: "reconcile" }).get();
    expect(runs).toHaveLength(1);
  });

  it("re-drives a failed refundReversed hook (a reversal is notified once), and only once", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 50, desc: "" }, clock - 2 * MINUTE, db);
    await settleRefund("R1", { state: "SUCCESS", settledAt: clock - MINUTE }, db);
    expect(await runRefundedHook("R1", () => hooks, { now: clock, db, log: () => undefined })).toBe("done");
    expect(await reverseRefund("R1", clock, db)).toBe("reversed");
    reversalDown = true;
    expect(await runRefundReversedHook("R1", () => hooks, { now: clock, db, log: () => undefined })).toBe("failed");
    // Still down: the timer tries, records the failure, and counts nothing.
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { reversalHooks: 0 } });
    expect(await findRefund("R1", db)).toMatchObject({ reversal_hook_attempts: 2 });
    reversalDown = false;
    clock += MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { reversalHooks: 1 } });
    expect(await findRefund("R1", db)).toMatchObject({ status: "CLOSED", reversal_hook_done: true });
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { reversalHooks: 0 } });
    expect(reversalRuns).toBe(1);
    expect(refundRuns).toBe(1);
  });

  it("sends again, under the same number and with the same fields, a refund the provider never received", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    platform.refundAnswer = "network";
    expect(await refund({ out_trade_no: "T1", refund_fee: 40, other: { funds_account: "AVAILABLE" } }, deps)).toMatchObject({ code: 3002 });
    expect(await findRefund("T1-1", db)).toMatchObject({ status: "PROCESSING" });
    platform.refundAnswer = "SUCCESS";
    clock += 2 * MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { refundsResent: 1 } });
    const sent = platform.calls.filter((call) => call.method === "refund").map((call) => call.request);
    expect(sent).toEqual([
      expect.objectContaining({ outRefundNo: "T1-1", refundFee: 40, other: { funds_account: "AVAILABLE" } }),
      expect.objectContaining({ outRefundNo: "T1-1", refundFee: 40, other: { funds_account: "AVAILABLE" } }),
    ]);
    expect(await findRefund("T1-1", db)).toMatchObject({ status: "SUCCESS", resent: 1 });
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 40 });
    // Settled: the next run neither asks nor sends again.
    await reconcile({}, deps);
    expect(platform.calls.filter((call) => call.method === "refund")).toHaveLength(2);
  });

  it("never sends a refund the provider started (a buyer's, agreed), even when the provider says it has no such refund", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    await reserveRefund(order._id, { outRefundNo: "BUYER-1", refundFee: 40, desc: "买家", operator: "buyer", force: true, providerInitiated: true }, clock, db);
    clock += 2 * MINUTE;
    await reconcile({}, deps);
    expect(platform.calls.filter((call) => call.method === "refund")).toEqual([]);
    expect(await findRefund("BUYER-1", db)).toMatchObject({ status: "PROCESSING", provider_initiated: true });
    expect(await findRefund("BUYER-1", db)).not.toHaveProperty("resent");
  });

  it("holds an ABNORMAL refund's money until the provider reports SUCCESS, then counts it", async () => {
    const order = await open("T1", clock - 10 * MINUTE);
    await markPaid(order, { paidAt: clock, notifyMode: 1 }, clock, db);
    platform.refundAnswer = "ABNORMAL";
    expect(await refund({ out_trade_no: "T1", refund_fee: 100 }, deps)).toMatchObject({ code: 0, data: { refund_status: "ABNORMAL" } });
    // Refunding the same money again while WeChat holds it would pay twice.
    expect(await refund({ out_trade_no: "T1", refund_fee: 1 }, deps)).toMatchObject({ code: 2008 });
    expect(await queryRefund({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { refunds: [expect.objectContaining({ status: "ABNORMAL" })] } });
    platform.refunds.set("T1-1", "SUCCESS");
    clock += 2 * MINUTE;
    expect(await reconcile({}, deps)).toMatchObject({ code: 0, data: { refunds: 1 } });
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 100 });
    expect(refundRuns).toBe(1);
  });
});
