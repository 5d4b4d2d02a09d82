import { douyinSandboxConfig } from "../../scripts/sandbox/douyin/config";
import { startDouyinSpace, tradeCallback, type DouyinSpace } from "./helpers/douyin";

/**
 * 通用交易系统 end to end: a Douyin mini program pays through vk-pay in the emulator, the sandbox plays
 * Douyin (tt.requestOrder, the cashier, the server APIs, the callbacks) over real HTTP. No published vectors
 * exist for this system: these are round trips with the sandbox's own keys.
 */
describe("douyin 通用交易系统 through the emulator and the sandbox", () => {
  let s: DouyinSpace;
  beforeAll(async () => {
    s = await startDouyinSpace({ version: 2 });
  }, 60_000);
  afterAll(() => s?.close());

  const create = async (totalFee: number) => {
    const reply = await s.client("pay/createPayment", { provider: "douyin", type: "recharge", total_fee: totalFee });
    expect(reply).toMatchObject({
      code: 0,
      data: { pay_type: "douyin_mp-toutiao", orderInfo: { data: expect.any(String), byteAuthorization: expect.any(String) } },
    });
    return reply.data as { out_trade_no: string; orderInfo: { data: string; byteAuthorization: string } };
  };

  it("builds tt.requestOrder's data and byteAuthorization, which Douyin accepts; paid by Alipay inside the cashier, recorded once", async () => {
    const start = await s.balance();
    const { out_trade_no, orderInfo } = await create(1500);
    const data = JSON.parse(orderInfo.data);
    const order = await s.order(out_trade_no);
    expect(data).toMatchObject({ outOrderNo: out_trade_no, totalAmount: 1500, payNotifyUrl: order.notify_url, skuList: [{ price: 1500, quantity: 1 }] });
    expect(orderInfo.byteAuthorization).toMatch(
      /^SHA256-RSA2048 appid=ttsandbox0000000001,nonce_str=\w+,timestamp=\d{10},key_version=1,signature=[A-Za-z0-9+/=]+$/,
    );
    expect(JSON.stringify(orderInfo)).not.toContain(s.keys.secret);
    // One byte changed in the data and Douyin refuses it.
    expect(await s.control("request-order", { ...orderInfo, data: orderInfo.data.replace("1500", "1501") })).toMatchObject({ ok: false });
    expect(await s.control("request-order", orderInfo)).toMatchObject({ ok: true });
    expect(await s.control("pay", { out_trade_no, pay_channel: 2 })).toMatchObject({ ok: true, notification: { status: "queued" } });
    expect(await s.order(out_trade_no)).toMatchObject({
      status: "SUCCESS",
      provider_pay_method: "alipay",
      notify_mode: 1,
      user_order_success: true,
      transaction_id: expect.stringMatching(/^ot7/),
    });
    expect(await s.outcomes(out_trade_no)).toEqual(["applied"]);
    expect(await s.balance()).toBe(start + 1500);
  });

  it("a CANCEL callback (the buyer left the cashier) closes the order and never pays it", async () => {
    const start = await s.balance();
    const { out_trade_no, orderInfo } = await create(700);
    await s.control("request-order", orderInfo);
    expect(await s.control("cancel", { out_trade_no, reason: "USER_CANCEL" })).toMatchObject({ ok: true, notification: { status: "queued" } });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "CLOSED" });
    expect(await s.outcomes(out_trade_no)).toEqual(["applied"]);
    expect(await s.client("pay/queryPayment", { out_trade_no })).toMatchObject({ code: 0, data: { trade_state: "CLOSED", orderPaid: false } });
    expect(await s.balance()).toBe(start);
  });

  it("a signed CANCEL for a paid order changes nothing", async () => {
    const { out_trade_no, orderInfo } = await create(300);
    await s.control("request-order", orderInfo);
    await s.control("pay", { out_trade_no });
    const before = await s.order(out_trade_no);
    const cancel = tradeCallback(
      "payment",
      {
        app_id: s.keys.appId,
        out_order_no: out_trade_no,
        order_id: before.transaction_id,
        status: "CANCEL",
        total_amount: 300,
        message: "TIME_OUT",
        event_time: Date.now(),
      },
      s.keys.platformPrivateKeyPem,
    );
    const reply = await fetch(before.notify_url, { method: "POST", headers: cancel.headers, body: cancel.body });
    expect({ status: reply.status, body: await reply.text() }).toEqual({ status: 200, body: '{"err_no":0,"err_tips":"success"}' });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "SUCCESS", pay_date: before.pay_date });
  });

  it("refunds through refund_create with the cached client_token; the refund callback settles the ledger, a FAIL releases it", async () => {
    const start = await s.balance();
    const { out_trade_no, orderInfo } = await create(2000);
    await s.control("request-order", orderInfo);
    await s.control("pay", { out_trade_no });
    const failed = await s.asAdmin("admin/refund", { out_trade_no, refund_fee: 2000, refund_desc: "试退" });
    expect(failed).toMatchObject({ code: 0, data: { out_refund_no: expect.any(String) } });
    expect(await s.control("refund-result", { out_refund_no: failed.data.out_refund_no, status: "FAIL" })).toMatchObject({ ok: true });
    expect((await s.db.collection("vk-pay-refunds").where({ out_refund_no: failed.data.out_refund_no }).get()).data[0]).toMatchObject({ status: "CLOSED" });
    const token = (await s.db.collection("vk-pay-douyin-tokens").doc(s.keys.appId).get()).data[0];
    expect(token).toMatchObject({ app_id: s.keys.appId, access_token: expect.stringMatching(/^clt\./), expire_time: expect.any(Number) });

    const refund = await s.asAdmin("admin/refund", { out_trade_no, refund_fee: 2000, refund_desc: "退款" });
    expect(refund).toMatchObject({ code: 0 });
    await s.control("refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    expect((await s.db.collection("vk-pay-refunds").where({ out_refund_no: refund.data.out_refund_no }).get()).data[0]).toMatchObject({ status: "SUCCESS" });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "REFUND", refund_fee: 2000 });
    expect(await s.balance()).toBe(start);
    // The same token served every call: it was fetched once and kept.
    expect((await s.db.collection("vk-pay-douyin-tokens").doc(s.keys.appId).get()).data[0].access_token).toBe(token.access_token);
  });

  it("a multi-merchant (pid) order takes its config from the vk-pay-config row, keys as content, and its callback is bound through the pid path", async () => {
    const row = douyinSandboxConfig(s.keys, `${s.url}/__sandbox/douyin`, 2);
    expect(typeof row.privateKey).toBe("string");
    await s.db.collection("vk-pay-config").add({ _id: "dy2", douyin: { "mp-toutiao": row } });
    const start = await s.balance();
    const reply = await s.call(
      "shop",
      { action: "create", data: { out_trade_no: `DYPID${Date.now()}`, type: "recharge", subject: "充值", total_fee: 900, user_id: "u1", pid: "dy2" } },
      "mp-toutiao",
    );
    expect(reply).toMatchObject({ code: 0, data: { pay_type: "douyin_mp-toutiao" } });
    const { out_trade_no, orderInfo } = reply.data;
    expect(await s.order(out_trade_no)).toMatchObject({
      pid: "dy2",
      notify_url: expect.stringMatching(new RegExp(`/vk-pay-notify/douyin_mp-toutiao/${out_trade_no}/pid/dy2$`)),
    });
    expect(JSON.parse(orderInfo.data).payNotifyUrl).toMatch(/\/pid\/dy2$/);
    await s.control("request-order", orderInfo);
    await s.control("pay", { out_trade_no, pay_channel: 1 });
    expect(await s.order(out_trade_no)).toMatchObject({ status: "SUCCESS", pid: "dy2", provider_pay_method: "wxpay" });
    expect(await s.balance()).toBe(start + 900);
  });

  it("answers the merchant balance through query_merchant_balance", async () => {
    const reply = await s.call("shop", { action: "balance" }, "web");
    expect(reply).toMatchObject({ code: 0, data: { availableFee: expect.any(Number), freezeFee: 0 } });
    expect(reply.data.availableFee).toBeGreaterThan(0);
  });
  const shop = (action: string, params: Record<string, unknown>) => s.call("shop", { action, params }, "web");

  it("settles a paid order through settle_create (shares checked against what refunds left), and lists it through settle_query", async () => {
    const { out_trade_no, orderInfo } = await create(1000);
    await s.control("request-order", orderInfo);
    // Not paid yet: nothing reaches Douyin.
    expect(await shop("createSettle", { out_trade_no, out_settle_no: `${out_trade_no}S` })).toMatchObject({ errCode: "vk-pay-order-not-paid" });
    await s.control("pay", { out_trade_no });
    const refund = await s.asAdmin("admin/refund", { out_trade_no, refund_fee: 300, refund_desc: "部分退款" });
    await s.control("refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    const share = (amount: number) => ({
      out_trade_no,
      out_settle_no: `${out_trade_no}S`,
      settle_desc: "结算",
      settle_params: [{ merchant_uid: "7300000001", amount }],
    });
    expect(await shop("createSettle", share(701))).toMatchObject({ errCode: "vk-pay-settle-amount-exceeds" });
    expect(s.douyin.state.settles()).toHaveLength(0);
    const settled = await shop("createSettle", share(200));
    expect(settled).toMatchObject({ code: 0, data: { out_trade_no, out_settle_no: `${out_trade_no}S`, settle_id: expect.any(String) } });
    expect(s.douyin.state.settle(s.keys.appId, `${out_trade_no}S`)).toMatchObject({
      seller_amount: 500,
      shares: [{ merchant_uid: "7300000001", amount: 200 }],
    });
    // The same settlement number again is the same settlement.
    expect((await shop("createSettle", share(200))).data.settle_id).toBe(settled.data.settle_id);
    expect(await shop("querySettle", { out_trade_no })).toMatchObject({
      code: 0,
      data: { settles: [{ settle_id: settled.data.settle_id, settle_status: "SUCCESS", out_order_no: out_trade_no }] },
    });
    // Settled money has left the platform: Douyin refuses a further refund.
    expect((await s.asAdmin("admin/refund", { out_trade_no, refund_fee: 100 })).code).not.toBe(0);
    expect(await shop("createSettle", { out_trade_no: "NO-SUCH-ORDER", out_settle_no: "X1" })).toMatchObject({ errCode: "vk-pay-order-not-found" });
  });

  it("answers a buyer's refund request held for review: pre_create_refund is verified and acknowledged, refund_audit_callback agrees or refuses", async () => {
    const { out_trade_no, orderInfo } = await create(800);
    await s.control("request-order", orderInfo);
    await s.control("pay", { out_trade_no });
    const asked = await s.control("buyer-refund", { out_trade_no, amount: 300 });
    expect(asked).toMatchObject({ ok: true, notification: { status: "queued" } });
    expect(await s.outcomes(out_trade_no)).toContain("ignored");
    const refundId = asked.refund_id as string;
    expect(await shop("auditRefund", { out_trade_no, refund_id: refundId, agree: false })).toMatchObject({ errCode: "vk-pay-deny-message-invalid" });
    // A refund of another order is never answered under this one.
    const other = await create(100);
    await s.control("request-order", other.orderInfo);
    await s.control("pay", { out_trade_no: other.out_trade_no });
    expect(await shop("auditRefund", { out_trade_no: other.out_trade_no, refund_id: refundId, agree: true })).toMatchObject({
      errCode: "vk-pay-refund-not-of-order",
    });
    expect(await shop("auditRefund", { out_trade_no, refund_id: refundId, agree: false, deny_message: "商品已发货" })).toMatchObject({
      code: 0,
      data: { refund_id: refundId, agree: false },
    });
    expect(s.douyin.state.refunds().find((entry) => entry.refund_id === refundId)).toMatchObject({ audit: "DENY", status: "FAIL", deny_message: "商品已发货" });
    // Answered once.
    expect((await shop("auditRefund", { out_trade_no, refund_id: refundId, agree: true })).code).not.toBe(0);
    const second = await s.control("buyer-refund", { out_trade_no, amount: 200 });
    expect(await shop("auditRefund", { out_trade_no, refund_id: second.refund_id, agree: true })).toMatchObject({ code: 0, data: { agree: true } });
    expect(s.douyin.state.refunds().find((entry) => entry.refund_id === second.refund_id)).toMatchObject({ audit: "AGREE", status: "PROCESSING" });
  });
});
