import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/**
 * A person's whole journey, end to end over real HTTP: a uni-app client creates a payment through
 * vk-pay, pays in the WeChat Pay sandbox, the signed and encrypted notification comes back, the order
 * type's hook takes effect exactly once, and an admin refunds.
 */
describe("WeChat Pay v3 end to end through the emulator and the sandbox", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let user: string;
  let admin: string;

  const client = async (url: string, data: Record<string, unknown>, platform = "web", token = user) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120" },
      body: JSON.stringify({ event: { url, data, uniIdToken: token }, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const balance = async () => (await client("user/getInfo", {})).data.balance as number;

  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add([
      { _id: "u1", role: [], status: 0, balance: 0, vip_expire_date: 0 },
      { _id: "boss", role: ["admin"], status: 0 },
    ]);
    await env.db.collection("vk-pay-goods").add({ _id: "pen", name: "钢笔", price: 1990, stock: 5 });
    user = await mintToken(TEST_SECRET, { uid: "u1" });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
  });
  afterAll(() => env.close());

  it("pays a recharge by Native QR, credits the balance once, and refunds it in two parts", async () => {
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 10000, isPC: true });
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "wxpay_h5", needQRcode: true, total_fee: 10000, orderInfo: { codeUrl: expect.stringContaining("/__sandbox/wxpay/cashier") } },
    });
    const outTradeNo = created.data.out_trade_no as string;
    expect(await client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "NOTPAY", orderPaid: false } });

    expect(await env.control("wxpay", "pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    await env.wxpay.idle();
    expect(await client("pay/queryPayment", { out_trade_no: outTradeNo, await_notify: true })).toMatchObject({
      code: 0,
      data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true },
    });
    expect(await balance()).toBe(10000);

    // The sandbox sends the same notification again: nothing is credited twice.
    expect(await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo })).toMatchObject({ ok: true });
    await env.wxpay.idle();
    expect(await balance()).toBe(10000);

    const partial = await client("admin/refund", { out_trade_no: outTradeNo, refund_fee: 3000, refund_desc: "部分退款" }, "web", admin);
    expect(partial).toMatchObject({ code: 0, data: { refund_status: "PROCESSING", refund_fee: 3000 } });
    await env.control("wxpay", "refund-result", { out_refund_no: partial.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await balance()).toBe(7000);
    const rest = await client("admin/refund", { out_trade_no: outTradeNo }, "web", admin);
    expect(rest).toMatchObject({ code: 0, data: { refund_fee: 7000 } });
    await env.control("wxpay", "refund-result", { out_refund_no: rest.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await balance()).toBe(0);
    const detail = await client("admin/orders", { out_trade_no: outTradeNo }, "web", admin);
    expect(detail).toMatchObject({
      code: 0,
      data: { order: { status: "REFUND", refund_fee: 10000 }, refunds: [{ status: "SUCCESS" }, { status: "SUCCESS" }] },
    });
    expect(detail.data.notifications.map((n: { outcome: string }) => n.outcome)).toEqual(["applied", "duplicate", "applied", "applied"]);
    expect(await client("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1 }, "web", admin)).toMatchObject({ code: 2008 });
  });

  it("pays a goods order from a mini program with a verifiable JSAPI signature, taking the stock once", async () => {
    const created = await client(
      "pay/createPayment",
      { provider: "wxpay", type: "goods", openid: "o-user-1", custom: { goods_id: "pen", quantity: 2 } },
      "mp-weixin",
    );
    expect(created).toMatchObject({
      code: 0,
      data: {
        pay_type: "wxpay_mp-weixin",
        total_fee: 3980,
        orderInfo: { appId: "wx0000000000000001", signType: "RSA", package: expect.stringMatching(/^prepay_id=/), paySign: expect.any(String) },
      },
    });
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect(await client("pay/queryPayment", { out_trade_no: created.data.out_trade_no })).toMatchObject({
      data: { trade_state: "SUCCESS", user_order_success: true },
    });
    expect((await client("pay/getGoods", {})).data.rows).toEqual([expect.objectContaining({ _id: "pen", stock: 3 })]);
  });

  it("extends VIP from an H5 payment in a mobile browser (MWEB)", async () => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1" },
      body: JSON.stringify({
        event: { url: "pay/createPayment", data: { provider: "wxpay", type: "vip", custom: { vip_type: "month" } }, uniIdToken: user },
        clientInfo: { PLATFORM: "web" },
      }),
    });
    const created = ((await response.json()) as { result: any }).result;
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_mweb", total_fee: 3000, orderInfo: { h5Url: expect.any(String) } } });
    const before = Date.now();
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    const info = await client("user/getInfo", {});
    expect(info.data.vip_expire_date).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
  });

  it.each([
    [
      "an App",
      "app",
      "Mozilla/5.0 (Linux; Android 14) uni-app",
      {},
      "wxpay_app-plus",
      { appid: "wx0000000000000001", partnerid: "1900000001", package: "Sign=WXPay", prepayid: expect.any(String), sign: expect.any(String) },
    ],
    [
      "the WeChat browser (JSAPI)",
      "web",
      "Mozilla/5.0 (iPhone) Mobile/15E148 MicroMessenger/8.0.40",
      { openid: "o-user-2" },
      "wxpay_h5-weixin",
      { signType: "RSA", paySign: expect.any(String), package: expect.stringMatching(/^prepay_id=/) },
    ],
  ])("pays a recharge from %s", async (_label, platform, userAgent, extra, payType, orderInfo) => {
    const response = await fetch(`${env.url}/__callFunction/vk-pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": userAgent },
      body: JSON.stringify({
        event: { url: "pay/createPayment", data: { provider: "wxpay", type: "recharge", total_fee: 150, ...extra }, uniIdToken: user },
        clientInfo: { PLATFORM: platform },
      }),
    });
    const created = ((await response.json()) as { result: any }).result;
    expect(created).toMatchObject({ code: 0, data: { pay_type: payType, orderInfo } });
    const before = await balance();
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    expect(await balance()).toBe(before + 150);
  });

  it("applies a payment whose notification was lost, when the client queries", async () => {
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 500, isPC: true });
    await env.control("wxpay", "drop", { count: 5 });
    await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no });
    await env.wxpay.idle();
    const before = await balance();
    expect(await client("pay/queryPayment", { out_trade_no: created.data.out_trade_no })).toMatchObject({
      data: { trade_state: "SUCCESS", user_order_success: true },
    });
    expect(await balance()).toBe(before + 500);
    await env.control("wxpay", "drop", { count: 0 });
  });

  it("answers needQRcode: 'image' with a PNG of the payment link, from the lazily loaded renderer", async () => {
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 300, needQRcode: "image" });
    expect(created).toMatchObject({ code: 0, data: { needQRcode: true, qrcodeImage: expect.stringMatching(/^data:image\/png;base64,iVBOR/) } });
  });

  it("closes an unpaid order at WeChat and here, after which it cannot be paid", async () => {
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 200, isPC: true });
    expect(await client("pay/closeOrder", { out_trade_no: created.data.out_trade_no })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
    expect(await env.control("wxpay", "pay", { out_trade_no: created.data.out_trade_no })).toMatchObject({ ok: false });
    expect(await client("pay/queryPayment", { out_trade_no: created.data.out_trade_no })).toMatchObject({ data: { trade_state: "CLOSED" } });
  });

  it("closes an order WeChat has already closed (ORDER_CLOSED): success, and CLOSED here too", async () => {
    const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 200, isPC: true });
    expect(await env.control("wxpay", "cancel", { out_trade_no: created.data.out_trade_no })).toMatchObject({ ok: true });
    expect(await client("pay/closeOrder", { out_trade_no: created.data.out_trade_no })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
  });
});
