/**
 * Each gateway method against the sandbox's trade ledger: precreate (the trade exists once scanned),
 * create, pay-code outcomes, query, close, refunds (partial, repeated, idempotent, over the total),
 * refund query, oauth token and balance.
 */
import { ALIPAY_SANDBOX_AUTH_CODES } from "../../scripts/sandbox/alipay";
import { newTradeNo, startAlipayHarness, type AlipayHarness } from "./helpers/alipay-harness";

describe("Alipay sandbox trade methods", () => {
  let h: AlipayHarness;
  beforeAll(async () => {
    h = await startAlipayHarness({ persist: false });
  });
  afterAll(() => h.close());

  const trade = (no: string, extra: Record<string, unknown> = {}) => ({ out_trade_no: no, total_amount: "10.00", subject: "沙箱商品", ...extra });
  const notify = () => ({ params: { notify_url: `${h.receiver.url}/notify` } });

  it("precreate: a QR code to the cashier; the trade exists only once the buyer scans it", async () => {
    const no = newTradeNo("P");
    const created = await h.call(h.keyApp, "alipay.trade.precreate", trade(no), notify());
    expect(created.response).toEqual({ code: "10000", msg: "Success", out_trade_no: no, qr_code: `${h.base}/cashier?out_trade_no=${no}` });
    // Before the scan Alipay knows no trade: query and close answer ACQ.TRADE_NOT_EXIST.
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: no })).response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
    expect((await h.call(h.keyApp, "alipay.trade.close", { out_trade_no: no })).response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
    // The same precreate again gives the same code; other parameters are a tampered trade.
    expect((await h.call(h.keyApp, "alipay.trade.precreate", trade(no), notify())).response.qr_code).toBe(created.response.qr_code);
    expect((await h.call(h.keyApp, "alipay.trade.precreate", trade(no, { total_amount: "9.99" }))).response.sub_code).toBe("ACQ.CONTEXT_INCONSISTENT");
    const page = await fetch(created.response.qr_code);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("¥10.00");
    const waiting = await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: no });
    expect(waiting.response).toMatchObject({
      code: "10000",
      out_trade_no: no,
      trade_status: "WAIT_BUYER_PAY",
      total_amount: "10.00",
      buyer_pay_amount: "0.00",
    });
    expect(waiting.response.trade_no).toMatch(/^\d{8}22001\d{15}$/);
  });

  it("create: a mini-program trade with a trade_no at once, for buyer_id or buyer_open_id", async () => {
    const no = newTradeNo("C");
    const missingBuyer = await h.call(h.certApp, "alipay.trade.create", trade(no));
    expect(missingBuyer.response).toMatchObject({ code: "40004", sub_code: "ACQ.INVALID_PARAMETER" });
    const created = await h.call(
      h.certApp,
      "alipay.trade.create",
      trade(no, { buyer_open_id: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo", product_code: "JSAPI_PAY" }),
    );
    expect(created.response).toMatchObject({ code: "10000", msg: "Success", out_trade_no: no });
    const query = await h.call(h.certApp, "alipay.trade.query", { trade_no: created.response.trade_no });
    expect(query.response).toMatchObject({ out_trade_no: no, trade_status: "WAIT_BUYER_PAY", buyer_open_id: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo" });
    expect(
      (await h.call(h.certApp, "alipay.trade.create", trade(no, { product_code: "QUICK_MSECURITY_PAY", buyer_id: "2088000000000009" }))).response.sub_code,
    ).toBe("ACQ.ACCESS_FORBIDDEN");
    // Another app's out_trade_no space is its own.
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: no })).response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("cancel: a pay code the buyer has not confirmed is closed for good (a later confirm fails); a paid one is refunded", async () => {
    const pendingNo = newTradeNo("B");
    expect(
      (await h.call(h.keyApp, "alipay.trade.pay", trade(pendingNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.userPaying }))).response.code,
    ).toBe("10003");
    const cancelled = await h.call(h.keyApp, "alipay.trade.cancel", { out_trade_no: pendingNo });
    expect(cancelled.response).toMatchObject({ code: "10000", out_trade_no: pendingNo, retry_flag: "N", action: "close" });
    // The queries that would have let the buyer confirm now find a closed trade, however often they ask.
    for (let i = 0; i < 3; i++) expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: pendingNo })).response.trade_status).toBe("TRADE_CLOSED");
    expect(
      (await h.call(h.keyApp, "alipay.trade.pay", trade(pendingNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay }))).response.sub_code,
    ).toBe("ACQ.TRADE_HAS_CLOSE");
    expect((await h.call(h.keyApp, "alipay.trade.cancel", { out_trade_no: pendingNo })).response).toMatchObject({ code: "10000", action: "close" });

    const paidNo = newTradeNo("B");
    await h.call(h.keyApp, "alipay.trade.pay", trade(paidNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay }));
    expect((await h.call(h.keyApp, "alipay.trade.cancel", { out_trade_no: paidNo })).response).toMatchObject({
      code: "10000",
      retry_flag: "N",
      action: "refund",
    });
    const query = await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: paidNo });
    expect(query.response.trade_status).toBe("TRADE_CLOSED");
    expect((await h.call(h.keyApp, "alipay.trade.cancel", { out_trade_no: "nope" })).response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("pay: a pay code that pays at once, one the buyer confirms after queries, one refused, one abandoned", async () => {
    const paid = await h.call(h.keyApp, "alipay.trade.pay", trade(newTradeNo("B"), { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay }));
    expect(paid.response).toMatchObject({
      code: "10000",
      msg: "Success",
      total_amount: "10.00",
      receipt_amount: "10.00",
      fund_bill_list: [{ amount: "10.00", fund_channel: "ALIPAYACCOUNT" }],
    });
    expect(paid.response.gmt_payment).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const pendingNo = newTradeNo("B");
    const pending = await h.call(h.keyApp, "alipay.trade.pay", trade(pendingNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.userPaying }));
    expect(pending.response).toMatchObject({ code: "10003", msg: "order success pay inprocess", out_trade_no: pendingNo, buyer_pay_amount: "0.00" });
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: pendingNo })).response.trade_status).toBe("WAIT_BUYER_PAY");
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: pendingNo })).response.trade_status).toBe("TRADE_SUCCESS");
    expect(
      (await h.call(h.keyApp, "alipay.trade.pay", trade(pendingNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay }))).response.sub_code,
    ).toBe("ACQ.TRADE_HAS_SUCCESS");

    const refusedNo = newTradeNo("B");
    const refused = await h.call(h.keyApp, "alipay.trade.pay", trade(refusedNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.invalid }));
    expect(refused.response).toMatchObject({ code: "40004", msg: "Business Failed", sub_code: "ACQ.PAYMENT_AUTH_CODE_INVALID" });
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: refusedNo })).response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
    expect((await h.call(h.keyApp, "alipay.trade.pay", trade(newTradeNo("B"), { scene: "bar_code", auth_code: "123" }))).response.sub_code).toBe(
      "ACQ.PAYMENT_AUTH_CODE_INVALID",
    );

    const abandonNo = newTradeNo("B");
    expect(
      (await h.call(h.keyApp, "alipay.trade.pay", trade(abandonNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.abandon }))).response.code,
    ).toBe("10003");
    await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: abandonNo });
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: abandonNo })).response.trade_status).toBe("TRADE_CLOSED");
  });

  it("close: closes a waiting trade once; a paid trade cannot be closed", async () => {
    const no = newTradeNo("X");
    await h.call(h.keyApp, "alipay.trade.create", trade(no, { buyer_id: "2088000000000009" }));
    const closed = await h.call(h.keyApp, "alipay.trade.close", { out_trade_no: no });
    expect(closed.response).toMatchObject({ code: "10000", msg: "Success", out_trade_no: no });
    expect((await h.call(h.keyApp, "alipay.trade.query", { out_trade_no: no })).response.trade_status).toBe("TRADE_CLOSED");
    expect((await h.call(h.keyApp, "alipay.trade.close", { out_trade_no: no })).response.sub_code).toBe("ACQ.TRADE_STATUS_ERROR");
    expect((await h.control("pay", { out_trade_no: no })).status).toBe(409);
    const paidNo = newTradeNo("X");
    await h.call(h.keyApp, "alipay.trade.pay", trade(paidNo, { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay }));
    expect((await h.call(h.keyApp, "alipay.trade.close", { out_trade_no: paidNo })).response.sub_code).toBe("ACQ.TRADE_STATUS_ERROR");
  });

  it("refund: partial and repeated up to the total, idempotent per out_request_no, then the trade closes", async () => {
    const no = newTradeNo("R");
    await h.call(h.certApp, "alipay.trade.create", trade(no, { buyer_id: "2088000000000009" }));
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "1.00", out_request_no: "R1" })).response.sub_code).toBe(
      "ACQ.TRADE_STATUS_ERROR",
    );
    expect((await h.control("pay", { out_trade_no: no })).json).toMatchObject({ ok: true, trade_status: "TRADE_SUCCESS" });

    const first = await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "3.00", out_request_no: "R1", refund_reason: "部分退款" });
    expect(first.response).toMatchObject({ code: "10000", fund_change: "Y", refund_fee: "3.00", out_trade_no: no, send_back_fee: "3.00" });
    // The same out_request_no and amount is the same refund: no money moves (fund_change N), the total stays.
    const again = await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "3.00", out_request_no: "R1" });
    expect(again.response).toMatchObject({ code: "10000", fund_change: "N", refund_fee: "3.00", gmt_refund_pay: first.response.gmt_refund_pay });
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "4.00", out_request_no: "R1" })).response.sub_code).toBe(
      "ACQ.DISCORDANT_REPEAT_REQUEST",
    );
    // A partial refund without out_request_no, or more than what is left, is over the limit.
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "1.00" })).response.sub_code).toBe(
      "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
    );
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "7.01", out_request_no: "R2" })).response.sub_code).toBe(
      "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
    );
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "0.00", out_request_no: "R2" })).response.sub_code).toBe(
      "ACQ.REASON_TRADE_REFUND_FEE_ERR",
    );
    const second = await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "7.00", out_request_no: "R2" });
    expect(second.response).toMatchObject({ fund_change: "Y", refund_fee: "10.00" });
    expect((await h.call(h.certApp, "alipay.trade.query", { out_trade_no: no })).response.trade_status).toBe("TRADE_CLOSED");
    expect((await h.call(h.certApp, "alipay.trade.refund", { out_trade_no: no, refund_amount: "0.01", out_request_no: "R3" })).response.sub_code).toBe(
      "ACQ.TRADE_HAS_CLOSE",
    );

    const found = await h.call(h.certApp, "alipay.trade.fastpay.refund.query", { out_trade_no: no, out_request_no: "R1", query_options: ["gmt_refund_pay"] });
    expect(found.response).toEqual({
      code: "10000",
      msg: "Success",
      trade_no: first.response.trade_no,
      out_trade_no: no,
      out_request_no: "R1",
      total_amount: "10.00",
      refund_amount: "3.00",
      refund_status: "REFUND_SUCCESS",
      refund_reason: "部分退款",
      gmt_refund_pay: first.response.gmt_refund_pay,
    });
    // An unknown refund is an empty success: Alipay's way of saying "not refunded".
    expect((await h.call(h.certApp, "alipay.trade.fastpay.refund.query", { out_trade_no: no, out_request_no: "R9" })).response).toEqual({
      code: "10000",
      msg: "Success",
    });
    expect((await h.call(h.certApp, "alipay.trade.fastpay.refund.query", { out_trade_no: "nope", out_request_no: "R1" })).response.sub_code).toBe(
      "ACQ.TRADE_NOT_EXIST",
    );
  });

  it("refund: a full refund without out_request_no uses the trade_no as its request number", async () => {
    const no = newTradeNo("R");
    const paid = await h.call(h.keyApp, "alipay.trade.pay", trade(no, { scene: "bar_code", auth_code: "281234567890123456", total_amount: "0.10" }));
    const full = await h.call(h.keyApp, "alipay.trade.refund", { trade_no: paid.response.trade_no, refund_amount: "0.10" });
    expect(full.response).toMatchObject({ fund_change: "Y", refund_fee: "0.10" });
    const query = await h.call(h.keyApp, "alipay.trade.fastpay.refund.query", { out_trade_no: no, out_request_no: paid.response.trade_no });
    expect(query.response).toMatchObject({ refund_amount: "0.10", refund_status: "REFUND_SUCCESS" });
  });

  it("oauth.token: exchanges an issued code once, for the app it was issued to, answering failures under error_response", async () => {
    const issued = (await h.control("issue-code", { app_id: h.certApp.appId, label: "alice" })).json;
    expect(issued).toMatchObject({ ok: true, app_id: h.certApp.appId });
    expect(issued.user_id).toMatch(/^2088\d{12}$/);
    const wrongApp = await h.call(h.keyApp, "alipay.system.oauth.token", undefined, { params: { grant_type: "authorization_code", code: issued.code } });
    expect(wrongApp.json.error_response).toEqual({ code: "40002", msg: "Invalid Arguments", sub_code: "isv.code-invalid", sub_msg: "授权码code无效" });
    const reissued = (await h.control("issue-code", { app_id: h.certApp.appId, label: "alice" })).json;
    expect(reissued.user_id).toBe(issued.user_id);
    const token = await h.call(h.certApp, "alipay.system.oauth.token", undefined, { params: { grant_type: "authorization_code", code: reissued.code } });
    expect(token.responseKey).toBe("alipay_system_oauth_token_response");
    expect(token.response).toMatchObject({ user_id: issued.user_id, open_id: issued.open_id, expires_in: 1296000 });
    expect(token.response.code).toBeUndefined();
    expect(token.json.alipay_cert_sn).toBe(h.sandbox.keys.alipayCertSn);
    const reused = await h.call(h.certApp, "alipay.system.oauth.token", undefined, { params: { grant_type: "authorization_code", code: reissued.code } });
    expect(reused.json.error_response.sub_code).toBe("isv.code-invalid");
    const refreshed = await h.call(h.certApp, "alipay.system.oauth.token", undefined, {
      params: { grant_type: "refresh_token", refresh_token: token.response.refresh_token },
    });
    expect(refreshed.response.user_id).toBe(issued.user_id);
  });

  it("balance: the merchant's available amount follows payments and refunds", async () => {
    const before = (await h.call(h.keyApp, "alipay.data.bill.balance.query", {})).response;
    expect(before).toMatchObject({ code: "10000", msg: "Success", freeze_amount: "0.00" });
    await h.call(h.keyApp, "alipay.trade.pay", trade(newTradeNo("S"), { scene: "bar_code", auth_code: ALIPAY_SANDBOX_AUTH_CODES.pay, total_amount: "1.23" }));
    const after = (await h.call(h.keyApp, "alipay.data.bill.balance.query", {})).response;
    const fen = (yuan: string) => Math.round(Number(yuan) * 100);
    expect(fen(after.available_amount) - fen(before.available_amount)).toBe(123);
    expect(after.total_amount).toBe(after.available_amount);
  });
});
