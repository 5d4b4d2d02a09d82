import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PAY_CODES, startAlipaySpace, type AlipaySpace } from "./helpers/alipay";

/**
 * Alipay in certificate mode (`ALIPAY_SANDBOX_MODE=cert`: app certificate, Alipay certificate and root
 * bundle, with `app_cert_sn` / `alipay_root_cert_sn` on every request and responses and notifications
 * signed by the Alipay certificate's key), end to end over real HTTP. The pairings of payment mode and order
 * type differ from alipay.test.ts, so between the two files each mode meets more than one order type.
 */
describe("Alipay end to end in certificate mode", () => {
  let s: AlipaySpace;

  beforeAll(async () => {
    s = await startAlipaySpace({ cert: true });
  }, 60_000);
  afterAll(() => s?.close());

  it("runs on the certificate-mode app: the generated config has no public key, and Alipay sees the certificate SNs", async () => {
    const generated = readFileSync(join(s.dataDir, "uni-config-center/uni-pay/config.js"), "utf8");
    expect(generated).toContain("alipayRootCertContent");
    expect(generated).not.toContain('alipayPublicKey"');
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 100 });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_h5" } });
    expect(await s.order(created.data.out_trade_no)).toMatchObject({ provider_appid: s.alipay.keys.certApp.appId });
    // The trade exists under the certificate-mode app only: the sandbox refuses that app's requests without
    // the right app_cert_sn and alipay_root_cert_sn, so this proves they were sent and correct.
    expect(s.alipay.state.trade(s.alipay.keys.certApp.appId, created.data.out_trade_no)).toBeDefined();
    expect(s.alipay.state.trade(s.alipay.keys.keyApp.appId, created.data.out_trade_no)).toBeUndefined();
  });

  it("pays a recharge in the mini program, credits once, and refunds it in two synchronous parts", async () => {
    const code = await s.control("issue-code", { app_id: s.app.appId, label: "cert-buyer" });
    const session = await s.client("pay/code2SessionAlipay", { code: code.code }, "mp-alipay");
    expect(session).toMatchObject({ code: 0, data: { openid: code.user_id } });
    // A code issued to the other app is not this app's.
    const foreign = await s.control("issue-code", { app_id: s.alipay.keys.keyApp.appId });
    expect((await s.client("pay/code2SessionAlipay", { code: foreign.code }, "mp-alipay")).code).not.toBe(0);

    // JSAPI_PAY (the mini-program product, given through `other`) is notified on every change, closing included.
    const created = await s.client(
      "pay/createPayment",
      { provider: "alipay", type: "recharge", total_fee: 5000, openid: session.data.openid, other: { product_code: "JSAPI_PAY" } },
      "mp-alipay",
    );
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_mp-alipay", total_fee: 5000 } });
    const outTradeNo = created.data.out_trade_no as string;
    expect(created.data.orderInfo).toBe(s.trade(outTradeNo)!.trade_no);
    expect(s.trade(outTradeNo)).toMatchObject({ product_code: "JSAPI_PAY", buyer_id: code.user_id });

    await s.control("pay", { out_trade_no: outTradeNo });
    await s.control("redeliver", { out_trade_no: outTradeNo });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo, await_notify: true })).toMatchObject({
      code: 0,
      data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true },
    });
    expect((await s.info()).balance).toBe(5000);

    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 1200 })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", refund_fee: 1200 },
    });
    await s.alipay.idle();
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1200 });
    expect((await s.info()).balance).toBe(3800);
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", refund_fee: 3800, total_refund_fee: 5000 },
    });
    await s.alipay.idle();
    expect((await s.info()).balance).toBe(0);
    expect(s.trade(outTradeNo)).toMatchObject({ status: "TRADE_CLOSED", refunded_fen: 5000 });
    // The payment, its redelivery, and both refunds (the second one arrives as TRADE_CLOSED with the refund
    // fields, which must not read as "the order was closed"); both were settled by the synchronous answers.
    const detail = await s.asAdmin("admin/orders", { out_trade_no: outTradeNo });
    expect(detail.data.notifications.map((n: Record<string, string>) => `${n.kind}:${n.outcome}`)).toEqual([
      "payment:applied",
      "payment:duplicate",
      "refund:duplicate",
      "refund:duplicate",
    ]);
    expect(detail.data.order).toMatchObject({ status: "REFUND", refund_fee: 5000 });
  });

  it("pays a goods order from the App and puts the stock back once on a full refund", async () => {
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "goods", custom: { goods_id: "pen", quantity: 1 } }, "app");
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_app-plus", total_fee: 1990 } });
    const orderInfo = created.data.orderInfo as string;
    // The order string carries the certificate SNs as Alipay's App SDK expects.
    const params = new URLSearchParams(orderInfo.replace(/\+/g, "%2B"));
    expect(params.get("app_cert_sn")).toBe(s.alipay.keys.appCertSn);
    expect(params.get("alipay_root_cert_sn")).toBe(s.alipay.keys.alipayRootCertSn);
    expect(await s.control("app-pay", { orderInfo })).toMatchObject({ ok: true, trade_status: "WAIT_BUYER_PAY" });
    await s.control("pay", { out_trade_no: created.data.out_trade_no });
    await s.control("redeliver", { out_trade_no: created.data.out_trade_no });
    expect(await s.stock("pen")).toBe(4);
    expect(await s.asAdmin("admin/refund", { out_trade_no: created.data.out_trade_no })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", refund_fee: 1990 },
    });
    await s.alipay.idle();
    expect(await s.stock("pen")).toBe(5);
    // App pay notifies the closing full refund too; it must not put the stock back a second time.
    await s.control("redeliver", { out_trade_no: created.data.out_trade_no });
    expect(await s.stock("pen")).toBe(5);
    expect(await s.order(created.data.out_trade_no)).toMatchObject({ status: "REFUND", refund_fee: 1990 });
  });

  it("pays a custom order the developer's server code shows as a QR code, and refunds part of it from there", async () => {
    const outTradeNo = `COURSE${Date.now()}`;
    const created = await s.call("till", {
      action: "qr",
      out_trade_no: outTradeNo,
      total_fee: 1234,
      type: "custom",
      subject: "线下课程",
      custom: { course_id: "c-7" },
    });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_h5", needQRcode: true, orderInfo: { codeUrl: expect.stringContaining("/cashier?") } } });
    // A client cannot create a custom order: there is no create hook to price it.
    expect((await s.client("pay/createPayment", { provider: "alipay", type: "custom", total_fee: 1 })).code).not.toBe(0);
    // The cashier URL names the certificate-mode app, whose trade it is.
    expect(await (await fetch(created.data.orderInfo.codeUrl)).text()).toContain("12.34");
    await s.control("pay", { out_trade_no: outTradeNo });
    await s.control("redeliver", { out_trade_no: outTradeNo });
    const purchases = (await s.db.collection("vk-pay-purchases").where({ out_trade_no: outTradeNo }).get()).data;
    expect(purchases).toEqual([expect.objectContaining({ type: "custom", user_id: "u1", custom: { course_id: "c-7" } })]);
    expect(await s.call("till", { action: "query", out_trade_no: outTradeNo })).toMatchObject({
      code: 0,
      data: { trade_state: "SUCCESS", user_order_success: true },
    });
    expect(await s.call("till", { action: "refund", out_trade_no: outTradeNo, refund_fee: 234 })).toMatchObject({
      code: 0,
      data: { refund_status: "SUCCESS", refund_fee: 234 },
    });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 234 });
    expect(
      s.alipay.state
        .refunds()
        .filter((r) => r.out_trade_no === outTradeNo)
        .map((r) => r.refund_fen),
    ).toEqual([234]);
  });

  describe("pay-codes at the till", () => {
    it("extends VIP from a pay-code paid at once, once", async () => {
      const outTradeNo = `VIPTILL${Date.now()}`;
      const before = Date.now();
      const created = await s.call("till", {
        action: "codepay",
        out_trade_no: outTradeNo,
        total_fee: 29900,
        type: "vip",
        auth_code: PAY_CODES.pay,
        custom: { vip_type: "year", days: 365 },
      });
      expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_codepay", orderInfo: { tradeState: "SUCCESS" } } });
      await s.alipay.idle();
      await s.control("redeliver", { out_trade_no: outTradeNo });
      const expiry = (await s.info()).vip_expire_date;
      expect(expiry).toBeGreaterThanOrEqual(before + 365 * 86_400_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 365 * 86_400_000);
      expect(await s.outcomes(outTradeNo)).toEqual(["duplicate", "duplicate"]);
    });

    it("credits a recharge the buyer confirms on the phone, found paid by the library's own queries, and refuses an invalid code", async () => {
      const before = (await s.info()).balance;
      const pending = `TILL${Date.now()}2`;
      expect(
        await s.call("till", { action: "codepay", out_trade_no: pending, total_fee: 600, type: "recharge", auth_code: PAY_CODES.userPaying }),
      ).toMatchObject({ code: 0, data: { orderInfo: { tradeState: "SUCCESS" } } });
      expect(await s.call("till", { action: "query", out_trade_no: pending })).toMatchObject({ data: { trade_state: "SUCCESS", orderPaid: true } });
      await s.alipay.idle();
      expect((await s.info()).balance).toBe(before + 600);

      const invalid = `TILL${Date.now()}3`;
      expect(await s.call("till", { action: "codepay", out_trade_no: invalid, total_fee: 600, type: "recharge", auth_code: PAY_CODES.invalid })).toMatchObject({
        code: 0,
        data: { orderInfo: { tradeState: "PAYERROR" } },
      });
      expect(await s.order(invalid)).toMatchObject({ status: "CLOSED" });
      expect((await s.info()).balance).toBe(before + 600);
    });
  });

  it("closes an unpaid mini-program order at Alipay and here, after which the buyer cannot pay it", async () => {
    const code = await s.control("issue-code", { app_id: s.app.appId });
    const openid = (await s.client("pay/code2SessionAlipay", { code: code.code }, "mp-alipay")).data.openid;
    const created = await s.client(
      "pay/createPayment",
      { provider: "alipay", type: "vip", custom: { vip_type: "month" }, openid, other: { product_code: "JSAPI_PAY" } },
      "mp-alipay",
    );
    const outTradeNo = created.data.out_trade_no as string;
    expect(await s.client("pay/closeOrder", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
    expect(s.trade(outTradeNo)).toMatchObject({ status: "TRADE_CLOSED" });
    expect(await s.control("pay", { out_trade_no: outTradeNo })).toMatchObject({ ok: false });
    expect(await s.client("pay/queryPayment", { out_trade_no: outTradeNo })).toMatchObject({ data: { trade_state: "CLOSED", orderPaid: false } });
    // The close itself was notified (JSAPI_PAY trades notify TRADE_CLOSED): recorded once, and it can only
    // close. Whether it lands before the confirming query's close ("applied") or after ("ignored") is timing.
    await s.alipay.idle();
    const outcomes = await s.outcomes(outTradeNo);
    expect(outcomes).toHaveLength(1);
    expect(["applied", "ignored"]).toContain(outcomes[0]);
    expect(await s.order(outTradeNo)).toMatchObject({ status: "CLOSED" });
    expect((await s.order(outTradeNo)).pay_date).toBeUndefined();
  });

  // Last: from here on the sandbox signs with a rotated certificate.
  it("keeps paying and refunding after Alipay rotates its certificate: the new one is downloaded once, trusted through the root, and kept by SN", async () => {
    const rotation = await s.control("rotate-cert", {});
    expect(rotation.alipay_cert_sn).not.toBe(s.alipay.keys.alipayCertSn);
    const created = await s.client("pay/createPayment", { provider: "alipay", type: "recharge", total_fee: 700 });
    expect(created).toMatchObject({ code: 0, data: { pay_type: "alipay_h5" } });
    const outTradeNo = created.data.out_trade_no as string;
    const before = (await s.info()).balance;
    await s.control("pay", { out_trade_no: outTradeNo });
    expect(await s.outcomes(outTradeNo)).toEqual(["applied"]);
    expect((await s.info()).balance).toBe(before + 700);
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { refund_status: "SUCCESS", refund_fee: 700 } });
    expect(await s.control("cert-downloads", { alipay_cert_sn: rotation.alipay_cert_sn })).toMatchObject({ downloads: 1 });
    const stored = (await s.db.collection("vk-pay-alipay-certs").where({ sn: rotation.alipay_cert_sn }).get()).data;
    expect(stored).toEqual([expect.objectContaining({ app_id: s.app.appId, pem: expect.stringContaining("BEGIN CERTIFICATE") })]);
  });
});
