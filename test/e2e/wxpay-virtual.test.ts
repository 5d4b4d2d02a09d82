import { startXpaySpace, XPAY_BUYER, type XpaySpace } from "./helpers/wxpay-virtual";

/**
 * WeChat virtual payment end to end: the built vk-pay in the emulator, the generated config, the buyer's
 * `wx.requestVirtualPayment` played by the xpay sandbox, and its message pushes (safe mode, as `npm start`
 * configures it) posted over HTTP to `/vk-pay-notify/wxpay-virtual_mp-weixin`.
 */
describe("wxpay-virtual end to end through the emulator and the xpay sandbox", () => {
  let s: XpaySpace;
  beforeAll(async () => {
    s = await startXpaySpace();
    await s.db.collection("vk-pay-goods").add({ _id: "season", name: "短剧全集", price: 1990, stock: 10 });
  }, 60_000);
  afterAll(() => s?.close());

  const balance = async () => ((await s.db.collection("uni-id-users").doc("u1").get()).data[0]?.balance ?? 0) as number;
  const payAtWechat = async (created: any) => {
    expect(await s.control("request-payment", { openid: XPAY_BUYER, ...created.data.orderInfo })).toMatchObject({ ok: true });
    expect(await s.control("pay", { out_trade_no: created.data.out_trade_no })).toMatchObject({ ok: true, notification: "queued" });
  };

  it("tops up coins (recharge): priced by coins at rate, paid, pushed in safe mode, credited once though pushed twice", async () => {
    const wxpay_virtual = { mode: "short_series_coin", buy_quantity: 600 };
    // The order type prices 600 fen; a client amount that coins at rate do not give is refused.
    expect(
      await s.client("pay/createPayment", { provider: "wxpay-virtual", type: "recharge", total_fee: 500, openid: XPAY_BUYER, wxpay_virtual }),
    ).toMatchObject({
      code: 1003,
    });
    const created = await s.client("pay/createPayment", { provider: "wxpay-virtual", type: "recharge", total_fee: 600, openid: XPAY_BUYER, wxpay_virtual });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay-virtual_mp-weixin", total_fee: 600 } });
    expect(JSON.parse(created.data.orderInfo.signData)).toMatchObject({ buyQuantity: 600, env: 0, currencyType: "CNY" });
    const outTradeNo = created.data.out_trade_no as string;
    const start = await balance();
    await payAtWechat(created);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 1, user_order_success: true, provider_fields: wxpay_virtual });
    expect(await balance()).toBe(start + 600);
    expect(await s.control("redeliver", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);
    expect(await balance()).toBe(start + 600);
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS", orderPaid: true } });
  });

  it("buys an item (goods): the hook's price must be the back office's, the push pays it, a refund settles by xpay_refund_notify", async () => {
    const created = await s.client("pay/createPayment", {
      provider: "wxpay-virtual",
      type: "goods",
      openid: XPAY_BUYER,
      custom: { goods_id: "season", quantity: 2 },
      wxpay_virtual: { mode: "short_series_goods", product_id: "drama-season", buy_quantity: 2 },
    });
    expect(created).toMatchObject({ code: 0, data: { total_fee: 3980 } });
    expect(JSON.parse(created.data.orderInfo.signData)).toMatchObject({ productId: "drama-season", goodsPrice: 1990, buyQuantity: 2 });
    const outTradeNo = created.data.out_trade_no as string;
    await payAtWechat(created);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    expect((await s.db.collection("vk-pay-goods").doc("season").get()).data[0]).toMatchObject({ stock: 8 });

    const refunded = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1990, refund_desc: "退一集" });
    expect(refunded).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 1990 } });
    const outRefundNo = refunded.data.out_refund_no as string;
    expect(await s.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" })).toMatchObject({ ok: true, status: 8 });
    expect((await s.db.collection("vk-pay-refunds").where({ out_refund_no: outRefundNo }).get()).data).toEqual([
      expect.objectContaining({ status: "SUCCESS" }),
    ]);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1990 });
    // The refund push again changes nothing.
    expect(await s.control("redeliver", { out_refund_no: outRefundNo })).toMatchObject({ ok: true });
    expect(await s.order(outTradeNo)).toMatchObject({ refund_fee: 1990 });
    const refundLog = (await s.db.collection("vk-pay-notify-log").where({ out_refund_no: outRefundNo }).get()).data.map((row: any) => row.outcome);
    expect(refundLog.sort()).toEqual(["applied", "duplicate"]);
  });

  it("moves coins through the admin routes of the manager (vk-pay.md §1.8), each once, and refuses them to a user", async () => {
    const admin = (method: string, data: Record<string, unknown>) =>
      s.asAdmin(`admin/wxpayVirtual/${method}`, { openid: XPAY_BUYER, userIp: "127.0.0.1", ...data });
    expect(await s.client("admin/wxpayVirtual/currencyPay", { openid: XPAY_BUYER, amount: 1, outTradeNo: "XPE2ESPEND00000001" })).toMatchObject({ code: 403 });
    const before = await admin("queryUserBalance", {});
    expect(before).toMatchObject({ code: 0, data: { balance: expect.any(Number) } });
    const start = before.data.balance as number;
    expect(await admin("presentCurrency", { amount: 50, outTradeNo: "XPE2EGIFT000000001" })).toMatchObject({
      code: 0,
      data: { balance: start + 50, applied: true },
    });
    const spend = { amount: 30, outTradeNo: "XPE2ESPEND00000001", payitem: '[{"productid":"episode-3","unit_price":30,"quantity":1}]', remark: "解锁第3集" };
    expect(await admin("currencyPay", spend)).toMatchObject({ code: 0, data: { balance: start + 20, applied: true } });
    // The admin's retry (a timeout, a double click) takes nothing more.
    expect(await admin("currencyPay", spend)).toMatchObject({ code: 0, data: { balance: start + 20, applied: false } });
    expect(await admin("queryUserBalance", {})).toMatchObject({ data: { balance: start + 20 } });
    expect(await admin("cancelCurrencyPay", { amount: 30, outTradeNo: spend.outTradeNo, outRefundNo: "XPE2ECANCEL0000001" })).toMatchObject({
      code: 0,
      data: { outRefundNo: "XPE2ECANCEL0000001" },
    });
    expect(s.xpay.state.wallet(0, XPAY_BUYER)).toMatchObject({ balance: start + 50 });
    const { data: rows } = await s.db.collection("vk-pay-xpay-coin-orders").where({ openid: XPAY_BUYER }).get();
    expect(rows.map((row: any) => [row.kind, row.status, row.operator]).sort()).toEqual([
      ["cancel", "SUCCESS", "boss"],
      ["pay", "SUCCESS", "boss"],
      ["present", "SUCCESS", "boss"],
    ]);
    const { data: sessions } = await s.db.collection("vk-pay-wx-sessions").where({ openid: XPAY_BUYER }).get();
    expect(JSON.stringify(await admin("queryUserBalance", {}))).not.toContain(sessions[0].session_key);
  });

  it("answers the console's GET check by echoing echostr, and refuses it with a wrong signature", async () => {
    const { createHash } = await import("node:crypto");
    const token = s.xpay.keys.token;
    const timestamp = "1714036504";
    const nonce = "1514711492";
    const signature = createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
    const url = `${s.url}/http/vk-pay/vk-pay-notify/wxpay-virtual_mp-weixin`;
    const ok = await fetch(`${url}?${new URLSearchParams({ signature, timestamp, nonce, echostr: "4375120948345356249" })}`);
    expect({ status: ok.status, body: await ok.text() }).toEqual({ status: 200, body: "4375120948345356249" });
    const bad = await fetch(`${url}?${new URLSearchParams({ signature: "0".repeat(40), timestamp, nonce, echostr: "x" })}`);
    expect(bad.status).not.toBe(200);
  });
});
