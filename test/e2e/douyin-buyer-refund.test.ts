import { startDouyinSpace, type DouyinSpace } from "./helpers/douyin";

/**
 * A buyer's refund request in 通用交易系统 (issue 16): once the merchant agrees through `douyin.auditRefund`,
 * the refund is in the same ledger as a merchant's own (the refund record, the order's refund_fee, the
 * `refunded` hook), exactly once, whether its `refund` callback or a query brings the result, and however
 * often either comes. Through the emulator and the Douyin sandbox over real HTTP.
 */
describe("douyin: a buyer's refund the merchant agreed to, in the refund ledger", () => {
  let s: DouyinSpace;
  beforeAll(async () => {
    s = await startDouyinSpace({ version: 2 });
  }, 60_000);
  afterAll(() => s?.close());

  const shop = (action: string, params: Record<string, unknown>) => s.call("shop", { action, params }, "web");
  const refunds = async (outTradeNo: string) =>
    (await s.db.collection("vk-pay-refunds").where({ out_trade_no: outTradeNo }).get()).data as Array<Record<string, any>>;
  const ledger = async (outTradeNo: string) =>
    ((await s.db.collection("vk-pay-balance-log").where({ out_trade_no: outTradeNo }).get()).data as Array<{ amount: number }>).map((row) => row.amount);

  const paidOrder = async (totalFee: number) => {
    const reply = await s.client("pay/createPayment", { provider: "douyin", type: "recharge", total_fee: totalFee });
    expect(reply).toMatchObject({ code: 0 });
    const { out_trade_no, orderInfo } = reply.data as { out_trade_no: string; orderInfo: Record<string, unknown> };
    expect(await s.control("request-order", orderInfo)).toMatchObject({ ok: true });
    expect(await s.control("pay", { out_trade_no })).toMatchObject({ ok: true });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "SUCCESS" });
    return out_trade_no;
  };

  /** The buyer asks in Douyin for `amount`; the merchant agrees. Answers Douyin's number for the refund. */
  const agreedBuyerRefund = async (outTradeNo: string, amount: number) => {
    const asked = await s.control("buyer-refund", { out_trade_no: outTradeNo, amount });
    expect(asked).toMatchObject({ ok: true });
    expect(await shop("auditRefund", { out_trade_no: outTradeNo, refund_id: asked.refund_id, agree: true })).toMatchObject({ code: 0, data: { agree: true } });
    const atDouyin = s.douyin.state.refunds().find((entry) => entry.refund_id === asked.refund_id)!;
    return { outRefundNo: atDouyin.out_refund_no, refundId: asked.refund_id as string };
  };

  it("the agreed refund is reserved at once, settled by its refund callback once, and counts against the order like a merchant refund", async () => {
    const start = await s.balance();
    const outTradeNo = await paidOrder(1000);
    const { outRefundNo, refundId } = await agreedBuyerRefund(outTradeNo, 300);

    // In the ledger before Douyin has paid it out: the amount is held against the order's ceiling.
    expect(await refunds(outTradeNo)).toEqual([
      expect.objectContaining({ out_refund_no: outRefundNo, refund_id: refundId, refund_fee: 300, status: "PROCESSING", provider_initiated: true }),
    ]);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_reserved: 300 });
    expect((await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 800 })).code).toBe(2008);
    // Douyin answers a review once; asking again adds nothing to the ledger.
    expect((await shop("auditRefund", { out_trade_no: outTradeNo, refund_id: refundId, agree: true })).code).not.toBe(0);
    expect(await refunds(outTradeNo)).toHaveLength(1);

    expect(await s.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" })).toMatchObject({ ok: true, notification: { status: "queued" } });
    expect(await s.order(outTradeNo)).toMatchObject({
      status: "REFUND",
      refund_fee: 300,
      refund_list: [expect.objectContaining({ out_refund_no: outRefundNo })],
    });
    expect(await refunds(outTradeNo)).toEqual([expect.objectContaining({ out_refund_no: outRefundNo, status: "SUCCESS" })]);
    expect(await ledger(outTradeNo)).toEqual([1000, -300]);
    expect(await s.balance()).toBe(start + 700);

    // The callback again, and a query: neither doubles it.
    expect(await s.control("redeliver", { out_refund_no: outRefundNo })).toMatchObject({ ok: true });
    expect(await s.asAdmin("admin/queryRefund", { out_trade_no: outTradeNo, out_refund_no: outRefundNo })).toMatchObject({ code: 0 });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 300 });
    expect(await ledger(outTradeNo)).toEqual([1000, -300]);
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "ignored", "applied", "duplicate"]);

    // The merchant's own refund of the rest shares the ceiling: 700 is all that is left.
    const rest = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo });
    expect(rest).toMatchObject({ code: 0, data: { refund_fee: 700 } });
    await s.control("refund-result", { out_refund_no: rest.data.out_refund_no, status: "SUCCESS" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1000 });
    expect(await ledger(outTradeNo)).toEqual([1000, -300, -700]);
    expect(await s.balance()).toBe(start);
  });

  it("a refund whose callback was lost is settled by a query once, and the late callback is a duplicate", async () => {
    const outTradeNo = await paidOrder(600);
    const { outRefundNo } = await agreedBuyerRefund(outTradeNo, 600);
    await s.control("drop", { count: 1 });
    await s.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });

    expect(await s.asAdmin("admin/queryRefund", { out_trade_no: outTradeNo, out_refund_no: outRefundNo })).toMatchObject({
      code: 0,
      data: { refunds: [expect.objectContaining({ out_refund_no: outRefundNo, status: "SUCCESS" })] },
    });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 600 });
    expect(await ledger(outTradeNo)).toEqual([600, -600]);
    await s.control("redeliver", { out_refund_no: outRefundNo });
    expect(await ledger(outTradeNo)).toEqual([600, -600]);
    // The payment, the buyer's request, and the late refund callback, which found the refund settled.
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "ignored", "duplicate"]);
  });

  it("a refused request never reaches the ledger", async () => {
    const outTradeNo = await paidOrder(400);
    const asked = await s.control("buyer-refund", { out_trade_no: outTradeNo, amount: 400 });
    expect(await shop("auditRefund", { out_trade_no: outTradeNo, refund_id: asked.refund_id, agree: false, deny_message: "已发货" })).toMatchObject({
      code: 0,
    });
    expect(await refunds(outTradeNo)).toEqual([]);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
  });
});
