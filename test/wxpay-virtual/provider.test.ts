import { queryPayment } from "../../common/vk-uni-pay/src/api/query-payment";
import { refund } from "../../common/vk-uni-pay/src/api/refund";
import { OPENID, SESSION_KEY, startXpaySession } from "./sandbox-session";
import { createHmac } from "node:crypto";

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");

describe("wxpay-virtual against the xpay sandbox (real HTTP)", () => {
  let s: Awaited<ReturnType<typeof startXpaySession>>;
  beforeAll(async () => {
    s = await startXpaySession();
  }, 30_000);
  afterAll(() => s?.close());

  it("prices a coin top-up from coins and rate, never from the client, and signs signData for requestVirtualPayment", async () => {
    // A caller's amount that disagrees with coins at rate is refused, and leaves no order behind.
    expect(await s.create("XPCOIN000000000001", { mode: "short_series_coin", buy_quantity: 500 }, { total_fee: 1 })).toMatchObject({
      code: 1003,
      errCode: "vk-pay-total-fee-mismatch",
    });
    expect(await s.order("XPCOIN000000000001")).toBeUndefined();
    const created = await s.create("XPCOIN000000000001", { mode: "short_series_coin", buy_quantity: 500 }, { total_fee: 500, subject: "充值" });
    expect(created).toMatchObject({ code: 0, data: { total_fee: 500, pay_type: "wxpay-virtual_mp-weixin", provider: "wxpay-virtual" } });
    const info = created.data!.orderInfo as Record<string, string>;
    const signData = JSON.parse(info.signData!);
    expect(Object.keys(signData)).toEqual(["offerId", "buyQuantity", "env", "currencyType", "outTradeNo", "attach"]);
    expect(signData).toMatchObject({ offerId: s.keys.offerId, buyQuantity: 500, env: 0, currencyType: "CNY", outTradeNo: "XPCOIN000000000001" });
    expect(signData).not.toHaveProperty("platform");
    expect(info.paySig).toBe(hmac(s.keys.appKey, `requestVirtualPayment&${info.signData}`));
    expect(info.signature).toBe(hmac(SESSION_KEY, info.signData!));
    // The session key never leaves the server.
    expect(JSON.stringify(created)).not.toContain(SESSION_KEY);
    expect(await s.order("XPCOIN000000000001")).toMatchObject({ total_fee: 500, provider_fields: { mode: "short_series_coin", buy_quantity: 500, env: 0 } });
  });

  it("pays an item purchase through the sandbox, is notified in safe mode once, and answers `success`", async () => {
    const created = await s.create("XPGOODS00000000001", { mode: "short_series_goods", product_id: "drama-season", buy_quantity: 2 });
    expect(created).toMatchObject({ code: 0, data: { total_fee: 3980 } });
    const info = created.data!.orderInfo as Record<string, unknown>;
    expect(JSON.parse(info.signData as string)).toMatchObject({ productId: "drama-season", goodsPrice: 1990, buyQuantity: 2 });
    expect(await s.requestPayment(info)).toMatchObject({ json: { ok: true, order_fee: 3980 } });
    expect(await queryPayment({ out_trade_no: "XPGOODS00000000001" }, s.deps)).toMatchObject({ code: 0, data: { trade_state: "NOTPAY" } });
    expect(await s.pay("XPGOODS00000000001")).toMatchObject({ json: { ok: true, notification: "queued" } });
    expect(s.pushes.at(-1)).toMatchObject({ status: 200, reply: "success" });
    expect(s.pushes.at(-1)!.url).toContain("encrypt_type=aes");
    expect(await s.order("XPGOODS00000000001")).toMatchObject({ status: "SUCCESS", notify_mode: 1 });
    // The same push again changes nothing.
    const before = await s.order("XPGOODS00000000001");
    expect(await s.mounted.control("redeliver", { out_trade_no: "XPGOODS00000000001" })).toMatchObject({ json: { ok: true } });
    await s.mounted.sandbox.idle();
    expect(s.pushes.at(-1)).toMatchObject({ reply: "success" });
    expect(await s.order("XPGOODS00000000001")).toEqual(before);
    const log = (await s.deps.db.collection("vk-pay-notify-log").where({ out_trade_no: "XPGOODS00000000001" }).get()).data.map((row) => row.outcome);
    expect(log).toEqual(["applied", "duplicate"]);
  });

  it("refuses an unknown item, a price other than the back office's, and a bad out_trade_no, before any order", async () => {
    expect(await s.create("XPGOODS00000000002", { mode: "short_series_goods", product_id: "nope", buy_quantity: 1 })).toMatchObject({
      code: -1,
      errCode: "vk-pay-wxpay-virtual-product-unknown",
    });
    expect(await s.create("XPGOODS00000000003", { mode: "short_series_goods", product_id: "drama-episode", buy_quantity: 1, goods_price: 1 })).toMatchObject({
      errCode: "vk-pay-wxpay-virtual-price-mismatch",
    });
    expect(await s.create("XPCOIN7", { mode: "short_series_coin", buy_quantity: 100 })).toMatchObject({ code: 1001 });
    expect(await s.create("XPCOIN000000000009", { mode: "other", buy_quantity: 100 })).toMatchObject({ errCode: "vk-pay-wxpay-virtual-mode-invalid" });
    expect(await s.order("XPGOODS00000000002")).toBeUndefined();
  });

  it("queries a paid order by query_order (env 0 answered as env_type 1) and applies it when the push was lost", async () => {
    const created = await s.create("XPCOIN000000000002", { mode: "short_series_coin", buy_quantity: 300 });
    await s.requestPayment(created.data!.orderInfo as Record<string, unknown>);
    await s.mounted.control("drop", { count: 1 });
    await s.pay("XPCOIN000000000002");
    expect(await s.order("XPCOIN000000000002")).toMatchObject({ status: "NOTPAY" });
    expect(await queryPayment({ out_trade_no: "XPCOIN000000000002" }, s.deps)).toMatchObject({ code: 0, data: { trade_state: "SUCCESS", orderPaid: true } });
    expect(await s.order("XPCOIN000000000002")).toMatchObject({ status: "SUCCESS", notify_mode: 0 });
    expect(s.mounted.sandbox.state.wallet(0, OPENID).balance).toBeGreaterThanOrEqual(300);
  });

  it("refunds with refund_order, reading left_fee first, and settles by xpay_refund_notify matched by MchOrderId and MchRefundId", async () => {
    const refunded: any = await refund({ out_trade_no: "XPGOODS00000000001", refund_fee: 1990, refund_desc: "退一集" }, s.deps);
    expect(refunded).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 1990 } });
    const outRefundNo = refunded.data!.out_refund_no as string;
    expect(s.mounted.sandbox.state.refund(outRefundNo)).toMatchObject({ order_id: "XPGOODS00000000001", refund_fee: 1990, status: 5 });
    expect(await s.mounted.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" })).toMatchObject({ json: { ok: true, status: 8 } });
    await s.mounted.sandbox.idle();
    expect(s.pushes.at(-1)).toMatchObject({ reply: "success" });
    expect((await s.deps.db.collection("vk-pay-refunds").where({ out_refund_no: outRefundNo }).get()).data[0]).toMatchObject({ status: "SUCCESS" });
    expect(await s.order("XPGOODS00000000001")).toMatchObject({ refund_fee: 1990 });
    // The second part: left_fee is what WeChat says remains.
    const rest = await refund({ out_trade_no: "XPGOODS00000000001" }, s.deps);
    expect(rest).toMatchObject({ code: 0, data: { refund_fee: 1990 } });
    expect(s.mounted.sandbox.state.order("XPGOODS00000000001")).toMatchObject({ left_fee: 0 });
  });

  it("records a complaint for the admin in the notification log", async () => {
    expect(await s.mounted.control("notify", { event: "xpay_complaint_notify", out_trade_no: "XPCOIN000000000002" })).toMatchObject({ json: { ok: true } });
    await s.mounted.sandbox.idle();
    const log = (await s.deps.db.collection("vk-pay-notify-log").where({ out_trade_no: "XPCOIN000000000002", outcome: "ignored" }).get()).data;
    expect(log).toEqual([expect.objectContaining({ reason: "unhandled event xpay_complaint_notify" })]);
  });

  it("caches the access token in the database", async () => {
    const row = ((await s.deps.db.collection("vk-pay-wx-access-tokens").doc(s.keys.appId).get()).data as any[])[0];
    expect(row).toMatchObject({ appid: s.keys.appId, access_token: expect.any(String), expires_at: expect.any(Number) });
  });
});
