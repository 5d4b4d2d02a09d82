import type { ApiDeps } from "../../common/vk-uni-pay/src/api/shared";
import { closeOrder } from "../../common/vk-uni-pay/src/api/close-order";
import { createPayment, type CreatePaymentParams } from "../../common/vk-uni-pay/src/api/create-payment";
import { queryPayment } from "../../common/vk-uni-pay/src/api/query-payment";
import { queryRefund } from "../../common/vk-uni-pay/src/api/query-refund";
import { refund } from "../../common/vk-uni-pay/src/api/refund";
import type { OrderTypeHooks } from "../../common/vk-uni-pay/src/core/hooks";
import { findOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { nested } from "../helpers/deep-objects";
import { makeDeps, memoryDatabase } from "../helpers/deps";
import { createTestpay, type TestpayPlatform } from "../helpers/testpay";

describe("the library's public calls", () => {
  let raw: ReturnType<typeof memoryDatabase>;
  let deps: ApiDeps;
  let platform: TestpayPlatform;
  let hookRuns: number;
  let config: Record<string, unknown>;
  const hooks: OrderTypeHooks = {
    async paid() {
      hookRuns += 1;
    },
  };
  const params = (data: Partial<CreatePaymentParams["data"]> = {}, extra: Partial<CreatePaymentParams> = {}): CreatePaymentParams => ({
    context: { PLATFORM: "h5", CLIENTIP: "10.0.0.1", SPACEINFO: { spaceId: "local" } },
    provider: "testpay",
    ...extra,
    data: { out_trade_no: "T1", total_fee: 100, subject: "充值", type: "recharge", user_id: "u1", custom: { a: 1 }, ...data },
  });

  beforeEach(() => {
    raw = memoryDatabase();
    const testpay = createTestpay();
    platform = testpay.platform;
    hookRuns = 0;
    config = { notifyUrl: { local: "http://127.0.0.1:8787/http/vk-pay" }, testpay: { h5: { key: "k", mchId: "M1", appId: "A1" }, "app-plus": { key: "k" } } };
    deps = makeDeps({ db: raw.db, config: () => config, providers: [testpay.provider], hooks: () => hooks });
  });
  afterEach(async () => {
    await raw.close();
  });

  describe("createPayment", () => {
    it("creates the order and returns what the client needs, with the notify URL of this space", async () => {
      const reply = await createPayment(params(), deps);
      expect(reply).toEqual({
        code: 0,
        msg: "success",
        data: {
          orderInfo: { prepay_id: "P-T1" },
          out_trade_no: "T1",
          provider: "testpay",
          pay_type: "testpay_h5",
          needQRcode: true,
          total_fee: 100,
          platform: "h5",
        },
      });
      expect(platform.calls[0]).toMatchObject({
        method: "createPayment",
        request: { notifyUrl: "http://127.0.0.1:8787/http/vk-pay/vk-pay-notify/testpay_h5/T1", clientIp: "10.0.0.1", totalFee: 100, subject: "充值" },
      });
      expect(await findOrder("T1", deps.db)).toMatchObject({
        status: "NOTPAY",
        user_id: "u1",
        mch_id: "M1",
        provider_appid: "A1",
        custom: { a: 1 },
        notify_path: "/vk-pay-notify/testpay_h5/T1",
      });
    });

    it.each([
      [{ out_trade_no: "" }, 1001],
      [{ out_trade_no: { $gt: "" } as never }, 1001],
      [{ out_trade_no: "has space" }, 1001],
      [{ total_fee: 0 }, 1003],
      [{ total_fee: 1.5 }, 1003],
      [{ total_fee: "100" as never }, 1003],
      [{ subject: "" }, 1004],
      [{ type: "" }, 1002],
      [{ type: "../x" }, 1002],
      [{ custom: "x" as never }, -1],
      [{ time_expire: 5 }, -1],
      [{ custom: nested(100_000) }, -1],
      [{ other: nested(40) }, -1],
      [{ custom: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])) }, -1],
    ])("refuses %o with code %i and creates nothing", async (change, code) => {
      expect(await createPayment(params(change), deps)).toMatchObject({ code });
      expect((await deps.db.collection("vk-pay-orders").count()).total).toBe(0);
      expect(platform.calls).toHaveLength(0);
    });

    it("adds a data-URL PNG of the payment link when asked for an image", async () => {
      const reply = await createPayment(params({}, { needQRcode: "image" }), deps);
      expect(reply).toMatchObject({ code: 0, data: { needQRcode: true, qrcodeImage: expect.stringMatching(/^data:image\/png;base64,/) } });
      const png = Buffer.from((reply as { data: { qrcodeImage: string } }).data.qrcodeImage.split(",")[1]!, "base64");
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(((await createPayment(params({ out_trade_no: "T2" }, { needQRcode: true }), deps)) as { data: object }).data).not.toHaveProperty("qrcodeImage");
    });

    it("refuses a space without a notify URL (101), an unknown provider (1005), a user outside the whitelist", async () => {
      expect(await createPayment(params({}, { context: { PLATFORM: "h5", SPACEINFO: { spaceId: "prod" } } }), deps)).toMatchObject({ code: 101 });
      for (const provider of ["paypal", "constructor", "__proto__"]) expect(await createPayment(params({}, { provider }), deps)).toMatchObject({ code: 1005 });
      // The test provider declares no mp-weixin mode: it is asked, and refuses it.
      expect(await createPayment(params({}, { context: { PLATFORM: "mp-weixin", SPACEINFO: { spaceId: "test" } } }), deps)).toMatchObject({ code: 1020 });
      config.userWhitelist = ["tester"];
      expect(await createPayment(params(), deps)).toMatchObject({ code: 1021 });
      expect(platform.calls).toHaveLength(0);
    });

    it("refuses another user's unpaid order number", async () => {
      await createPayment(params(), deps);
      expect(await createPayment(params({ user_id: "intruder" }), deps)).toMatchObject({ code: 2006 });
      expect(await createPayment(params({ total_fee: 1 }), deps)).toMatchObject({ code: 2006 });
      expect(await createPayment(params(), deps)).toMatchObject({ code: 0 });
    });

    it("applies a pay-code payment answered at once, through the exactly-once path and the hook", async () => {
      platform.codepayState = "SUCCESS";
      config.testpay = { ...(config.testpay as object), codepay: { key: "k" } };
      const reply = await createPayment(params({ auth_code: "134567890123456789" }), deps);
      expect(reply).toMatchObject({ code: 0, data: { pay_type: "testpay_codepay" } });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "SUCCESS", notify_mode: 0, transaction_id: "TX-T1", user_order_success: true });
      expect(hookRuns).toBe(1);
    });
  });

  describe("queryPayment", () => {
    it("answers 2001 for an unknown order", async () => {
      expect(await queryPayment({ out_trade_no: "NOPE" }, deps)).toMatchObject({ code: 2001 });
    });

    it("bounds await_notify by the injected clock: a hook that is not run here ends the wait, it does not spin", async () => {
      const outside = { ...deps, hooks: undefined };
      platform.codepayState = "SUCCESS";
      config.testpay = { ...(config.testpay as object), codepay: { key: "k" } };
      expect(await createPayment(params({ auth_code: "134567890123456789" }), outside)).toMatchObject({ code: 0 });
      const before = outside.now();
      const reply = await queryPayment({ out_trade_no: "T1", await_notify: true, await_max_time: 5 }, outside);
      expect(reply).toMatchObject({ code: 0, data: { orderPaid: true } });
      expect("data" in reply && reply.data.user_order_success).toBeFalsy();
      // The wait is measured on the injected clock: five seconds of it, not however many polls real time allows.
      const waited = outside.now() - before;
      expect(waited).toBeGreaterThanOrEqual(5000);
      expect(waited).toBeLessThan(6000);
    });

    it("answers another user's order as not found when the caller names its user", async () => {
      await createPayment(params(), deps);
      expect(await queryPayment({ out_trade_no: "T1", user_id: "u2" }, deps)).toMatchObject({ code: 2001 });
      expect(await queryPayment({ out_trade_no: "T1", user_id: "u1" }, deps)).toMatchObject({ code: 0 });
    });

    it("applies a payment the provider reports when no notification came, once", async () => {
      await createPayment(params(), deps);
      expect(await queryPayment({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { trade_state: "NOTPAY", orderPaid: false } });
      platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "TX9" });
      const [first, second] = await Promise.all([queryPayment({ out_trade_no: "T1", await_notify: true }, deps), queryPayment({ out_trade_no: "T1" }, deps)]);
      expect(first).toMatchObject({
        code: 0,
        data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true, transaction_id: "TX9", time_end: "19700101080005" },
      });
      expect(second).toMatchObject({ code: 0, data: { orderPaid: true } });
      expect(hookRuns).toBe(1);
      expect(await findOrder("T1", deps.db)).toMatchObject({ notify_mode: 0 });
    });

    it("never applies a reported payment whose amount differs", async () => {
      await createPayment(params(), deps);
      platform.payments.set("T1", { state: "SUCCESS", totalFee: 1 });
      expect(await queryPayment({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { trade_state: "NOTPAY" } });
      expect(hookRuns).toBe(0);
    });
  });

  describe("closeOrder", () => {
    it("closes at the provider, then the order; a paid order is refused", async () => {
      await createPayment(params(), deps);
      expect(await closeOrder({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "CLOSED" });
      await createPayment(params({ out_trade_no: "T2" }), deps);
      platform.payments.set("T2", { state: "SUCCESS", totalFee: 100 });
      await queryPayment({ out_trade_no: "T2" }, deps);
      expect(await closeOrder({ out_trade_no: "T2" }, deps)).toMatchObject({ code: 2005 });
    });

    it("a close the provider refuses because the buyer just paid (ORDERPAID) applies that payment, once, and answers 2005", async () => {
      await createPayment(params(), deps);
      platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "TX-PAID" });
      expect(await closeOrder({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 2005 });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "SUCCESS", transaction_id: "TX-PAID", user_order_success: true });
      expect(hookRuns).toBe(1);
    });

    it("a close the provider answers as done for an order it has paid (v3's blind 204) is not believed: the query finds the payment", async () => {
      await createPayment(params(), deps);
      platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "TX-PAID" });
      platform.blindClose = true;
      expect(await closeOrder({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 2005 });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "SUCCESS" });
      expect(hookRuns).toBe(1);
    });
  });

  describe("refund", () => {
    beforeEach(async () => {
      await createPayment(params(), deps);
      platform.payments.set("T1", { state: "SUCCESS", totalFee: 100, transactionId: "TX1" });
      await queryPayment({ out_trade_no: "T1" }, deps);
    });

    it("reserves, asks the provider, and settles when it answers SUCCESS", async () => {
      platform.refundAnswer = "SUCCESS";
      expect(await refund({ out_trade_no: "T1", refund_fee: 30, refund_desc: "部分退款" }, deps)).toEqual({
        code: 0,
        msg: "success",
        data: { out_trade_no: "T1", out_refund_no: "T1-1", refund_id: "RF-T1-1", refund_fee: 30, refund_status: "SUCCESS", total_refund_fee: 30 },
      });
      expect(await findOrder("T1", deps.db)).toMatchObject({ status: "REFUND", refund_fee: 30 });
      expect(await refund({ out_trade_no: "T1" }, deps)).toMatchObject({ code: 0, data: { out_refund_no: "T1-2", refund_fee: 70, total_refund_fee: 100 } });
      expect(await refund({ out_trade_no: "T1", refund_fee: 1 }, deps)).toMatchObject({ code: 2008 });
    });

    it("passes refund({ other }) to the provider's refund request, and refuses an other that is not an object", async () => {
      await refund({ out_trade_no: "T1", out_refund_no: "R1", refund_fee: 10, other: { funds_account: "AVAILABLE" } }, deps);
      expect(platform.calls.find((call) => call.method === "refund")).toMatchObject({ request: { outRefundNo: "R1", other: { funds_account: "AVAILABLE" } } });
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R2", refund_fee: 10, other: "x" as never }, deps)).toMatchObject({
        code: -1,
        errCode: "vk-pay-other-invalid",
      });
    });

    it("keeps a processing refund reserved until queryRefund settles it", async () => {
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R1", refund_fee: 100 }, deps)).toMatchObject({
        code: 0,
        data: { refund_status: "PROCESSING", total_refund_fee: 0 },
      });
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R2", refund_fee: 1 }, deps)).toMatchObject({ code: 2008 });
      platform.refunds.set("R1", "SUCCESS");
      expect(await queryRefund({ out_trade_no: "T1" }, deps)).toMatchObject({
        code: 0,
        data: { refund_fee: 100, refunds: [{ out_refund_no: "R1", status: "SUCCESS" }] },
      });
    });

    it("releases the reservation when the provider refuses, and keeps it on a network failure", async () => {
      platform.refundAnswer = "reject";
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R1", refund_fee: 100 }, deps)).toMatchObject({
        code: 3001,
        errCode: "vk-pay-provider-rejected",
      });
      expect(await findRefund("R1", deps.db)).toMatchObject({ status: "CLOSED" });
      platform.refundAnswer = "network";
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R2", refund_fee: 100 }, deps)).toMatchObject({ code: 3002 });
      expect(await findRefund("R2", deps.db)).toMatchObject({ status: "PROCESSING" });
      expect(await findOrder("T1", deps.db)).toMatchObject({ refund_reserved: 100 });
    });

    it("releases the reservation when the provider cannot build the request (an other it cannot carry)", async () => {
      platform.refundAnswer = "invalid";
      expect(await refund({ out_trade_no: "T1", out_refund_no: "R1", refund_fee: 100, other: { x: {} } }, deps)).toMatchObject({
        code: -1,
        errCode: "vk-pay-other-invalid",
      });
      expect(await findRefund("R1", deps.db)).toMatchObject({ status: "CLOSED" });
      expect(await findOrder("T1", deps.db)).toMatchObject({ refund_reserved: 0 });
    });

    it("refuses a refund of an unpaid or unknown order, and a mismatched total_fee", async () => {
      await createPayment(params({ out_trade_no: "T3" }), deps);
      expect(await refund({ out_trade_no: "T3" }, deps)).toMatchObject({ code: 2002 });
      expect(await refund({ out_trade_no: "NOPE" }, deps)).toMatchObject({ code: 2001 });
      expect(await refund({ out_trade_no: "T1", total_fee: 99 }, deps)).toMatchObject({ code: 1003 });
      expect(await queryRefund({ out_trade_no: "T3" }, deps)).toMatchObject({ code: 2003 });
    });
  });
});
