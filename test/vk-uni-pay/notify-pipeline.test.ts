import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import type { OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findOrder, markClosed, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund, reserveRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { processNotification, type PipelineDeps } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createTestpay, signTestpay, TESTPAY_KEY } from "../helpers/testpay";
import { memoryDatabase } from "../helpers/deps";

const KEY = TESTPAY_KEY;
const sign = signTestpay;
const testpay = createTestpay().provider;

describe("the notification pipeline", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let db: Database;
  let credits: number;
  let failNext: boolean;
  const hooks: OrderTypeHooks = {
    async paid({ order, db: transaction }) {
      await transaction.collection("uni-id-users").doc(order.user_id!).update({ balance: order.total_fee });
      if (failNext) {
        failNext = false;
        // After a write: the failure must take that write back with it.
        throw new Error("hook down");
      }
      credits += 1;
    },
  };
  const deps = (): PipelineDeps => ({
    db,
    now: () => 10_000,
    log: () => undefined,
    findProvider: (name) => (name === "testpay" ? testpay : undefined),
    providerNames: () => ["testpay"],
    config: () => validatePayConfig({ testpay: { h5: { key: KEY, mchId: "M1" } } }),
    runtime: { now: () => 10_000, request: () => Promise.reject(new Error("no network")) },
    hooks: () => hooks,
  });
  const payment = (overrides: Record<string, unknown> = {}) => ({
    kind: "payment",
    state: "SUCCESS",
    outTradeNo: "T1",
    transactionId: "X1",
    totalFee: 100,
    mchId: "M1",
    paidAt: 9000,
    raw: {},
    ...overrides,
  });
  const deliver = (message: unknown, options: { signature?: string; path?: string; tamper?: (body: string) => string; base64?: boolean } = {}) => {
    const body = JSON.stringify(message);
    const sent = options.tamper ? options.tamper(body) : body;
    return processNotification(
      {
        path: options.path ?? "/vk-pay-notify/testpay_h5/T1",
        httpMethod: "POST",
        headers: { "X-Signature": options.signature ?? sign(body), "content-type": "application/json" },
        body: options.base64 ? Buffer.from(sent).toString("base64") : sent,
        isBase64Encoded: options.base64 === true,
      },
      "/vk-pay-notify/",
      deps(),
    );
  };
  const log = async () => (await db.collection("vk-pay-notify-log").orderBy("create_date", "asc").limit(1000).get()).data as Array<Record<string, unknown>>;

  beforeEach(async () => {
    raw = memoryDatabase();
    db = raw.db;
    credits = 0;
    failNext = false;
    await db.collection("uni-id-users").add({ _id: "u1", balance: 0 });
    await openOrder(
      {
        out_trade_no: "T1",
        type: "recharge",
        provider: "testpay",
        pay_type: "testpay_h5",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        mch_id: "M1",
        notify_url: "http://x",
        notify_path: "/vk-pay-notify/testpay_h5/T1",
      },
      1000,
      db,
    );
  });
  afterEach(() => raw.close());

  it("applies a verified payment, runs the hook, acknowledges, and logs it", async () => {
    const reply = await deliver(payment(), { base64: true });
    expect(reply.statusCode).toBe(200);
    expect(await findOrder("T1", db)).toMatchObject({
      status: "SUCCESS",
      transaction_id: "X1",
      pay_date: 9000,
      notify_mode: 1,
      user_order_success: true,
      original_data: { path: "/vk-pay-notify/testpay_h5/T1" },
    });
    expect(credits).toBe(1);
    expect(await log()).toEqual([
      expect.objectContaining({ outcome: "applied", hook: "done", kind: "payment", out_trade_no: "T1", provider: "testpay", pay_type: "testpay_h5" }),
    ]);
  });

  it("keeps the raw body once: in the log row the order's original_data names", async () => {
    await deliver(payment());
    const order = (await findOrder("T1", db)) as unknown as { original_data: Record<string, unknown> };
    const [entry] = await log();
    expect(order.original_data).toEqual({ path: "/vk-pay-notify/testpay_h5/T1", method: "POST", notify_log_id: entry!._id });
    expect(entry).toMatchObject({ path: "/vk-pay-notify/testpay_h5/T1", method: "POST", body_base64: false });
    expect(typeof entry!.body).toBe("string");
  });

  it("applies 50 concurrent duplicates once", async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => deliver(payment())));
    expect(replies.every((r) => r.statusCode === 200)).toBe(true);
    expect(credits).toBe(1);
    const outcomes = (await log()).map((entry) => entry.outcome);
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(49);
  });

  it.each([
    ["a forged signature", { signature: sign("{}", "another-key") }],
    ["one changed byte", { tamper: (body: string) => body.replace('"totalFee":100', '"totalFee":101') }],
  ])("refuses %s without touching the order", async (_label, options) => {
    const reply = await deliver(payment(), options);
    expect(reply.statusCode).toBe(400);
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    expect(credits).toBe(0);
    expect(await log()).toEqual([expect.objectContaining({ outcome: "refused", reason: expect.stringContaining("signature-invalid") })]);
  });

  it.each([
    ["an amount off by one fen", { totalFee: 99 }, /amount 99/],
    ["another merchant", { mchId: "M2" }, /merchant M2/],
    ["an unknown order", { outTradeNo: "NOPE" }, /unknown out_trade_no/],
  ])("records and refuses a verified notification for %s", async (_label, change, reason) => {
    const reply = await deliver(payment(change));
    expect(reply.statusCode).toBe(400);
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    expect((await log())[0]).toMatchObject({ outcome: "refused", reason: expect.stringMatching(reason) });
  });

  it("answers a failed hook as a failure, so the redelivery retries it", async () => {
    failNext = true;
    expect((await deliver(payment())).statusCode).toBe(400);
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", user_order_success: false, hook_attempts: 1, hook_error: "Error: hook down" });
    expect((await db.collection("uni-id-users").doc("u1").get()).data).toEqual([{ _id: "u1", balance: 0 }]);
    expect(await log()).toEqual([expect.objectContaining({ outcome: "applied", hook: "failed" })]);
    expect((await deliver(payment())).statusCode).toBe(200);
    expect((await log())[1]).toMatchObject({ outcome: "duplicate", hook: "done" });
    expect((await db.collection("uni-id-users").doc("u1").get()).data).toEqual([{ _id: "u1", balance: 100 }]);
    expect(await findOrder("T1", db)).toMatchObject({ user_order_success: true, hook_attempts: 2 });
    expect(credits).toBe(1);
  });

  it("applies a payment for an order closed only here (expired before the buyer paid), with the reason", async () => {
    await markClosed((await findOrder("T1", db))!._id, 2000, db);
    expect((await deliver(payment())).statusCode).toBe(200);
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    expect(credits).toBe(1);
    expect(await log()).toEqual([expect.objectContaining({ outcome: "applied", reason: "paid after it was closed here" })]);
  });

  it("answers 404 for an unknown provider or a malformed path, before reading the body", async () => {
    expect((await deliver(payment(), { path: "/vk-pay-notify/paypal_h5/T1" })).statusCode).toBe(404);
    expect((await deliver(payment(), { path: "/vk-pay-notify/../x" })).statusCode).toBe(404);
    expect(await log()).toEqual([]);
  });

  it("settles a refund from its notification, once, and refuses a mismatched amount", async () => {
    const order = (await findOrder("T1", db))!;
    await markPaid(order, { paidAt: 1, notifyMode: 1 }, 1, db);
    await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 40, desc: "退" }, 2, db);
    const refund = (overrides: Record<string, unknown> = {}) => ({
      kind: "refund",
      state: "SUCCESS",
      outTradeNo: "T1",
      outRefundNo: "R1",
      refundFee: 40,
      settledAt: 5000,
      raw: {},
      ...overrides,
    });
    expect((await deliver(refund({ refundFee: 41 }))).statusCode).toBe(400);
    expect(await findRefund("R1", db)).toMatchObject({ status: "PROCESSING" });
    expect((await deliver(refund())).statusCode).toBe(200);
    expect((await deliver(refund())).statusCode).toBe(200);
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 40 });
    expect((await log()).map((entry) => entry.outcome)).toEqual(["refused", "applied", "duplicate"]);
  });

  it("adopts a successful refund made at the provider without us, within the ceiling, once", async () => {
    const order = (await findOrder("T1", db))!;
    await markPaid(order, { paidAt: 1, notifyMode: 1 }, 1, db);
    await reserveRefund(order._id, { outRefundNo: "OURS", refundFee: 70, desc: "退" }, 2, db);
    const refund = (overrides: Record<string, unknown> = {}) => ({
      kind: "refund",
      state: "SUCCESS",
      outTradeNo: "T1",
      outRefundNo: "AT-PLATFORM",
      refundFee: 30,
      settledAt: 6000,
      raw: {},
      ...overrides,
    });
    // Still processing or failed at the provider: nothing to adopt, and nothing to retry either.
    expect((await deliver(refund({ state: "ABNORMAL" }))).statusCode).toBe(200);
    expect(await findRefund("AT-PLATFORM", db)).toBeUndefined();
    // Over what is left of the order (70 already reserved + 31 > 100): refused and recorded.
    expect((await deliver(refund({ refundFee: 31 }))).statusCode).toBe(400);
    expect((await deliver(refund())).statusCode).toBe(200);
    expect((await deliver(refund())).statusCode).toBe(200);
    expect(await findRefund("AT-PLATFORM", db)).toMatchObject({ status: "SUCCESS", refund_fee: 30, operator: "provider", force: true });
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 30, refund_reserved: 100, refund_num: 2 });
    expect((await log()).map((entry) => [entry.outcome, entry.reason ?? ""])).toEqual([
      ["ignored", "unknown refund in state ABNORMAL"],
      ["refused", expect.stringContaining("cannot be adopted")],
      ["applied", ""],
      ["duplicate", ""],
    ]);
  });
});
