/**
 * Notifications and the control API: signed form POSTs with Alipay's fields, retries until `success`,
 * which states each product notifies, drop / redeliver / clock / cancel / fail, App pay through
 * `app-pay`, and state kept across a restart.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { ALIPAY_SANDBOX_AUTH_CODES, createAlipaySandbox } from "../../scripts/sandbox/alipay";
import { beijingNow, rsa2, signedText, verifyRsa2 } from "./helpers/alipay-client";
import { newTradeNo, startAlipayHarness, type AlipayHarness } from "./helpers/alipay-harness";

/** Alipay's notification rule: drop sign and sign_type, sort, join the decoded values. */
function notificationVerifies(params: Record<string, string>, key: ReturnType<typeof createPublicKey>): boolean {
  const rest = { ...params };
  delete rest.sign_type;
  return verifyRsa2(signedText(rest), params.sign, key);
}

describe("Alipay sandbox notifications and control API", () => {
  let h: AlipayHarness;
  beforeAll(async () => {
    h = await startAlipayHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.receiver.received.splice(0));

  const notifyUrl = () => `${h.receiver.url}/http/vk-pay/vk-pay-notify/alipay`;
  const keyModeKey = () => createPublicKey(h.sandbox.keys.alipayPublicKeyPem);

  it("posts a signed form with Alipay's fields when a precreate trade is paid from the control API", async () => {
    const no = newTradeNo("N");
    await h.call(
      h.keyApp,
      "alipay.trade.precreate",
      { out_trade_no: no, total_amount: "0.10", subject: "通知 a+b 100%", body: "描述" },
      { params: { notify_url: notifyUrl() } },
    );
    const paid = await h.control("pay", { out_trade_no: no });
    expect(paid.json).toMatchObject({ ok: true, app_id: h.keyApp.appId, out_trade_no: no, trade_status: "TRADE_SUCCESS", notification: "queued" });
    const [received] = await h.receiver.waitFor(1);
    expect(received.path).toBe("/http/vk-pay/vk-pay-notify/alipay");
    expect(received.contentType).toBe("application/x-www-form-urlencoded; charset=utf-8");
    const p = received.params;
    expect(p).toMatchObject({
      notify_type: "trade_status_sync",
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      app_id: h.keyApp.appId,
      auth_app_id: h.keyApp.appId,
      out_trade_no: no,
      trade_no: paid.json.trade_no,
      trade_status: "TRADE_SUCCESS",
      total_amount: "0.10",
      receipt_amount: "0.10",
      buyer_pay_amount: "0.10",
      subject: "通知 a+b 100%",
      body: "描述",
      seller_id: h.sandbox.keys.sellerId,
      fund_bill_list: '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]',
    });
    expect(p.buyer_id).toMatch(/^2088\d{12}$/);
    for (const field of ["notify_time", "gmt_create", "gmt_payment"]) expect(p[field]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(p.notify_id).toMatch(/^\d{34}$/);
    // The `+` and `%` travel percent-encoded and are signed decoded, once.
    expect(received.body).toContain("a%2Bb+100%25");
    expect(notificationVerifies(p, keyModeKey())).toBe(true);
    // sign_type is not part of a payment notification's signed string.
    expect(verifyRsa2(signedText(p), p.sign, keyModeKey())).toBe(false);
  });

  it("retries until the body is exactly `success`, and signs certificate-mode notifications with the certificate's key", async () => {
    const no = newTradeNo("N");
    await h.call(
      h.certApp,
      "alipay.trade.create",
      { out_trade_no: no, total_amount: "1.00", subject: "重试", buyer_id: "2088000000000009" },
      { params: { notify_url: notifyUrl() } },
    );
    h.receiver.answerNext("fail", "success\n");
    await h.control("pay", { out_trade_no: no, app_id: h.certApp.appId });
    const received = await h.receiver.waitFor(3);
    await h.sandbox.idle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    const key = new X509Certificate(h.sandbox.keys.alipayPublicCertPem).publicKey;
    expect(notificationVerifies(received[0].params, key)).toBe(true);
    expect(received[0].params.buyer_id).toBe("2088000000000009");
  });

  it("notifies partial refunds as TRADE_SUCCESS with refund fields; the full refund of a JSAPI trade as TRADE_CLOSED", async () => {
    const no = newTradeNo("N");
    await h.call(
      h.keyApp,
      "alipay.trade.create",
      { out_trade_no: no, total_amount: "5.00", subject: "退款", buyer_id: "2088000000000009", product_code: "JSAPI_PAY" },
      { params: { notify_url: notifyUrl() } },
    );
    await h.control("pay", { out_trade_no: no });
    await h.call(h.keyApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "2.00", out_request_no: "RF1" });
    await h.call(h.keyApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "3.00", out_request_no: "RF2" });
    const [, partial, full] = (await h.receiver.waitFor(3)).map((r) => r.params);
    expect(partial).toMatchObject({ trade_status: "TRADE_SUCCESS", refund_fee: "2.00", out_biz_no: "RF1", total_amount: "5.00" });
    expect(partial.gmt_refund).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(full).toMatchObject({ trade_status: "TRADE_CLOSED", refund_fee: "5.00", out_biz_no: "RF2" });
    expect(full.gmt_close).toBeDefined();
    expect(notificationVerifies(full, keyModeKey())).toBe(true);
    // redeliver by refund number resends that refund's notification, byte for byte.
    expect((await h.control("redeliver", { out_refund_no: "RF1" })).json).toEqual({ ok: true, notification: "queued" });
    expect((await h.receiver.waitFor(4))[3].body).toBe(h.receiver.received[1].body);
  });

  it("does not notify TRADE_CLOSED for 当面付, but does for App pay closed through the API", async () => {
    const f2f = newTradeNo("N");
    await h.call(h.keyApp, "alipay.trade.precreate", { out_trade_no: f2f, total_amount: "1.00", subject: "当面付" }, { params: { notify_url: notifyUrl() } });
    expect((await h.control("cancel", { out_trade_no: f2f })).json).toMatchObject({ trade_status: "TRADE_CLOSED", notification: "not-sent" });

    const orderInfo = appOrderString(h, newTradeNo("N"), "2.00");
    const opened = await h.control("app-pay", { orderInfo });
    expect(opened.json).toMatchObject({ ok: true, trade_status: "WAIT_BUYER_PAY" });
    expect((await h.call(h.keyApp, "alipay.trade.close", { out_trade_no: opened.json.out_trade_no })).response.code).toBe("10000");
    const [closed] = await h.receiver.waitFor(1);
    expect(closed.params).toMatchObject({ trade_status: "TRADE_CLOSED", out_trade_no: opened.json.out_trade_no, total_amount: "2.00" });
    expect(closed.params.gmt_payment).toBeUndefined();
  });

  it("app-pay: verifies the signed order string as Alipay would before the trade can be paid", async () => {
    const no = newTradeNo("N");
    const orderInfo = appOrderString(h, no, "0.01");
    const tampered = orderInfo.replace("0.01", "0.02");
    expect((await h.control("app-pay", { orderInfo: tampered })).json).toMatchObject({ ok: false, sub_code: "isv.invalid-signature" });
    const opened = await h.control("app-pay", { orderInfo });
    expect(opened.json).toMatchObject({ ok: true, out_trade_no: no, trade_status: "WAIT_BUYER_PAY" });
    expect((await h.control("pay", { out_trade_no: no })).json.trade_status).toBe("TRADE_SUCCESS");
    const query = await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: no });
    expect(query.response).toMatchObject({ trade_status: "TRADE_SUCCESS", total_amount: "0.01" });
    expect(h.sandbox.state.trade(h.keyApp.appId, no)?.product_code).toBe("QUICK_MSECURITY_PAY");
  });

  it("drop loses the next notification; redeliver sends it again", async () => {
    const no = newTradeNo("N");
    await h.call(
      h.keyApp,
      "alipay.trade.pay",
      { out_trade_no: no, total_amount: "0.50", subject: "丢失", scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.userPaying },
      { params: { notify_url: notifyUrl() } },
    );
    expect((await h.control("drop", { count: 1 })).json).toEqual({ ok: true, pending_drops: 1 });
    expect((await h.control("pay", { out_trade_no: no })).json.notification).toBe("dropped");
    await h.sandbox.idle();
    expect(h.receiver.received).toHaveLength(0);
    expect((await h.control("redeliver", { out_trade_no: no })).json.notification).toBe("queued");
    expect((await h.receiver.waitFor(1))[0].params).toMatchObject({ out_trade_no: no, trade_status: "TRADE_SUCCESS" });
    expect((await h.control("redeliver", { out_trade_no: newTradeNo("none") })).status).toBe(404);
  });

  it("clock closes expired trades (time_expire in Beijing time) and finishes paid ones after the refund period", async () => {
    const expiring = newTradeNo("N");
    const expire = beijingNow(Date.now() + 10 * 60 * 1000);
    await h.call(
      h.keyApp,
      "alipay.trade.create",
      { out_trade_no: expiring, total_amount: "1.00", subject: "过期", buyer_id: "2088000000000009", product_code: "JSAPI_PAY", time_expire: expire },
      { params: { notify_url: notifyUrl() } },
    );
    const paidNo = newTradeNo("N");
    await h.call(
      h.keyApp,
      "alipay.trade.create",
      { out_trade_no: paidNo, total_amount: "1.00", subject: "完结", buyer_id: "2088000000000009", product_code: "JSAPI_PAY" },
      { params: { notify_url: notifyUrl() } },
    );
    await h.control("pay", { out_trade_no: paidNo });
    const minute = await h.control("clock", { advance_seconds: 11 * 60 });
    expect(minute.json.changed).toEqual(expect.arrayContaining([expect.objectContaining({ out_trade_no: expiring, trade_status: "TRADE_CLOSED" })]));
    expect((await h.control("pay", { out_trade_no: expiring })).status).toBe(409);
    const months = await h.control("clock", { advance_seconds: 91 * 24 * 3600 });
    expect(months.json.changed).toEqual(expect.arrayContaining([expect.objectContaining({ out_trade_no: paidNo, trade_status: "TRADE_FINISHED" })]));
    expect((await h.call(h.keyApp, "alipay.trade.refund", { out_trade_no: paidNo, refund_amount: "1.00" })).response.sub_code).toBe("ACQ.TRADE_HAS_FINISHED");
    const statuses = (await h.receiver.waitFor(3))
      .filter((r) => r.params.out_trade_no !== undefined)
      .map((r) => `${r.params.out_trade_no}:${r.params.trade_status}`);
    expect(statuses).toEqual(expect.arrayContaining([`${expiring}:TRADE_CLOSED`, `${paidNo}:TRADE_SUCCESS`, `${paidNo}:TRADE_FINISHED`]));
  });

  it("fail keeps the trade open with the reason shown on the cashier; control errors are JSON", async () => {
    const no = newTradeNo("N");
    await h.call(h.keyApp, "alipay.trade.precreate", { out_trade_no: no, total_amount: "3.00", subject: "失败" });
    expect((await h.control("fail", { out_trade_no: no })).json).toMatchObject({ ok: true, trade_status: "WAIT_BUYER_PAY" });
    expect(await (await fetch(`${h.base}/cashier?out_trade_no=${no}`)).text()).toContain("余额不足");
    expect((await h.control("pay", {})).json).toEqual({ ok: false, error: "out_trade_no must be a non-empty string" });
    expect((await h.control("pay", "not json")).status).toBe(400);
    expect((await fetch(`${h.base}/pay`)).status).toBe(405);
    expect((await fetch(`${h.base}/cashier?out_trade_no=nothing`)).status).toBe(404);
  });

  it("keeps trades across a restart of the sandbox on the same data directory", async () => {
    const no = newTradeNo("N");
    await h.call(h.keyApp, "alipay.trade.create", { out_trade_no: no, total_amount: "1.00", subject: "持久", buyer_id: "2088000000000009" });
    const restarted = await createAlipaySandbox({ dataDir: h.dataDir, log: () => undefined });
    expect(restarted.state.trade(h.keyApp.appId, no)).toMatchObject({ status: "WAIT_BUYER_PAY", total_fen: 100 });
    expect(restarted.keys).toEqual(h.sandbox.keys);
    await restarted.close();
  });
});

/** What alipay-sdk's sdkExecute produces: every signed parameter as `k=encodeURIComponent(v)`. */
function appOrderString(h: AlipayHarness, outTradeNo: string, total: string): string {
  const params: Record<string, string> = {
    app_id: h.keyApp.appId,
    method: "alipay.trade.app.pay",
    charset: "utf-8",
    sign_type: "RSA2",
    timestamp: beijingNow(),
    version: "1.0",
    notify_url: `${h.receiver.url}/http/vk-pay/vk-pay-notify/alipay`,
    biz_content: JSON.stringify({ out_trade_no: outTradeNo, total_amount: total, subject: "App 支付", product_code: "QUICK_MSECURITY_PAY" }),
  };
  params.sign = rsa2(signedText(params), h.keyApp.appPrivateKeyPem);
  return Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
}
