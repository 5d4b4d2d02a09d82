import { createCipheriv } from "node:crypto";
import { Aes, Hash, Transformer } from "wechatpay-axios-plugin";
import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import type { Database } from "../../common/vk-uni-pay/src/core/database";
import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { findOrder, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { reserveRefund, findRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import type { RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { encryptReqInfo, reqInfoKeyOf } from "../../common/vk-uni-pay/src/providers/wxpay/v2/protocol";
import { merchantConfig as v3MerchantConfig } from "../wxpay-adapter/fake-wechat";
import { arrivalsOf, withInvalidByte } from "../helpers/lossy-utf8";
import { API_KEY, APP_ID, FakeWechatV2, MCH_ID, signedXml, v2Config } from "./fake-wechat-v2";
import { memoryDatabase } from "../helpers/deps";

/** v2 notifications as WeChat sends them, built and signed by wechatpay-axios-plugin (not by our code). */

const provider = createWxpayProvider({
  database: () => {
    throw new Error("v2 notifications need no database");
  },
  log: () => undefined,
});
const runtime = new FakeWechatV2().runtime;
const raw = (body: string): RawNotification => ({
  method: "POST",
  path: "/vk-pay-notify/wxpay_mp-weixin/T1",
  headers: { "content-type": "text/xml" },
  body: Buffer.from(body, "utf8"),
});
const paymentFields = (overrides: Record<string, string> = {}) => ({
  return_code: "SUCCESS",
  appid: APP_ID,
  mch_id: MCH_ID,
  nonce_str: "5d2b6c2a8db53831f7eda20af46e531c",
  result_code: "SUCCESS",
  openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
  is_subscribe: "N",
  trade_type: "JSAPI",
  bank_type: "CMC",
  total_fee: "100",
  cash_fee: "100",
  coupon_fee_0: "",
  transaction_id: "4200000001202601150000000001",
  out_trade_no: "T1",
  attach: "a&b",
  time_end: "20260115120102",
  ...overrides,
});
/** A refund notification's plaintext in WeChat's layout (`<root>` with CDATA values). */
const refundPlaintext = (fields: Record<string, string>) =>
  `<root>\n${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join("\n")}\n</root>`;
/**
 * wechatpay-axios-plugin's AES-ECB pads only when the length is not a multiple of 16 (its PKCS7.padding
 * is "optional"); WeChat always pads, as PKCS#7 requires, and so do we. Interop is therefore checked
 * on a plaintext whose length makes both agree.
 */
const pluginEncrypt = (plaintext: string) => {
  expect(Buffer.byteLength(plaintext) % 16).not.toBe(0);
  return Aes.AesEcb.encrypt(plaintext, reqInfoKeyOf(API_KEY));
};
const refundInner = {
  refund_account: "REFUND_SOURCE_RECHARGE_FUNDS",
  out_refund_no: "R1",
  out_trade_no: "T1",
  refund_fee: "40",
  refund_id: "50000000001",
  refund_status: "SUCCESS",
  success_time: "2026-01-15 12:00:05",
  total_fee: "100",
  transaction_id: "4200000001202601150000000001",
};
const refundNotification = (reqInfo: string, overrides: Record<string, string> = {}) =>
  Transformer.toXml({ return_code: "SUCCESS", appid: APP_ID, mch_id: MCH_ID, nonce_str: "abc", req_info: reqInfo, ...overrides });

describe("v2 payment notifications", () => {
  it.each(["MD5", "HMAC-SHA256"] as const)("accepts one signed %s by wechatpay-axios-plugin", async (type) => {
    const event = await provider.verifyNotify(raw(signedXml(paymentFields(), API_KEY, type)), v2Config(), runtime);
    expect(event).toMatchObject({
      kind: "payment",
      state: "SUCCESS",
      outTradeNo: "T1",
      transactionId: "4200000001202601150000000001",
      totalFee: 100,
      mchId: MCH_ID,
      appId: APP_ID,
      paidAt: Date.UTC(2026, 0, 15, 4, 1, 2),
    });
  });

  it("refuses a wrong key, a changed field, a missing sign", async () => {
    await expect(provider.verifyNotify(raw(signedXml(paymentFields(), "ffffffffffffffffffffffffffffffff")), v2Config(), runtime)).rejects.toBeInstanceOf(
      SignatureError,
    );
    const tampered = signedXml(paymentFields()).replace("<total_fee>100</total_fee>", "<total_fee>1</total_fee>");
    expect(tampered).toContain("<total_fee>1</total_fee>");
    await expect(provider.verifyNotify(raw(tampered), v2Config(), runtime)).rejects.toBeInstanceOf(SignatureError);
    await expect(provider.verifyNotify(raw(Transformer.toXml(paymentFields())), v2Config(), runtime)).rejects.toBeInstanceOf(SignatureError);
  });

  it("refuses a notification for another merchant even when it verifies", async () => {
    await expect(provider.verifyNotify(raw(signedXml(paymentFields({ mch_id: "1900000999" }))), v2Config(), runtime)).rejects.toMatchObject({
      detail: expect.stringMatching(/another merchant/),
    });
  });

  it("refuses a body with a DOCTYPE or entities", async () => {
    const body = `<!DOCTYPE xml [<!ENTITY fee "100">]>${signedXml(paymentFields())}`;
    await expect(provider.verifyNotify(raw(body), v2Config(), runtime)).rejects.toMatchObject({ detail: expect.stringMatching(/DOCTYPE or entity/) });
  });

  it("reports a result_code FAIL payment as PAYERROR (never paid)", async () => {
    const event = await provider.verifyNotify(raw(signedXml(paymentFields({ result_code: "FAIL", err_code: "NOTENOUGH" }))), v2Config(), runtime);
    expect(event).toMatchObject({ kind: "payment", state: "PAYERROR" });
  });

  it("a v2 notification for a v3-configured merchant is refused, and a v3 one for a v2 merchant", async () => {
    const v2Body = raw(signedXml(paymentFields()));
    await expect(provider.verifyNotify(v2Body, v3MerchantConfig(), runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-notify-version-mismatch" });
    const v3Body = raw(JSON.stringify({ id: "EV-1", event_type: "TRANSACTION.SUCCESS", resource_type: "encrypt-resource", resource: {} }));
    await expect(provider.verifyNotify(v3Body, v2Config(), runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-notify-version-mismatch" });
  });
});

describe("v2 refund notifications (req_info)", () => {
  it("accepts one whose req_info wechatpay-axios-plugin's AES-ECB encrypted", async () => {
    const reqInfo = pluginEncrypt(refundPlaintext(refundInner));
    const event = await provider.verifyNotify(raw(refundNotification(reqInfo)), v2Config(), runtime);
    expect(event).toMatchObject({
      kind: "refund",
      state: "SUCCESS",
      outTradeNo: "T1",
      outRefundNo: "R1",
      refundId: "50000000001",
      refundFee: 40,
      settledAt: Date.UTC(2026, 0, 15, 4, 0, 5),
    });
  });

  it("our req_info opens with wechatpay-axios-plugin's AES-ECB", () => {
    const plaintext = refundPlaintext(refundInner);
    expect(Aes.AesEcb.decrypt(encryptReqInfo(plaintext, API_KEY), reqInfoKeyOf(API_KEY))).toBe(plaintext);
  });

  it.each([
    ["SUCCESS", "SUCCESS"],
    ["CHANGE", "ABNORMAL"],
    ["REFUNDCLOSE", "CLOSED"],
  ])("refund_status %s → %s", async (wire, ours) => {
    const reqInfo = encryptReqInfo(refundPlaintext({ ...refundInner, refund_status: wire }), API_KEY);
    expect(await provider.verifyNotify(raw(refundNotification(reqInfo)), v2Config(), runtime)).toMatchObject({ kind: "refund", state: ours });
  });

  it("refuses req_info under another key, a non-root plaintext, and another merchant", async () => {
    const foreign = encryptReqInfo(refundPlaintext(refundInner), "ffffffffffffffffffffffffffffffff");
    await expect(provider.verifyNotify(raw(refundNotification(foreign)), v2Config(), runtime)).rejects.toBeInstanceOf(SignatureError);
    const notRoot = encryptReqInfo("<xml><out_refund_no>R1</out_refund_no></xml>", API_KEY);
    await expect(provider.verifyNotify(raw(refundNotification(notRoot)), v2Config(), runtime)).rejects.toBeInstanceOf(SignatureError);
    const withEntity = encryptReqInfo(`<!DOCTYPE root [<!ENTITY f "40">]>${refundPlaintext({ ...refundInner, refund_fee: "&f;" })}`, API_KEY);
    await expect(provider.verifyNotify(raw(refundNotification(withEntity)), v2Config(), runtime)).rejects.toBeInstanceOf(SignatureError);
    const ours = encryptReqInfo(refundPlaintext(refundInner), API_KEY);
    await expect(provider.verifyNotify(raw(refundNotification(ours, { mch_id: "1900000999" })), v2Config(), runtime)).rejects.toMatchObject({
      detail: expect.stringMatching(/another merchant/),
    });
  });
});

describe("acknowledge answers in the notification's dialect", () => {
  it("v2 XML: SUCCESS / FAIL XML with HTTP 200", () => {
    const accepted = provider.acknowledge(true, { notification: raw(signedXml(paymentFields())) });
    expect(accepted).toMatchObject({ statusCode: 200, headers: { "content-type": "text/xml; charset=utf-8" } });
    expect(accepted.body).toBe("<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>");
    const refused = provider.acknowledge(false, { notification: raw(signedXml(paymentFields())) });
    expect(Transformer.toObject(refused.body)).toMatchObject({ return_code: "FAIL" });
  });

  it("v3 JSON: JSON; no body and no config: v2's XML, since it cannot be v3", () => {
    expect(provider.acknowledge(true, { notification: raw('{"id":"1"}') })).toMatchObject({
      statusCode: 200,
      body: JSON.stringify({ code: "SUCCESS", message: "成功" }),
    });
    expect(provider.acknowledge(false)).toMatchObject({ statusCode: 200, body: expect.stringContaining("FAIL") });
  });
});

describe("v2 notifications through the core pipeline", () => {
  let database: ReturnType<typeof memoryDatabase>;
  let db: Database;
  const deps = (config: Record<string, unknown> = v2Config()) => ({
    db,
    now: () => 10_000,
    log: () => undefined,
    findProvider: (name: string) => (name === "wxpay" ? provider : undefined),
    providerNames: () => ["wxpay"],
    config: () => validatePayConfig({ wxpay: { "mp-weixin": { ...config } } }),
    runtime,
  });
  const deliver = (body: string, config?: Record<string, unknown>, isBase64Encoded = false) =>
    processNotification(
      { path: "/vk-pay-notify/wxpay_mp-weixin/T1", httpMethod: "POST", headers: { "content-type": "text/xml" }, body, isBase64Encoded },
      "/vk-pay-notify/",
      deps(config),
    );

  beforeEach(async () => {
    database = memoryDatabase();
    db = database.db;
    await openOrder(
      {
        out_trade_no: "T1",
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_mp-weixin",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        mch_id: MCH_ID,
        provider_appid: APP_ID,
        notify_url: "http://x",
        notify_path: "/vk-pay-notify/wxpay_mp-weixin/T1",
      },
      1000,
      db,
    );
  });
  afterEach(() => database.close());

  it("applies a verified payment once and answers SUCCESS XML", async () => {
    const body = signedXml(paymentFields());
    const first = await deliver(body);
    const second = await deliver(body);
    expect(Transformer.toObject(first.body)).toMatchObject({ return_code: "SUCCESS" });
    expect(Transformer.toObject(second.body)).toMatchObject({ return_code: "SUCCESS" });
    expect(await findOrder("T1", db)).toMatchObject({
      status: "SUCCESS",
      transaction_id: "4200000001202601150000000001",
      pay_date: Date.UTC(2026, 0, 15, 4, 1, 2),
    });
  });

  it("an amount that differs from the order is caught by the core: nothing changes, FAIL is answered", async () => {
    const reply = await deliver(signedXml(paymentFields({ total_fee: "1", cash_fee: "1" })));
    expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    const log = (await db.collection("vk-pay-notify-log").get()).data as Array<Record<string, unknown>>;
    expect(log).toEqual([expect.objectContaining({ outcome: "refused", reason: expect.stringContaining("amount 1 does not match") })]);
  });

  it("a v2 notification for a v3-configured merchant changes nothing and is answered FAIL in XML", async () => {
    const reply = await deliver(signedXml(paymentFields()), v3MerchantConfig());
    expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
  });

  it("a refund notification settles the reserved refund", async () => {
    await deliver(signedXml(paymentFields()));
    const order = (await findOrder("T1", db))!;
    await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 40, desc: "x" }, 2000, db);
    const reqInfo = pluginEncrypt(refundPlaintext(refundInner));
    const reply = await deliver(refundNotification(reqInfo));
    expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "SUCCESS" });
    expect(await findRefund("R1", db)).toMatchObject({ status: "SUCCESS", refund_id: "50000000001" });
  });
});

describe("v2 notifications whose signature covers only a lossy decoding of the bytes received", () => {
  let database: ReturnType<typeof memoryDatabase>;
  let db: Database;
  const deliver = (arrival: { body: string; isBase64Encoded: boolean }) =>
    processNotification(
      { path: "/vk-pay-notify/wxpay_mp-weixin/T1", httpMethod: "POST", headers: { "content-type": "text/xml" }, ...arrival },
      "/vk-pay-notify/",
      {
        db,
        now: () => 10_000,
        log: () => undefined,
        findProvider: (name: string) => (name === "wxpay" ? provider : undefined),
        providerNames: () => ["wxpay"],
        config: () => validatePayConfig({ wxpay: { "mp-weixin": v2Config() } }),
        runtime,
      },
    );
  const notifyLog = async () => (await db.collection("vk-pay-notify-log").get()).data as Array<Record<string, unknown>>;

  beforeEach(async () => {
    database = memoryDatabase();
    db = database.db;
    await openOrder(
      {
        out_trade_no: "T1",
        type: "recharge",
        provider: "wxpay",
        pay_type: "wxpay_mp-weixin",
        total_fee: 100,
        description: "x",
        user_id: "u1",
        mch_id: MCH_ID,
        provider_appid: APP_ID,
        notify_url: "http://x",
        notify_path: "/vk-pay-notify/wxpay_mp-weixin/T1",
      },
      1000,
      db,
    );
  });
  afterEach(() => database.close());

  // Signed over the text with U+FFFD; sent with the byte 0xFF in its place.
  const lossyPayment = () => signedXml(paymentFields({ attach: "till\uFFFD7" }));

  it("the lossy text itself verifies, so only the bytes can tell", async () => {
    await expect(provider.verifyNotify(raw(lossyPayment()), v2Config(), runtime)).resolves.toMatchObject({ kind: "payment", outTradeNo: "T1" });
  });

  it.each(arrivalsOf(withInvalidByte(lossyPayment())))("refuses a payment notification %s, before the order changes", async (_how, arrival) => {
    const reply = await deliver(arrival);
    expect(reply.statusCode).toBe(200);
    expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
    expect(await findOrder("T1", db)).toMatchObject({ status: "NOTPAY" });
    expect(await notifyLog()).toEqual([expect.objectContaining({ outcome: "refused", reason: expect.stringContaining("UTF-8") })]);
  });

  describe("refund notifications (req_info)", () => {
    beforeEach(async () => {
      await deliver({ body: signedXml(paymentFields()), isBase64Encoded: false });
      const order = (await findOrder("T1", db))!;
      expect(order.status).toBe("SUCCESS");
      await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 40, desc: "x" }, 2000, db);
    });
    const expectUnsettled = async () => {
      expect(await findRefund("R1", db)).toMatchObject({ status: "PROCESSING" });
      expect(await findOrder("T1", db)).toMatchObject({ status: "SUCCESS" });
    };

    it.each(arrivalsOf(withInvalidByte(refundNotification(encryptReqInfo(refundPlaintext(refundInner), API_KEY), { nonce_str: "ab\uFFFDc" }))))(
      "refuses one with an invalid byte outside req_info, %s",
      async (_how, arrival) => {
        const reply = await deliver(arrival);
        expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
        await expectUnsettled();
      },
    );

    it("refuses one whose decrypted req_info is not valid UTF-8", async () => {
      const plaintext = withInvalidByte(refundPlaintext({ ...refundInner, refund_recv_accout: "支付用户零钱\uFFFD" }));
      const cipher = createCipheriv("aes-256-ecb", reqInfoKeyOf(API_KEY), null);
      const reqInfo = Buffer.concat([cipher.update(plaintext), cipher.final()]).toString("base64");
      const reply = await deliver({ body: refundNotification(reqInfo), isBase64Encoded: false });
      expect(Transformer.toObject(reply.body)).toMatchObject({ return_code: "FAIL" });
      await expectUnsettled();
      expect((await notifyLog()).pop()).toMatchObject({ outcome: "refused", reason: expect.stringContaining("UTF-8") });
    });
  });
});

describe("interop: our signatures under wechatpay-axios-plugin's Hash", () => {
  it("the plugin's Transformer verifier accepts what our fake signs and our sign equals its Hash.sign", async () => {
    const { signV2 } = await import("../../common/vk-uni-pay/src/providers/wxpay/v2/protocol");
    const fields = paymentFields();
    expect(signV2(fields, API_KEY, "MD5")).toBe(Hash.sign("MD5", fields, API_KEY));
    expect(signV2(fields, API_KEY, "HMAC-SHA256")).toBe(Hash.sign("HMAC-SHA256", fields, API_KEY));
  });
});
