import { X509Certificate, type KeyObject } from "node:crypto";
import { newOrderNo, startHarness, type Harness, type ReceivedNotification } from "./helpers/wxpay-harness";
import { decryptResource, verifyWechatpaySignature } from "./helpers/wxpay-merchant";

describe("WeChat Pay v3 sandbox: payments, refunds and their notifications", () => {
  let h: Harness;
  let platform: Record<string, KeyObject>;
  beforeAll(async () => {
    h = await startHarness();
    platform = { [h.sandbox.keys.platformSerial]: new X509Certificate(h.sandbox.keys.platformCertPem).publicKey };
  });
  afterAll(() => h.close());
  beforeEach(() => h.receiver.received.splice(0));

  async function paidOrder(total = 1000): Promise<{ no: string; transactionId: string }> {
    const no = newOrderNo();
    expect((await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no, { amount: { total, currency: "CNY" } }))).status).toBe(200);
    const paid = await h.control("pay", { out_trade_no: no });
    expect(paid.json).toMatchObject({ ok: true, trade_state: "SUCCESS", notification: "queued" });
    await h.sandbox.idle();
    h.receiver.received.splice(0);
    return { no, transactionId: paid.json.transaction_id };
  }

  /** What a merchant does with a notification: verify the raw body, then decrypt. */
  function open(notification: ReceivedNotification) {
    expect(verifyWechatpaySignature(notification.headers as Record<string, string>, notification.body, platform)).toBe(true);
    const envelope = JSON.parse(notification.body);
    expect(envelope).toMatchObject({
      id: expect.any(String),
      create_time: expect.stringMatching(/\+08:00$/),
      resource_type: "encrypt-resource",
      resource: { algorithm: "AEAD_AES_256_GCM" },
    });
    return { envelope, resource: JSON.parse(decryptResource(envelope.resource, h.sandbox.keys.v3Key)) };
  }

  it("pay: a signed TRANSACTION.SUCCESS reaches notify_url and decrypts to the transaction; the query agrees", async () => {
    const no = newOrderNo();
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no, { attach: "custom" }));
    const paid = await h.control("pay", { out_trade_no: no });
    const [notification] = await h.receiver.waitFor(1);
    expect(notification.path).toBe("/http/vk-pay/vk-pay-notify/wxpay_mp-weixin");
    expect(notification.headers["wechatpay-serial"]).toBe(h.sandbox.keys.platformSerial);
    const { envelope, resource } = open(notification);
    expect(envelope).toMatchObject({
      event_type: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      resource: { original_type: "transaction", associated_data: "transaction" },
    });
    expect(resource).toMatchObject({
      mchid: h.merchant.mchid,
      appid: h.sandbox.keys.appId,
      out_trade_no: no,
      transaction_id: paid.json.transaction_id,
      trade_type: "JSAPI",
      trade_state: "SUCCESS",
      attach: "custom",
      amount: { total: 1000, payer_total: 1000, currency: "CNY" },
    });
    // A tampered body no longer verifies.
    expect(verifyWechatpaySignature(notification.headers as Record<string, string>, notification.body.replace("SUCCESS", "SUCCES5"), platform)).toBe(false);
    const query = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${h.merchant.mchid}`);
    expect(query.json).toEqual(resource);
    expect((await h.control("pay", { out_trade_no: no })).status).toBe(409);
  });

  it("fail and cancel change the state and send nothing", async () => {
    const a = newOrderNo();
    const b = newOrderNo();
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(a));
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(b));
    expect((await h.control("fail", { out_trade_no: a })).json).toEqual({ ok: true, trade_state: "PAYERROR" });
    expect((await h.control("cancel", { out_trade_no: b })).json).toEqual({ ok: true, trade_state: "CLOSED" });
    expect((await h.api("GET", `/v3/pay/transactions/out-trade-no/${a}?mchid=${h.merchant.mchid}`)).json.trade_state).toBe("PAYERROR");
    expect((await h.api("GET", `/v3/pay/transactions/out-trade-no/${b}?mchid=${h.merchant.mchid}`)).json.trade_state).toBe("CLOSED");
    await h.sandbox.idle();
    expect(h.receiver.received).toHaveLength(0);
  });

  it("refund: PROCESSING, over-the-remainder refused, refund-result sends REFUND.SUCCESS, the order turns REFUND", async () => {
    const { no, transactionId } = await paidOrder(1000);
    const refund = (outRefundNo: string, amount: number) =>
      h.api("POST", "/v3/refund/domestic/refunds", {
        out_trade_no: no,
        out_refund_no: outRefundNo,
        reason: "测试",
        amount: { refund: amount, total: 1000, currency: "CNY" },
      });
    const first = await refund(`R${no}1`, 600);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      out_refund_no: `R${no}1`,
      out_trade_no: no,
      transaction_id: transactionId,
      status: "PROCESSING",
      amount: { refund: 600, total: 1000 },
    });
    expect(first.json.refund_id).toMatch(/^\d{29}$/);
    // The same out_refund_no again is the same refund; a different amount under it is refused.
    expect((await refund(`R${no}1`, 600)).json.refund_id).toBe(first.json.refund_id);
    expect((await refund(`R${no}1`, 500)).json.code).toBe("INVALID_REQUEST");
    const over = await refund(`R${no}2`, 401);
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ code: "INVALID_REQUEST", message: "申请退款金额超过订单可退金额" });
    const wrongTotal = await h.api("POST", "/v3/refund/domestic/refunds", {
      out_trade_no: no,
      out_refund_no: `R${no}3`,
      amount: { refund: 1, total: 999, currency: "CNY" },
    });
    expect(wrongTotal.json.code).toBe("INVALID_REQUEST");

    expect((await h.control("refund-result", { out_refund_no: `R${no}1`, status: "SUCCESS" })).json).toMatchObject({ ok: true, status: "SUCCESS" });
    const [notification] = await h.receiver.waitFor(1);
    const { envelope, resource } = open(notification);
    expect(envelope).toMatchObject({ event_type: "REFUND.SUCCESS", resource: { original_type: "refund", associated_data: "refund" } });
    expect(resource).toMatchObject({
      mchid: h.merchant.mchid,
      out_trade_no: no,
      transaction_id: transactionId,
      out_refund_no: `R${no}1`,
      refund_status: "SUCCESS",
      amount: { total: 1000, refund: 600 },
    });
    expect((await h.api("GET", `/v3/refund/domestic/refunds/R${no}1`)).json).toMatchObject({ status: "SUCCESS", success_time: expect.any(String) });
    expect((await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${h.merchant.mchid}`)).json.trade_state).toBe("REFUND");
    expect((await h.control("refund-result", { out_refund_no: `R${no}1`, status: "CLOSED" })).status).toBe(409);
    // Exactly the remainder is still refundable.
    expect((await refund(`R${no}4`, 400)).status).toBe(200);
    expect((await h.api("GET", `/v3/refund/domestic/refunds/NOPE${no}`)).json.code).toBe("RESOURCE_NOT_EXISTS");
  });

  it("a CLOSED refund gives its amount back and notifies REFUND.CLOSED; refunds of unpaid orders are refused", async () => {
    const { no } = await paidOrder(500);
    await h.api("POST", "/v3/refund/domestic/refunds", { out_trade_no: no, out_refund_no: `C${no}`, amount: { refund: 500, total: 500, currency: "CNY" } });
    await h.control("refund-result", { out_refund_no: `C${no}`, status: "CLOSED" });
    const [notification] = await h.receiver.waitFor(1);
    expect(open(notification).envelope.event_type).toBe("REFUND.CLOSED");
    expect(
      (await h.api("POST", "/v3/refund/domestic/refunds", { out_trade_no: no, out_refund_no: `D${no}`, amount: { refund: 500, total: 500, currency: "CNY" } }))
        .status,
    ).toBe(200);
    const unpaid = newOrderNo();
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(unpaid));
    const refused = await h.api("POST", "/v3/refund/domestic/refunds", {
      out_trade_no: unpaid,
      out_refund_no: `U${unpaid}`,
      amount: { refund: 1, total: 1000, currency: "CNY" },
    });
    expect(refused.json.code).toBe("INVALID_REQUEST");
    expect((await h.control("refund-result", { out_refund_no: `D${no}`, status: "LOST" })).status).toBe(400);
  });

  it("retries a notification answered with non-2xx until it is accepted", async () => {
    h.receiver.failNext(500, 503);
    const no = newOrderNo();
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no));
    await h.control("pay", { out_trade_no: no });
    const received = await h.receiver.waitFor(3);
    expect(received.map((n) => n.status)).toEqual([500, 503, 200]);
    // The same notification each time (same id), each attempt freshly signed.
    expect(new Set(received.map((n) => JSON.parse(n.body).id)).size).toBe(1);
    received.forEach((n) => expect(verifyWechatpaySignature(n.headers as Record<string, string>, n.body, platform)).toBe(true));
  });

  it("drop loses the next notification; redeliver sends the last one again", async () => {
    expect((await h.control("drop", { count: 1 })).json).toEqual({ ok: true, pending_drops: 1 });
    const no = newOrderNo();
    await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no));
    expect((await h.control("pay", { out_trade_no: no })).json.notification).toBe("dropped");
    await h.sandbox.idle();
    expect(h.receiver.received).toHaveLength(0);
    expect((await h.control("redeliver", { out_trade_no: no })).json).toEqual({ ok: true, notification: "queued" });
    const [notification] = await h.receiver.waitFor(1);
    expect(open(notification).resource).toMatchObject({ out_trade_no: no, trade_state: "SUCCESS" });
    expect((await h.control("redeliver", { out_trade_no: `NONE${no}` })).status).toBe(404);
    expect((await h.control("redeliver", {})).status).toBe(400);
    expect((await h.control("drop", { count: -1 })).status).toBe(400);
  });

  it("clock: past time_expire an unpaid order can no longer be paid or re-prepaid, and can be closed", async () => {
    const no = newOrderNo();
    const expire = new Date(Date.now() + h.sandbox.state.clockOffsetSeconds * 1000 + 10 * 60_000).toISOString().replace("Z", "+00:00").replace(/\.\d+/, "");
    expect((await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no, { time_expire: expire }))).status).toBe(200);
    const moved = await h.control("clock", { advance_seconds: 601 });
    expect(moved.json).toMatchObject({ ok: true, expired: expect.arrayContaining([no]) });
    const pay = await h.control("pay", { out_trade_no: no });
    expect(pay.status).toBe(409);
    expect(pay.json.ok).toBe(false);
    expect((await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no, { time_expire: expire }))).json.code).toBe("INVALID_REQUEST");
    // The signature window still follows the real clock: the merchant's requests keep working.
    expect((await h.api("POST", `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: h.merchant.mchid })).status).toBe(204);
    expect((await h.control("clock", { advance_seconds: "10" })).status).toBe(400);
  });

  it("control input errors are 4xx with { ok: false, error }", async () => {
    expect(await h.control("pay", {})).toEqual({ status: 400, json: { ok: false, error: expect.any(String) } });
    expect((await h.control("pay", { out_trade_no: { $gt: "" } })).status).toBe(400);
    expect((await h.control("pay", "not json")).status).toBe(400);
    expect((await h.control("pay", { out_trade_no: "UNKNOWN0001" })).status).toBe(404);
    expect((await h.control("no-such-action", {})).status).toBe(404);
  });
});
