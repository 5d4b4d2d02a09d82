import { validatePayConfig } from "../../common/vk-uni-pay/src/core/config";
import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { NOTIFY_LOG } from "../../common/vk-uni-pay/src/notify/log";
import { findOrder, markPaid, openOrder } from "../../common/vk-uni-pay/src/core/orders";
import { findRefund, reserveRefund } from "../../common/vk-uni-pay/src/core/refunds";
import { ARRIVALS, arrive, withInvalidByte, type Arrival } from "../helpers/lossy-utf8";
import { processNotification } from "../../common/vk-uni-pay/src/notify/pipeline";
import type { RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { encryptResource, signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import {
  APP_ID,
  FakeWechat,
  issuePlatformCertificate,
  issuePublicKey,
  MCH_ID,
  memoryDatabase,
  merchantConfig,
  NOW,
  PUB_KEY_ID,
  V3_KEY,
  type Identity,
} from "./fake-wechat";

const TRANSACTION = {
  appid: APP_ID,
  mchid: MCH_ID,
  out_trade_no: "T1",
  transaction_id: "4200000000202601150000000001",
  trade_type: "JSAPI",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  bank_type: "OTHERS",
  success_time: "2026-01-15T12:01:02+08:00",
  payer: { openid: "o1" },
  amount: { total: 1234, payer_total: 1234, currency: "CNY", payer_currency: "CNY" },
};

const REFUND = {
  mchid: MCH_ID,
  out_trade_no: "T1",
  transaction_id: "4200000000202601150000000001",
  out_refund_no: "R1",
  refund_id: "50000000382019052709732678859",
  refund_status: "SUCCESS",
  success_time: "2026-01-15T12:20:00+08:00",
  user_received_account: "招商银行信用卡0403",
  amount: { total: 1234, refund: 500, payer_total: 1234, payer_refund: 500 },
};

interface Options {
  eventType?: string;
  associatedData?: string;
  apiV3Key?: string;
  signer?: { serial: string; privateKey: import("node:crypto").KeyObject };
  timestamp?: string;
  tamper?: (body: string) => string;
  summary?: string;
}

describe("wxpay notifications (API v3)", () => {
  let platform: Identity;
  let intruder: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  let provider: ReturnType<typeof createWxpayProvider>;

  beforeAll(async () => {
    [platform, intruder] = await Promise.all([
      issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
      issuePlatformCertificate("7A2B9C0D1E2F30415263748596A7B8C9D0E1F203"),
    ]);
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    database = memoryDatabase();
    provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
  });
  afterEach(() => database.close());

  /** What WeChat Pay POSTs to notify_url, as the core hands it over (lower-case headers, raw bytes). */
  const notification = (plain: unknown, options: Options = {}): RawNotification => {
    const isRefund = (options.eventType ?? "TRANSACTION.SUCCESS").startsWith("REFUND");
    const associatedData = options.associatedData ?? (isRefund ? "refund" : "transaction");
    const envelope = {
      id: "EV-2018-06-08",
      create_time: "2026-01-15T12:01:03+08:00",
      resource_type: "encrypt-resource",
      event_type: options.eventType ?? "TRANSACTION.SUCCESS",
      summary: options.summary ?? (isRefund ? "退款成功" : "支付成功"),
      resource: encryptResource({ plaintext: JSON.stringify(plain), apiV3Key: options.apiV3Key ?? V3_KEY, associatedData }),
    };
    const body = JSON.stringify(envelope);
    const signer = options.signer ?? platform;
    const headers = signResponse({
      body,
      privateKey: signer.privateKey,
      serial: signer.serial,
      timestamp: options.timestamp ?? String(Math.floor(NOW / 1000)),
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const sent = options.tamper ? options.tamper(body) : body;
    return {
      method: "POST",
      path: "/vk-pay-notify/wxpay_mp-weixin/T1",
      headers: { ...lower, "content-type": "application/json" },
      body: Buffer.from(sent, "utf8"),
    };
  };
  const verify = (raw: RawNotification, config = merchantConfig()) => provider.verifyNotify(raw, config, wechat.runtime);

  it("verifies and normalizes a payment, fetching the platform certificate on first sight", async () => {
    await expect(verify(notification(TRANSACTION))).resolves.toEqual({
      kind: "payment",
      state: "SUCCESS",
      outTradeNo: "T1",
      transactionId: TRANSACTION.transaction_id,
      totalFee: 1234,
      mchId: MCH_ID,
      appId: APP_ID,
      paidAt: Date.UTC(2026, 0, 15, 4, 1, 2),
      raw: TRANSACTION,
    });
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
  });

  it.each([
    ["REFUND.SUCCESS", "SUCCESS"],
    ["REFUND.ABNORMAL", "ABNORMAL"],
    ["REFUND.CLOSED", "CLOSED"],
  ])("verifies and normalizes %s", async (eventType, state) => {
    const plain = { ...REFUND, refund_status: state, success_time: state === "SUCCESS" ? REFUND.success_time : undefined };
    const event = await verify(notification(plain, { eventType }));
    expect(event).toEqual({
      kind: "refund",
      state,
      outTradeNo: "T1",
      outRefundNo: "R1",
      refundId: REFUND.refund_id,
      refundFee: 500,
      ...(state === "SUCCESS" ? { settledAt: Date.UTC(2026, 0, 15, 4, 20, 0) } : {}),
      raw: JSON.parse(JSON.stringify(plain)),
    });
  });

  it("verifies a notification signed with the WeChat Pay public key (public-key mode)", async () => {
    const wechatKey = issuePublicKey();
    const config = merchantConfig({ wxpayPublicKeyContent: wechatKey.publicKeyPem, wxpayPublicKeyId: PUB_KEY_ID });
    const event = await verify(notification(TRANSACTION, { signer: { serial: PUB_KEY_ID, privateKey: wechatKey.privateKey } }), config);
    expect(event).toMatchObject({ kind: "payment", state: "SUCCESS", totalFee: 1234 });
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
  });

  it.each<[string, () => RawNotification, string]>([
    ["one changed byte", () => notification(TRANSACTION, { tamper: (body) => body.replace("支付成功", "支付失败") }), "wxpay-v3-signature-invalid"],
    [
      "a forged signature",
      () => notification(TRANSACTION, { signer: { serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", privateKey: intruder.privateKey } }),
      "wxpay-v3-signature-invalid",
    ],
    ["a stale timestamp", () => notification(TRANSACTION, { timestamp: String(Math.floor(NOW / 1000) - 301) }), "wxpay-v3-timestamp-out-of-window"],
    ["a timestamp from the future", () => notification(TRANSACTION, { timestamp: String(Math.floor(NOW / 1000) + 301) }), "wxpay-v3-timestamp-out-of-window"],
    ["a serial unknown after one refresh", () => notification(TRANSACTION, { signer: intruder }), "wxpay-v3-unknown-serial"],
    ["a resource sealed with another APIv3 key", () => notification(TRANSACTION, { apiV3Key: "b".repeat(32) }), "wxpay-v3-decrypt-failed"],
    ["a refund resource under a payment event", () => notification(REFUND, { associatedData: "refund" }), "wxpay-notify-invalid"],
    ["another merchant's transaction", () => notification({ ...TRANSACTION, mchid: "1900000999" }), "wxpay-notify-invalid"],
    ["a transaction without an amount", () => notification({ ...TRANSACTION, amount: undefined }), "wxpay-notify-invalid"],
    [
      "a missing Wechatpay-Signature header",
      () => {
        const raw = notification(TRANSACTION);
        const { "wechatpay-signature": _dropped, ...headers } = raw.headers;
        return { ...raw, headers };
      },
      "wxpay-v3-signature-invalid",
    ],
  ])("refuses %s with a SignatureError", async (_label, build, reason) => {
    const failure = verify(build());
    await expect(failure).rejects.toBeInstanceOf(SignatureError);
    await expect(failure).rejects.toMatchObject({ errCode: `vk-pay-${reason}` });
    expect(wechat.calls("GET /v3/certificates").length).toBeLessThanOrEqual(1);
  });

  it("downloads certificates exactly once for an unknown serial before refusing it", async () => {
    await verify(notification(TRANSACTION));
    wechat.now += 61_000;
    await expect(verify(notification(TRANSACTION, { signer: intruder, timestamp: String(Math.floor(wechat.now / 1000)) }))).rejects.toMatchObject({
      errCode: "vk-pay-wxpay-v3-unknown-serial",
    });
    expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
  });

  it("reads a verified event type it does not handle as ignored, and still refuses a forged one", async () => {
    const unhandled = { eventType: "PROFITSHARING.SUCCESS", associatedData: "profitsharing" };
    expect(await verify(notification({ mchid: MCH_ID }, unhandled))).toEqual({ kind: "ignored", eventType: "PROFITSHARING.SUCCESS" });
    await expect(
      verify(notification({ mchid: MCH_ID }, { ...unhandled, tamper: (body) => body.replace("PROFITSHARING", "PROFITSHARINg") })),
    ).rejects.toBeInstanceOf(SignatureError);
  });

  it("acknowledges a v3 merchant's notification with the HTTP status WeChat Pay reads", () => {
    expect(provider.acknowledge(true, { config: merchantConfig() })).toMatchObject({
      statusCode: 200,
      body: JSON.stringify({ code: "SUCCESS", message: "成功" }),
    });
    const refused = provider.acknowledge(false, { config: merchantConfig() });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "FAIL" });
  });

  describe("a notification signed over a lossy decoding of the bytes sent", () => {
    const pipelineDeps = () => ({
      db: database.db,
      now: () => wechat.now,
      log: () => undefined,
      findProvider: (name: string) => (name === "wxpay" ? provider : undefined),
      providerNames: () => ["wxpay"],
      config: () => validatePayConfig({ wxpay: { "mp-weixin": merchantConfig() } }),
      runtime: wechat.runtime,
    });
    /** Signed over the text with U+FFFD in `summary`; sent with the invalid byte 0xFF in its place. */
    const deliver = (plain: unknown, how: Arrival, eventType?: string) => {
      const signed = notification(plain, { eventType, summary: "支付\uFFFD成功" });
      const arrival = arrive(withInvalidByte(signed.body.toString("utf8")), how);
      return processNotification(
        { path: "/vk-pay-notify/wxpay_mp-weixin/T1", httpMethod: "POST", headers: signed.headers, ...arrival },
        "/vk-pay-notify/",
        pipelineDeps(),
      );
    };
    const refusedForUtf8 = async () => {
      const { data } = await database.db.collection(NOTIFY_LOG).get();
      expect(data).toEqual([expect.objectContaining({ outcome: "refused", reason: expect.stringContaining("UTF-8") })]);
    };

    beforeEach(async () => {
      await openOrder(
        {
          out_trade_no: "T1",
          type: "goods",
          provider: "wxpay",
          pay_type: "wxpay_mp-weixin",
          total_fee: 1234,
          description: "x",
          mch_id: MCH_ID,
          provider_appid: APP_ID,
          notify_url: "https://n/x",
          notify_path: "/vk-pay-notify/wxpay_mp-weixin/T1",
        },
        NOW - 60_000,
        database.db,
      );
    });

    it("verifies as lossy text, so only the bytes can tell", async () => {
      await expect(verify(notification(TRANSACTION, { summary: "支付\uFFFD成功" }))).resolves.toMatchObject({ kind: "payment", outTradeNo: "T1" });
    });

    it.each(ARRIVALS)("refuses TRANSACTION.SUCCESS %s, leaving the order unpaid", async (how) => {
      const reply = await deliver(TRANSACTION, how);
      expect(reply.statusCode).toBeGreaterThanOrEqual(400);
      expect(await findOrder("T1", database.db)).toMatchObject({ status: "NOTPAY" });
      await refusedForUtf8();
    });

    it.each(ARRIVALS)("refuses REFUND.SUCCESS %s, leaving the refund unsettled", async (how) => {
      expect(
        await markPaid(
          (await findOrder("T1", database.db))!,
          { transactionId: TRANSACTION.transaction_id, paidAt: NOW - 30_000, notifyMode: 1 },
          NOW - 30_000,
          database.db,
        ),
      ).toBe(true);
      const order = (await findOrder("T1", database.db))!;
      await reserveRefund(order._id, { outRefundNo: "R1", refundFee: 500, desc: "x" }, NOW - 20_000, database.db);
      const reply = await deliver(REFUND, how, "REFUND.SUCCESS");
      expect(reply.statusCode).toBeGreaterThanOrEqual(400);
      expect(await findRefund("R1", database.db)).toMatchObject({ status: "PROCESSING" });
      expect(await findOrder("T1", database.db)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
      await refusedForUtf8();
    });
  });

  it("drives the core's pipeline: a genuine payment is applied, a tampered one refused with FAIL", async () => {
    await openOrder(
      {
        out_trade_no: "T1",
        type: "goods",
        provider: "wxpay",
        pay_type: "wxpay_mp-weixin",
        total_fee: 1234,
        description: "x",
        mch_id: MCH_ID,
        provider_appid: APP_ID,
        notify_url: "https://n/x",
        notify_path: "/vk-pay-notify/wxpay_mp-weixin/T1",
      },
      NOW - 60_000,
      database.db,
    );
    const deps = {
      db: database.db,
      now: () => wechat.now,
      log: () => undefined,
      findProvider: (name: string) => (name === "wxpay" ? provider : undefined),
      providerNames: () => ["wxpay"],
      config: () => validatePayConfig({ wxpay: { "mp-weixin": merchantConfig() } }),
      runtime: wechat.runtime,
    };
    const deliver = (raw: RawNotification) =>
      processNotification({ path: raw.path, httpMethod: "POST", headers: raw.headers, body: raw.body.toString("utf8") }, "/vk-pay-notify/", deps);

    const tampered = await deliver(notification(TRANSACTION, { tamper: (body) => body.replace("EV-2018", "EV-2019") }));
    expect(tampered.statusCode).toBe(400);
    expect(await findOrder("T1", database.db)).toMatchObject({ status: "NOTPAY" });

    const genuine = await deliver(notification(TRANSACTION));
    expect(genuine.statusCode).toBe(200);
    expect(await findOrder("T1", database.db)).toMatchObject({ status: "SUCCESS", transaction_id: TRANSACTION.transaction_id });

    // A verified event the core does not act on is acknowledged (a refusal is redelivered for a day) and logged.
    const unhandled = await deliver(notification({ mchid: MCH_ID }, { eventType: "PROFITSHARING.SUCCESS", associatedData: "profitsharing" }));
    expect(unhandled.statusCode).toBe(200);
    const { data: logged } = await database.db.collection(NOTIFY_LOG).where({ outcome: "ignored" }).get();
    expect(logged).toEqual([expect.objectContaining({ kind: "ignored", reason: "unhandled event PROFITSHARING.SUCCESS" })]);
  });
});
