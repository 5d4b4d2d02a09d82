import { generateKeyPairSync } from "node:crypto";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund, reserveRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import type { RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { encodeAlipayForm } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { ARRIVALS, arrive, withInvalidByte, type Arrival } from "../helpers/lossy-utf8";
import {
  alipaySdkSign,
  APP_ID,
  certModeConfig,
  FakeAlipay,
  generateKeys,
  issueCertificates,
  keyModeConfig,
  NOW,
  SELLER_ID,
  type AlipayKeys,
} from "./fake-alipay";
import { memoryDatabase } from "../helpers/deps";

const provider = createAlipayProvider();
let keys: AlipayKeys;

beforeAll(() => {
  keys = generateKeys();
});

/** A payment notification's fields as Alipay sends them (trade_status_sync). */
function paid(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_time: "2026-01-15 12:00:03",
    notify_type: "trade_status_sync",
    notify_id: "2026011500222120003021231234567890",
    charset: "utf-8",
    version: "1.0",
    app_id: APP_ID,
    auth_app_id: APP_ID,
    trade_no: "2026011522001400001",
    out_trade_no: "T1",
    seller_id: SELLER_ID,
    buyer_id: "2088102534368455",
    trade_status: "TRADE_SUCCESS",
    total_amount: "12.34",
    receipt_amount: "12.34",
    subject: "会员 1+1 月",
    fund_bill_list: '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]',
    gmt_create: "2026-01-15 12:00:00",
    gmt_payment: "2026-01-15 12:00:02",
    ...overrides,
  };
}

const raw = (body: string): RawNotification => ({
  method: "POST",
  path: "/vk-pay-notify/alipay_h5/T1",
  headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  body: Buffer.from(body, "utf8"),
});

describe("alipay verifyNotify", () => {
  let alipay: FakeAlipay;
  beforeEach(() => {
    alipay = new FakeAlipay(keys);
  });
  const verify = (body: string, config = keyModeConfig(keys)) => provider.verifyNotify(raw(body), config, alipay.runtime);

  it("verifies the raw form body, then maps the trade (yuan → fen exactly, Beijing time → ms)", async () => {
    const body = alipay.notification(paid());
    expect(body).toContain("sign_type=RSA2");
    expect(await verify(body)).toEqual({
      kind: "payment",
      state: "SUCCESS",
      outTradeNo: "T1",
      transactionId: "2026011522001400001",
      totalFee: 1234,
      paidAt: Date.UTC(2026, 0, 15, 4, 0, 2),
      appId: APP_ID,
      mchId: SELLER_ID,
      raw: expect.objectContaining({ subject: "会员 1+1 月", fund_bill_list: '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]' }),
    });
  });

  it("accepts a notification that carries no sign_type (RSA2 is the default)", async () => {
    const body = alipay.notification(paid()).replace(/&?sign_type=RSA2/, "");
    expect(body).not.toContain("sign_type");
    expect(await verify(body)).toMatchObject({ kind: "payment", state: "SUCCESS", totalFee: 1234 });
  });

  it("works the same in certificate mode (the Alipay certificate's key verifies)", async () => {
    const certs = await issueCertificates(keys);
    expect(await verify(alipay.notification(paid()), certModeConfig(keys, certs))).toMatchObject({ state: "SUCCESS" });
  });

  it.each([
    ["a literal + turned into a space", (body: string) => body.replace("1%2B1", "1+1")],
    ["one changed amount", (body: string) => body.replace("total_amount=12.34", "total_amount=1234.00")],
    ["a duplicated field", (body: string) => `${body}&total_amount=0.01`],
    ["a double-encoded value", (body: string) => body.replace("1%2B1", "1%252B1")],
  ])("refuses %s", async (_label, tamper) => {
    const body = alipay.notification(paid());
    expect(body).toContain("1%2B1");
    await expect(verify(tamper(body))).rejects.toBeInstanceOf(SignatureError);
  });

  it("refuses a notification signed by anyone but Alipay, an unsigned one, legacy RSA, and an empty body", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    await expect(verify(alipay.notification(paid(), stranger))).rejects.toMatchObject({ errCode: "vk-pay-alipay-signature-invalid" });
    await expect(verify(encodeAlipayForm(paid()))).rejects.toMatchObject({ errCode: "vk-pay-alipay-signature-missing" });
    await expect(verify(alipay.notification(paid()).replace("sign_type=RSA2", "sign_type=RSA"))).rejects.toMatchObject({
      errCode: "vk-pay-alipay-sign-type-unsupported",
    });
    await expect(verify("")).rejects.toBeInstanceOf(SignatureError);
  });

  it("another app_id passes verification and is carried as appId, for the core to refuse", async () => {
    expect(await verify(alipay.notification(paid({ app_id: "2021009999999999" })))).toMatchObject({ kind: "payment", appId: "2021009999999999" });
  });

  it("with the merchant's sellerId configured, refuses a verified notification naming another seller (payment or refund) and accepts its own", async () => {
    const config = keyModeConfig(keys, { sellerId: SELLER_ID });
    await expect(verify(alipay.notification(paid({ seller_id: "2088000000000001" })), config)).rejects.toMatchObject({
      errCode: "vk-pay-alipay-notify-invalid",
    });
    await expect(verify(alipay.notification(paid({ seller_id: "2088000000000001", out_biz_no: "T1-1", refund_fee: "1.00" })), config)).rejects.toBeInstanceOf(
      SignatureError,
    );
    expect(alipay.requests).toHaveLength(0);
    expect(await verify(alipay.notification(paid()), config)).toMatchObject({ kind: "payment", mchId: SELLER_ID });
    await expect(verify(alipay.notification(paid()), keyModeConfig(keys, { sellerId: "12345" }))).rejects.toMatchObject({
      errCode: "vk-pay-alipay-config-invalid",
    });
  });

  it.each([
    ["TRADE_FINISHED", "SUCCESS"],
    ["TRADE_CLOSED", "CLOSED"],
    ["WAIT_BUYER_PAY", "NOTPAY"],
  ])("trade_status %s → %s", async (tradeStatus, state) => {
    expect(await verify(alipay.notification(paid({ trade_status: tradeStatus })))).toMatchObject({ kind: "payment", state });
  });

  it("total_amount one fen off converts exactly (12.33 → 1233), so the core's binding sees the difference", async () => {
    expect(await verify(alipay.notification(paid({ total_amount: "12.33" })))).toMatchObject({ totalFee: 1233 });
  });

  it("refund fields (out_biz_no, refund_fee, gmt_refund) become a refund event for that out_request_no, from a verified refund query", async () => {
    alipay.on("alipay.trade.fastpay.refund.query", (r) => ({
      body: {
        code: "10000",
        msg: "Success",
        out_trade_no: "T1",
        out_request_no: r.biz.out_request_no,
        refund_amount: "2.00",
        refund_status: "REFUND_SUCCESS",
        gmt_refund_pay: "2026-01-15 12:20:00",
      },
    }));
    // Second partial refund: Alipay's refund_fee (5.34) is the trade's total refunded, not this refund's 2.00.
    const body = alipay.notification(paid({ out_biz_no: "T1-2", refund_fee: "5.34", gmt_refund: "2026-01-15 12:20:00.123" }));
    expect(await verify(body)).toMatchObject({
      kind: "refund",
      state: "SUCCESS",
      outTradeNo: "T1",
      outRefundNo: "T1-2",
      refundFee: 200,
      settledAt: Date.UTC(2026, 0, 15, 4, 20, 0),
    });
    expect(alipay.only("alipay.trade.fastpay.refund.query").biz).toMatchObject({ out_trade_no: "T1", out_request_no: "T1-2" });
  });

  it("reads a verified notify type other than trade_status_sync as an event to acknowledge and ignore, and still refuses it unsigned", async () => {
    expect(await verify(alipay.notification(paid({ notify_type: "servicemarket_order_notify" })))).toEqual({
      kind: "ignored",
      eventType: "servicemarket_order_notify",
      outTradeNo: "T1",
    });
    const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    await expect(verify(alipay.notification(paid({ notify_type: "servicemarket_order_notify" }), forger))).rejects.toBeInstanceOf(SignatureError);
  });

  it("answers exactly `success`, or `fail` so Alipay delivers again", () => {
    expect(provider.acknowledge(true)).toEqual({
      mpserverlessComposedResponse: true,
      statusCode: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "success",
    });
    expect(provider.acknowledge(false)).toMatchObject({ statusCode: 400, body: "fail" });
  });
});

describe("alipay notifications through the core's pipeline", () => {
  let database: ReturnType<typeof memoryDatabase>;
  let db: Database;
  let alipay: FakeAlipay;

  beforeEach(async () => {
    database = memoryDatabase();
    db = database.db;
    alipay = new FakeAlipay(keys);
    await openOrder(
      {
        out_trade_no: "T1",
        type: "goods",
        provider: "alipay",
        pay_type: "alipay_h5",
        total_fee: 1234,
        description: "会员",
        mch_id: SELLER_ID,
        provider_appid: APP_ID,
        notify_url: "http://x",
        notify_path: "/vk-pay-notify/alipay_h5/T1",
      },
      NOW,
      db,
    );
  });
  afterEach(() => database.close());

  const deliver = (body: string, isBase64Encoded = false) =>
    processNotification(
      {
        path: "/vk-pay-notify/alipay_h5/T1",
        httpMethod: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
        body,
        isBase64Encoded,
      },
      "/vk-pay-notify/",
      {
        db,
        now: () => NOW,
        log: () => undefined,
        findProvider: (name) => (name === "alipay" ? provider : undefined),
        providerNames: () => ["alipay"],
        config: () => validatePayConfig({ alipay: { h5: keyModeConfig(keys) } }),
        runtime: alipay.runtime,
      },
    );
  const log = async () => (await db.collection("vk-pay-notify-log").orderBy("create_date", "asc").limit(100).get()).data as Array<Record<string, unknown>>;

  it("a genuine payment notification pays the order and is answered `success`", async () => {
    const reply = await deliver(alipay.notification(paid()));
    expect(reply).toMatchObject({ statusCode: 200, body: "success" });
    expect(await findOrder("T1", db)).toMatchObject({
      status: "SUCCESS",
      transaction_id: "2026011522001400001",
      pay_date: Date.UTC(2026, 0, 15, 4, 0, 2),
      notify_mode: 1,
    });
  });

  it("a notification alipay-sdk signs (sign_type inside the signed string) is accepted too", async () => {
    const signed = alipaySdkSign("alipay.trade.notify", paid(), keys.alipayPrivatePem);
    expect((await deliver(encodeAlipayForm(signed))).body).toBe("success");
    expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS" });
  });

  it.each([
    ["total_amount one fen off", paid({ total_amount: "12.33" }), /amount 1233 does not match the order's 1234/],
    ["another app_id", paid({ app_id: "2021009999999999" }), /app id 2021009999999999 does not match/],
    ["another seller", paid({ seller_id: "2088000000000001" }), /merchant 2088000000000001 does not match/],
  ])("%s: verified, recorded, refused, and the order is untouched", async (_label, fields, reason) => {
    const reply = await deliver(alipay.notification(fields));
    expect(reply).toMatchObject({ statusCode: 400, body: "fail" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    expect((await log())[0]).toMatchObject({ outcome: "refused", reason: expect.stringMatching(reason) });
  });

  it("a + turned into a space fails verification and changes nothing", async () => {
    const reply = await deliver(alipay.notification(paid()).replace("1%2B1", "1+1"));
    expect(reply).toMatchObject({ statusCode: 400, body: "fail" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    expect((await log())[0]).toMatchObject({ outcome: "refused", reason: expect.stringContaining("signature-invalid") });
  });

  it("a refund reported in a notification reaches the refund ledger", async () => {
    const order = (await findOrder("T1", db))!;
    await markPaid(order, { transactionId: "2026011522001400001", paidAt: NOW, notifyMode: 1 }, NOW, db);
    await reserveRefund(order._id, { outRefundNo: "T1-1", refundFee: 234, desc: "" }, NOW, db);
    alipay.on("alipay.trade.fastpay.refund.query", () => ({
      body: {
        code: "10000",
        msg: "Success",
        out_trade_no: "T1",
        out_request_no: "T1-1",
        refund_amount: "2.34",
        refund_status: "REFUND_SUCCESS",
        gmt_refund_pay: "2026-01-15 12:10:00",
      },
    }));
    const reply = await deliver(alipay.notification(paid({ out_biz_no: "T1-1", refund_fee: "2.34", gmt_refund: "2026-01-15 12:10:00.000" })));
    expect(reply.body).toBe("success");
    expect(await findRefund("T1-1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 234 });
    expect(await findOrder("T1", db)).toMatchObject({ status: "REFUND", refund_fee: 234 });
  });

  describe("a notification signed over a lossy decoding of the bytes sent", () => {
    /** Signed with U+FFFD in `subject`; sent with the raw invalid byte 0xFF where its escape was. */
    const lossy = (fields: Record<string, string>, how: Arrival) => {
      const form = alipay.notification({ ...fields, subject: "会员\uFFFD" });
      expect(form).toContain("%EF%BF%BD");
      const sent = arrive(withInvalidByte(form.replace("%EF%BF%BD", "\uFFFD")), how);
      return deliver(sent.body, sent.isBase64Encoded);
    };

    it("verifies as lossy text, so only the bytes can tell", async () => {
      const form = alipay.notification({ ...paid(), subject: "会员\uFFFD" }).replace("%EF%BF%BD", "\uFFFD");
      await expect(provider.verifyNotify(raw(form), keyModeConfig(keys), alipay.runtime)).resolves.toMatchObject({ kind: "payment", outTradeNo: "T1" });
    });

    it.each(ARRIVALS)("a payment notification %s is refused and the order stays unpaid", async (how) => {
      expect(await lossy(paid(), how)).toMatchObject({ statusCode: 400, body: "fail" });
      expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
      expect(await log()).toEqual([expect.objectContaining({ outcome: "refused", reason: expect.stringContaining("UTF-8") })]);
    });

    it.each(ARRIVALS)("a refund notification %s is refused before the refund is looked up or settled", async (how) => {
      const order = (await findOrder("T1", db))!;
      await markPaid(order, { transactionId: "2026011522001400001", paidAt: NOW, notifyMode: 1 }, NOW, db);
      await reserveRefund(order._id, { outRefundNo: "T1-1", refundFee: 234, desc: "" }, NOW, db);
      let lookups = 0;
      alipay.on("alipay.trade.fastpay.refund.query", () => {
        lookups += 1;
        return {
          body: {
            code: "10000",
            msg: "Success",
            out_trade_no: "T1",
            out_request_no: "T1-1",
            refund_amount: "2.34",
            refund_status: "REFUND_SUCCESS",
            gmt_refund_pay: "2026-01-15 12:10:00",
          },
        };
      });
      expect(await lossy(paid({ out_biz_no: "T1-1", refund_fee: "2.34", gmt_refund: "2026-01-15 12:10:00.000" }), how)).toMatchObject({ body: "fail" });
      expect(lookups).toBe(0);
      expect(await findRefund("T1-1", db)).toMatchObject({ status: "PROCESSING" });
      expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    });
  });
});
