import { alipaySandboxConfig } from "../../scripts/sandbox/pki";
import { PAY_CODES, startAlipaySpace, type AlipaySpace } from "./helpers/alipay";

/**
 * Alipay in key mode (the generated config's default), end to end over real HTTP: clients and the
 * developer's own server code create payments through the built vk-pay in the emulator, the buyer pays in
 * the Alipay sandbox (cashier, App SDK stand-in, pay-codes), Alipay's signed notifications come back,
 * each order type's hook takes effect exactly once, and refunds and closes go through Alipay.
 * Certificate mode runs other pairings of mode and order type in alipay-cert.test.ts.
 */
describe("Alipay end to end in key mode", () => {
  let s: AlipaySpace;

  beforeAll(async () => {
    s = await startAlipaySpace({ cert: false });
  }, 60_000);
  afterAll(() => s?.close());

  it("pays a recharge by 当面付 QR from a PC browser, credits once, and refunds it in two synchronous parts", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 10000 });
    expect(created).toMatchObject({
      code: 0,
      data: {
        provider: "alipay",
        pay_type: "alipay_h5",
        needQRcode: true,
        total_fee: 10000,
        orderInfo: { codeUrl: expect.stringContaining("/__sandbox/alipay/cashier?") },
      },
    });
    const outTradeNo = created.data.out_trade_no as string;
    // Nobody has scanned yet: Alipay does not know the trade, which is simply unpaid.
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "NOTPAY", orderPaid: false } });

    // The buyer scans: the QR code opens the sandbox's cashier, which creates the trade, then pays there.
    const cashier = await fetch(created.data.orderInfo.codeUrl);
    expect(cashier.status).toBe(200);
    expect(await cashier.text()).toContain("100.00");
    expect(await s.control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, trade_status: "TRADE_SUCCESS", notification: "queued" });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo, await_notify: true })).toMatchObject({
      code: 0,
      data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true },
    });
    expect((await s.info()).balance).toBe(10000);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", transaction_id: s.trade(outTradeNo)!.trade_no, provider_appid: s.app.appId });

    // Alipay delivers the same notification again: the credit is not repeated.
    expect(await s.control("redeliver", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, notification: "queued" });
    expect((await s.info()).balance).toBe(10000);

    const partial = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 3000, refund_desc: "部分退款" });
    // Alipay refunds are synchronous: settled in the answer, no refund notification to wait for.
    expect(partial).toMatchObject({ code: 0, data: { refund_status: "SUCCESS", refund_fee: 3000, total_refund_fee: 3000 } });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 3000 });
    expect((await s.info()).balance).toBe(7000);
    await s.alipay.idle();
    const rest = await s.asAdmin("admin/refund", { out_trade_no: outTradeNo });
    expect(rest).toMatchObject({ code: 0, data: { refund_status: "SUCCESS", refund_fee: 7000, total_refund_fee: 10000 } });
    await s.alipay.idle();
    expect((await s.info()).balance).toBe(0);
    // Alipay's own books agree: two refunds, keyed by our out_refund_no, the trade closed by the full refund.
    const atAlipay = s.alipay.state.refunds().filter((r) => r.out_trade_no === outTradeNo);
    expect(atAlipay.map((r) => [r.out_request_no, r.refund_fen])).toEqual([
      [partial.data.out_refund_no, 3000],
      [rest.data.out_refund_no, 7000],
    ]);
    expect(s.trade(outTradeNo)).toMatchObject({ status: "TRADE_CLOSED", refunded_fen: 10000 });

    const detail = await s.asAdmin("admin/orders", { out_trade_no: outTradeNo });
    expect(detail).toMatchObject({
      code: 0,
      data: {
        order: { status: "REFUND", refund_fee: 10000 },
        refunds: [
          { status: "SUCCESS", refund_fee: 3000 },
          { status: "SUCCESS", refund_fee: 7000 },
        ],
      },
    });
    // The payment once, its redelivery as a duplicate, then the trade notification Alipay sends with the partial
    // refund (当面付 notifies TRADE_SUCCESS only, so the full refund's TRADE_CLOSED is not sent): the refund
    // was already settled by the synchronous answer, so it changes nothing.
    expect(detail.data.notifications.map((n: Record<string, string>) => [n.kind, n.outcome, n.out_refund_no ?? ""])).toEqual([
      ["payment", "applied", ""],
      ["payment", "duplicate", ""],
      ["refund", "duplicate", partial.data.out_refund_no],
    ]);
    expect((await s.info()).balance).toBe(0);
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1 })).toMatchObject({ code: 2008 });
  });

  it("pays a goods order in the Alipay mini program with the buyer from code2SessionAlipay, taking the stock once and putting it back on a full refund", async () => {
    const code = await s.control("issue-code", { label: "mp-buyer" });
    const session = await s.client("pay/code2SessionAlipay", { code: code.code }, "mp-alipay");
    expect(session).toMatchObject({ code: 0, data: { openid: code.user_id, user_id: code.user_id } });
    // An auth code works once.
    expect((await s.client("pay/code2SessionAlipay", { code: code.code }, "mp-alipay")).code).not.toBe(0);

    const created = await s.client(
      "pay/createPayment",
      { provider: "alipay", type: "goods", openid: session.data.openid, custom: { goods_id: "pen", quantity: 2 } },
      "mp-alipay",
    );
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_mp-alipay", needQRcode: false, total_fee: 3980 } });
    const outTradeNo = created.data.out_trade_no as string;
    // my.tradePay takes Alipay's trade number, which alipay.trade.create made for this buyer.
    expect(created.data.orderInfo).toBe(s.trade(outTradeNo)!.trade_no);
    expect(s.trade(outTradeNo)).toMatchObject({ origin: "create", buyer_id: code.user_id, total_fen: 3980, subject: "钢笔" });

    await s.control("pay", { out_trade_no: outTradeNo });
    await s.control("redeliver", { out_trade_no: outTradeNo });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ data: { trade_state: "SUCCESS", user_order_success: true } });
    expect(await s.stock("pen")).toBe(3);
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);

    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { refund_status: "SUCCESS", refund_fee: 3980 } });
    await s.alipay.idle();
    expect(await s.stock("pen")).toBe(5);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 3980 });
  });

  it("pays a VIP plan from the App: the signed order string is accepted by Alipay's App SDK stand-in, and a partial refund shortens the membership", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "vip", custom: { vip_type: "month" } }, "app");
    expect(created).toMatchObject({
      code: 0,
      data: { pay_type: "alipay_app-plus", total_fee: 3000, orderInfo: expect.stringMatching(/^(?=.*method=alipay\.trade\.app\.pay)(?=.*&sign=)/) },
    });
    const outTradeNo = created.data.out_trade_no as string;
    // The order string is what the App hands the Alipay SDK: the sandbox checks its signature as Alipay would.
    expect(await s.control("app-pay", { orderInfo: created.data.orderInfo })).toMatchObject({
      ok: true,
      out_trade_no: outTradeNo,
      trade_status: "WAIT_BUYER_PAY",
    });
    expect(s.trade(outTradeNo)).toMatchObject({ product_code: "QUICK_MSECURITY_PAY", total_fen: 3000 });
    // A string changed after signing is refused by the SDK (here: 30.00 turned into 0.01).
    const tampered = (created.data.orderInfo as string).replace(encodeURIComponent('"total_amount":"30.00"'), encodeURIComponent('"total_amount":"0.01"'));
    expect(tampered).not.toBe(created.data.orderInfo);
    expect(await s.control("app-pay", { orderInfo: tampered })).toMatchObject({ ok: false, sub_code: "isv.invalid-signature" });

    const before = Date.now();
    await s.control("pay", { out_trade_no: outTradeNo });
    await s.control("redeliver", { out_trade_no: outTradeNo });
    const expiry = (await s.info()).vip_expire_date;
    expect(expiry).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ data: { trade_state: "SUCCESS", orderPaid: true } });

    // A third of the price back takes ten days off.
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1000 })).toMatchObject({ code: 0, data: { refund_status: "SUCCESS" } });
    await s.alipay.idle();
    expect((await s.info()).vip_expire_date).toBe(expiry - 10 * 86_400_000);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1000 });
    expect(s.trade(outTradeNo)).toMatchObject({ status: "TRADE_SUCCESS", refunded_fen: 1000 });
  });

  describe("pay-codes scanned at the developer's till (server code)", () => {
    it("is paid at once, recording the custom purchase once", async () => {
      const outTradeNo = `TILL${Date.now()}1`;
      const created = await s.call("till", {
        action: "codepay",
        out_trade_no: outTradeNo,
        total_fee: 1234,
        type: "custom",
        auth_code: PAY_CODES.pay,
        custom: { course_id: "c-42" },
      });
      expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_codepay", orderInfo: { tradeState: "SUCCESS" } } });
      await s.alipay.idle();
      await s.control("redeliver", { out_trade_no: outTradeNo });
      expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true, type: "custom" });
      const purchases = (await s.db.collection("vk-pay-purchases").where({ out_trade_no: outTradeNo }).get()).data;
      expect(purchases).toEqual([expect.objectContaining({ user_id: "u1", type: "custom", custom: { course_id: "c-42" } })]);
      expect(s.trade(outTradeNo)!.biz).toMatchObject({ auth_code: PAY_CODES.pay, scene: "bar_code", total_amount: "12.34" });

      expect(await s.call("till", { action: "refund", out_trade_no: outTradeNo, refund_fee: 1234 })).toMatchObject({
        code: 0,
        data: { refund_status: "SUCCESS", refund_fee: 1234 },
      });
      expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1234 });
    });

    it("waits while the buyer confirms on the phone, querying until paid, and credits once", async () => {
      const outTradeNo = `TILL${Date.now()}2`;
      const before = (await s.info()).balance;
      // Alipay answers 10003; the library queries until the buyer has confirmed, then answers paid.
      const created = await s.call("till", { action: "codepay", out_trade_no: outTradeNo, total_fee: 500, type: "recharge", auth_code: PAY_CODES.userPaying });
      expect(created).toMatchObject({ code: 0, data: { orderInfo: { tradeState: "SUCCESS" } } });
      expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
      await s.alipay.idle();
      expect((await s.info()).balance).toBe(before + 500);
      // Alipay's notification that follows is a duplicate.
      expect(await s.outcomes(outTradeNo)).toEqual(["duplicate"]);
    });

    it("refuses an invalid pay-code and closes an abandoned one, with nothing credited", async () => {
      const before = (await s.info()).balance;
      const invalid = `TILL${Date.now()}3`;
      const refused = await s.call("till", { action: "codepay", out_trade_no: invalid, total_fee: 700, type: "recharge", auth_code: PAY_CODES.invalid });
      expect(JSON.stringify(refused)).toMatch(/PAYERROR|PAYMENT_AUTH_CODE_INVALID|付款码/);
      expect(await s.order(invalid)).toMatchObject({ status: "CLOSED" });
      expect(s.trade(invalid)).toBeUndefined();

      const abandoned = `TILL${Date.now()}4`;
      expect(
        await s.call("till", { action: "codepay", out_trade_no: abandoned, total_fee: 800, type: "recharge", auth_code: PAY_CODES.abandon }),
      ).toMatchObject({ code: 0, data: { orderInfo: { tradeState: "CLOSED" } } });
      expect(await s.call("till", { action: "query", out_trade_no: abandoned })).toMatchObject({ code: 0, data: { trade_state: "CLOSED", orderPaid: false } });
      // The buyer the cashier turned away confirms on the phone too late: Alipay refuses, nothing is charged.
      expect(await s.control("pay", { out_trade_no: abandoned })).toMatchObject({ ok: false });
      await s.alipay.idle();
      expect(await s.order(abandoned)).toMatchObject({ status: "CLOSED" });
      expect((await s.info()).balance).toBe(before);
    });

    it("cancels a pay code the buyer never answers once the configured wait runs out (alipay.trade.cancel), so it can never be charged", async () => {
      const before = (await s.info()).balance;
      const ignored = `TILL${Date.now()}5`;
      expect(await s.call("till", { action: "codepay", out_trade_no: ignored, total_fee: 900, type: "recharge", auth_code: PAY_CODES.ignore })).toMatchObject({
        code: 0,
        data: { orderInfo: { tradeState: "CLOSED" } },
      });
      // Closed by the merchant's cancel, not by the buyer or by a timeout at Alipay.
      expect(s.trade(ignored)).toMatchObject({ status: "TRADE_CLOSED", last_error: "交易已撤销" });
      expect(await s.control("pay", { out_trade_no: ignored })).toMatchObject({ ok: false });
      await s.alipay.idle();
      expect(await s.order(ignored)).toMatchObject({ status: "CLOSED" });
      expect((await s.info()).balance).toBe(before);
    });
  });

  it("closes a scanned QR order at Alipay and here, after which the buyer cannot pay it", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 200 });
    const outTradeNo = created.data.out_trade_no as string;
    expect(await s.control("scan", { out_trade_no: outTradeNo })).toMatchObject({ ok: true, trade_status: "WAIT_BUYER_PAY" });
    expect(await s.client("pay/closeOrder", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
    expect(s.trade(outTradeNo)).toMatchObject({ status: "TRADE_CLOSED" });
    expect(await s.control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: false });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ data: { trade_state: "CLOSED", orderPaid: false } });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "CLOSED" });
  });

  it("does not call an unscanned QR order closed: the code stays payable at Alipay, and the buyer's later payment is credited", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 300 });
    const outTradeNo = created.data.out_trade_no as string;
    const before = (await s.info()).balance;
    // Alipay has no trade to close until the code is scanned; claiming CLOSED here would lose the payment below.
    expect(await s.client("pay/closeOrder", { out_trade_no: outTradeNo })).toMatchObject({ code: 3001 });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    await s.control("pay", { out_trade_no: outTradeNo });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    expect((await s.info()).balance).toBe(before + 300);
  });

  it("pays and refunds a multi-merchant (pid) order with the row's own certificate-mode app, and verifies its notifications with the row's keys only", async () => {
    // The row holds a whole config, certificates as content; it is a different app from the file's key-mode one.
    const certApp = s.alipay.keys.certApp.appId;
    await s.db
      .collection("vk-pay-config")
      .add({ _id: "shop2", alipay: { h5: alipaySandboxConfig(s.alipay.keys, `${s.url}/__sandbox/alipay`, { certMode: true, certSource: "content" }) } });
    const outTradeNo = `PID${Date.now()}`;
    const created = await s.call("till", { action: "qr", pid: "shop2", out_trade_no: outTradeNo, total_fee: 880, type: "custom", custom: { shop: "2" } });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_h5" } });
    const order = await s.order(outTradeNo);
    expect(order).toMatchObject({
      pid: "shop2",
      provider_appid: certApp,
      notify_url: expect.stringMatching(new RegExp(`/vk-pay-notify/alipay_h5/${outTradeNo}/pid/shop2$`)),
    });
    expect(s.alipay.state.trade(certApp, outTradeNo)).toBeDefined();
    expect(s.trade(outTradeNo)).toBeUndefined();

    await s.control("pay", { out_trade_no: outTradeNo, app_id: certApp });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
    // The sandbox's own notification, signed by the certificate-mode Alipay key: posted to the order's URL
    // without its pid it is verified with the file's (key-mode) Alipay key, and refused.
    const sent = s.alipay.state.lastNotification(`trade:${certApp}:${outTradeNo}`)!;
    const post = (url: string) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body: sent.body }).then((r) => r.text());
    expect(await post(order.notify_url.replace(/\/pid\/shop2$/, ""))).toBe("fail");
    expect(await post(order.notify_url)).toBe("success");
    expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);

    expect(await s.call("till", { action: "query", out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "SUCCESS", orderPaid: true } });
    expect(await s.call("till", { action: "refund", out_trade_no: outTradeNo, refund_fee: 80 })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", refund_fee: 80 },
    });
    expect(await s.call("till", { action: "refund", out_trade_no: outTradeNo, refund_fee: 800 })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", total_refund_fee: 880 },
    });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 880 });
    expect(
      s.alipay.state
        .refunds()
        .filter((r) => r.out_trade_no === outTradeNo)
        .map((r) => [r.app_id, r.refund_fen]),
    ).toEqual([
      [certApp, 80],
      [certApp, 800],
    ]);
  });

  it("sends the seed's Alipay example (other: timeout_express, goods_type, promo_params) to the gateway as Alipay expects it", async () => {
    const outTradeNo = `SEED${Date.now()}`;
    const created = await s.call("till", { action: "seed-example", out_trade_no: outTradeNo });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_h5" } });
    const trade = s.trade(outTradeNo)!;
    // String fields as strings; the empty promo_params means "no promotion" and is left out rather than sent as "{}".
    expect(trade.biz).toEqual({
      out_trade_no: outTradeNo,
      total_amount: "1.00",
      subject: "测试订单",
      product_code: "FACE_TO_FACE_PAYMENT",
      timeout_express: "30m",
      goods_type: "0",
    });
    // Alipay read timeout_express: the trade closes unpaid 30 minutes later, and the order with it.
    await s.control("scan", { out_trade_no: outTradeNo });
    expect(trade.expire_time - trade.create_time).toBeLessThanOrEqual(30 * 60_000);
    expect(trade.expire_time - trade.create_time).toBeGreaterThan(29 * 60_000);
    expect(await s.control("clock", { advance_seconds: 31 * 60 })).toMatchObject({
      ok: true,
      changed: expect.arrayContaining([expect.objectContaining({ out_trade_no: outTradeNo, trade_status: "TRADE_CLOSED" })]),
    });
    expect(await s.control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: false });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ data: { trade_state: "CLOSED" } });
  });
});
