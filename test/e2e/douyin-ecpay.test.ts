import { ecpayCallback, startDouyinSpace, type DouyinSpace } from "./helpers/douyin";

/** 担保支付 (ecpay v1, `version: 1`) end to end through the emulator and the sandbox. */
describe("douyin 担保支付 through the emulator and the sandbox", () => {
  let s: DouyinSpace;
  beforeAll(async () => {
    s = await startDouyinSpace({ version: 1 });
  }, 60_000);
  afterAll(() => s?.close());

  const create = async (totalFee: number) => {
    const reply = await s.client("pay/createPayment", { provider: "douyin", type: "recharge", total_fee: totalFee });
    expect(reply).toMatchObject({
      code: 0,
      data: { pay_type: "douyin_mp-toutiao", orderInfo: { order_id: expect.any(String), order_token: expect.any(String) } },
    });
    return reply.data as { out_trade_no: string };
  };

  it("create_order answers the orderInfo for uni.requestPayment({ service: 5 }); paid by WeChat inside the cashier, recorded once with its reply", async () => {
    const start = await s.balance();
    const { out_trade_no } = await create(990);
    expect(await s.client("pay/queryPayment", { out_trade_no })).toMatchObject({ code: 0, data: { trade_state: "NOTPAY" } });
    await s.control("pay", { out_trade_no, pay_channel: 1 });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "SUCCESS", provider_pay_method: "wxpay", notify_mode: 1, user_order_success: true });
    expect(await s.balance()).toBe(start + 990);
    const redelivered = await s.control("redeliver", { out_trade_no });
    expect(redelivered).toMatchObject({ ok: true });
    expect(await s.outcomes(out_trade_no)).toEqual(["applied", "duplicate"]);
  });

  it("a callback signed with another token is refused and changes nothing", async () => {
    const { out_trade_no } = await create(500);
    const order = await s.order(out_trade_no);
    const forged = ecpayCallback(
      "payment",
      { appid: s.keys.appId, cp_orderno: out_trade_no, total_amount: 500, status: "SUCCESS", seller_uid: s.keys.mchId, way: "1" },
      "guessed",
    );
    const reply = await fetch(order.notify_url, { method: "POST", headers: forged.headers, body: forged.body });
    expect(reply.status).toBe(400);
    expect(await s.order(out_trade_no)).toMatchObject({ status: "NOTPAY" });
  });

  it("refunds with create_refund; the refund callback settles the ledger", async () => {
    const { out_trade_no } = await create(1200);
    await s.control("pay", { out_trade_no, pay_channel: 10 });
    expect(await s.order(out_trade_no)).toMatchObject({ provider_pay_method: "douyin" });
    const refund = await s.asAdmin("admin/refund", { out_trade_no, refund_fee: 200, refund_desc: "部分退款" });
    expect(refund).toMatchObject({ code: 0 });
    await s.control("refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    expect((await s.db.collection("vk-pay-refunds").where({ out_refund_no: refund.data.out_refund_no }).get()).data[0]).toMatchObject({ status: "SUCCESS" });
    expect(await s.asAdmin("admin/queryRefund", { out_trade_no, out_refund_no: refund.data.out_refund_no })).toMatchObject({
      code: 0,
      data: { refunds: [{ out_refund_no: refund.data.out_refund_no, status: "SUCCESS" }] },
    });
    // REFUND means some amount was refunded (the seed's states); refund_fee says how much.
    expect(await s.order(out_trade_no)).toMatchObject({ status: "REFUND", refund_fee: 200 });
  });
});
