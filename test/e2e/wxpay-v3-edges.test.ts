import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";
import { v3Notification, type Signer } from "./helpers/wxpay";

/**
 * The WeChat Pay v3 journeys the main end-to-end file leaves out, over real HTTP through the emulator:
 * an order created by the developer's own server code (type `custom`), notifications an attacker or a
 * clock could produce (each refused with nothing changed), and a refund made at WeChat without us.
 * The forged notifications are built here with node:crypto alone, as WeChat Pay's documents describe.
 */

/** A cloud function of the developer's own: it prices the order itself and calls vk-uni-pay on the server. */
const SHOP_FUNCTION = `"use strict";
const vkPay = require("vk-uni-pay");
exports.main = async (event, context) => {
  switch (event.action) {
    case "buy":
      return vkPay.createPayment({
        context,
        provider: "wxpay",
        isPC: true,
        data: { out_trade_no: event.out_trade_no, total_fee: 1234, subject: "线下课程", type: "custom", user_id: "u1", custom: { course_id: "c-42" } },
      });
    case "query":
      return vkPay.queryPayment({ out_trade_no: event.out_trade_no });
    case "close":
      return vkPay.closeOrder({ out_trade_no: event.out_trade_no });
    case "refund":
      return vkPay.refund({ out_trade_no: event.out_trade_no, refund_fee: event.refund_fee, refund_desc: "课程取消" });
    default:
      return { code: -1, msg: "unknown action" };
  }
};
`;

function addShopFunction(spaceDir: string): void {
  const dir = join(spaceDir, "cloudfunctions", "shop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), SHOP_FUNCTION);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", main: "index.js", dependencies: { "vk-uni-pay": "file:../common/vk-uni-pay" } }));
}

describe("WeChat Pay v3 edges end to end", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let user: string;
  let admin: string;
  let platform: Signer;

  const call = async (name: string, event: Record<string, unknown>, platformName = "web") => {
    const response = await fetch(`${env.url}/__callFunction/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120" },
      body: JSON.stringify({ event, clientInfo: { PLATFORM: platformName, APPID: "__UNI__TEST" } }),
    });
    return ((await response.json()) as { result: any }).result;
  };
  const client = (url: string, data: Record<string, unknown>, token = user) => call("vk-pay", { url, data, uniIdToken: token });
  const order = async (outTradeNo: string) =>
    (await env.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
  const logFor = async (outTradeNo: string) =>
    (
      (await env.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").get()).data as Array<Record<string, any>>
    ).map((entry) => [entry.outcome, entry.reason ?? ""]);
  const post = async (url: string, message: { body: string; headers: Record<string, string> }) => {
    const response = await fetch(url, { method: "POST", headers: message.headers, body: message.body });
    return { status: response.status, body: await response.text() };
  };
  const transaction = (outTradeNo: string, overrides: Record<string, unknown> = {}) => ({
    mchid: env.wxpay.keys.mchId,
    appid: env.wxpay.keys.appId,
    out_trade_no: outTradeNo,
    transaction_id: `4200${Date.now()}`,
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    bank_type: "OTHERS",
    success_time: "2026-11-25T12:00:00+08:00",
    payer: { openid: "o-forged" },
    amount: { total: 900, payer_total: 900, currency: "CNY", payer_currency: "CNY" },
    ...overrides,
  });

  beforeAll(async () => {
    env = await startPayingSpace({ prepareSpace: addShopFunction });
    await env.db.collection("uni-id-users").add([
      { _id: "u1", role: [], status: 0, balance: 0 },
      { _id: "boss", role: ["admin"], status: 0 },
    ]);
    user = await mintToken(TEST_SECRET, { uid: "u1" });
    admin = await mintToken(TEST_SECRET, { uid: "boss", role: ["admin"] });
    platform = { privateKeyPem: env.wxpay.keys.wxpayPublicKeyPrivatePem, serial: env.wxpay.keys.wxpayPublicKeyId };
  });
  afterAll(() => env.close());

  it("pays, queries and refunds an order the developer's server code created (type custom), recording the purchase once", async () => {
    const outTradeNo = `COURSE${Date.now()}`;
    const created = await call("shop", { action: "buy", out_trade_no: outTradeNo });
    expect(created).toMatchObject({
      code: 0,
      data: { out_trade_no: outTradeNo, pay_type: "wxpay_h5", total_fee: 1234, orderInfo: { codeUrl: expect.any(String) } },
    });
    expect(await order(outTradeNo)).toMatchObject({ type: "custom", user_id: "u1", total_fee: 1234, status: "NOTPAY", custom: { course_id: "c-42" } });
    // A client cannot create a custom order: it has no create hook to price it.
    expect((await client("pay/createPayment", { provider: "wxpay", type: "custom", total_fee: 1, isPC: true })).code).not.toBe(0);

    await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    const purchases = (await env.db.collection("vk-pay-purchases").where({ out_trade_no: outTradeNo }).get()).data;
    expect(purchases).toEqual([expect.objectContaining({ user_id: "u1", type: "custom", custom: { course_id: "c-42" } })]);
    expect(await call("shop", { action: "query", out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { orderPaid: true, user_order_success: true } });

    const refund = await call("shop", { action: "refund", out_trade_no: outTradeNo, refund_fee: 1234 });
    expect(refund).toMatchObject({ code: 0, data: { refund_fee: 1234 } });
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1234 });
    expect((await logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["applied", "duplicate", "applied"]);
  });

  // Whether v3 refuses the close of a paid order (ORDERPAID) or answers 204 is not settled by its page;
  // either way the shop must hear "already paid", and the payment whose notification was lost is applied once.
  it.each(["ORDERPAID", "NO_CONTENT"])(
    "closing an order the buyer has just paid (WeChat answering %s) applies the payment once and answers 2005",
    async (answer) => {
      const outTradeNo = `CLOSEPAID${answer}${Date.now()}`;
      await call("shop", { action: "buy", out_trade_no: outTradeNo });
      await env.control("wxpay", "drop", { count: 1 });
      await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
      await env.wxpay.idle();
      expect(await order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
      await env.control("wxpay", "close-paid-answer", { answer });
      try {
        expect(await call("shop", { action: "close", out_trade_no: outTradeNo })).toMatchObject({ code: 2005 });
      } finally {
        await env.control("wxpay", "close-paid-answer", { answer: "ORDERPAID" });
      }
      expect(await order(outTradeNo)).toMatchObject({
        status: "SUCCESS",
        transaction_id: env.wxpay.state.order(env.wxpay.keys.mchId, outTradeNo)?.transaction_id,
      });
      // The shop's function has no hooks; WeChat's redelivered notification reaches vk-pay, which runs the paid hook once.
      await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo });
      await env.control("wxpay", "redeliver", { out_trade_no: outTradeNo });
      await env.wxpay.idle();
      expect(await call("shop", { action: "query", out_trade_no: outTradeNo })).toMatchObject({ code: 0, data: { orderPaid: true, user_order_success: true } });
      expect((await env.db.collection("vk-pay-purchases").where({ out_trade_no: outTradeNo }).get()).data).toHaveLength(1);
      expect((await logFor(outTradeNo)).map(([outcome]) => outcome)).toEqual(["duplicate", "duplicate"]);
    },
  );

  it("holds an ABNORMAL refund's money (no second refund of it) until WeChat reports SUCCESS", async () => {
    const outTradeNo = `ABN${Date.now()}`;
    await call("shop", { action: "buy", out_trade_no: outTradeNo });
    await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    const refund = await call("shop", { action: "refund", out_trade_no: outTradeNo, refund_fee: 1234 });
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "ABNORMAL" });
    await env.wxpay.idle();
    expect(await order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_reserved: 1234 });
    expect((await call("shop", { action: "refund", out_trade_no: outTradeNo, refund_fee: 1 })).code).toBe(2008);
    await env.control("wxpay", "refund-result", { out_refund_no: refund.data.out_refund_no, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1234 });
  });

  it("pays out an ABNORMAL refund to the payer's bank card through admin/applyAbnormalRefund, the card sent encrypted and never stored", async () => {
    const outTradeNo = `ABNAPPLY${Date.now()}`;
    await call("shop", { action: "buy", out_trade_no: outTradeNo });
    await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
    await env.wxpay.idle();
    const refund = await call("shop", { action: "refund", out_trade_no: outTradeNo, refund_fee: 1234 });
    const outRefundNo = refund.data.out_refund_no as string;
    const apply = (data: Record<string, unknown>, token = admin) => client("admin/applyAbnormalRefund", { out_refund_no: outRefundNo, ...data }, token);
    const card = { type: "USER_BANK_CARD", bank_type: "ICBC_DEBIT", bank_account: "6222020200112233445", real_name: "张三" };

    expect((await apply(card, user)).code).not.toBe(0);
    // Still PROCESSING at WeChat: nothing to apply yet.
    expect(await apply(card)).toMatchObject({ code: 2011 });
    await env.control("wxpay", "refund-result", { out_refund_no: outRefundNo, status: "ABNORMAL" });
    await env.wxpay.idle();
    expect(await apply({ ...card, bank_account: "not-a-card" })).toMatchObject({ code: 1000 });
    expect(await apply({ type: "USER_BALANCE" })).toMatchObject({ code: 1000 });

    const applied = await apply(card);
    expect(applied).toMatchObject({ code: 0, data: { out_refund_no: outRefundNo, refund_status: "ABNORMAL", provider_status: "PROCESSING" } });
    const atWechat = (await env.control("wxpay", "refund-requests", { out_trade_no: outTradeNo })).refunds[0];
    expect(atWechat).toMatchObject({
      status: "PROCESSING",
      abnormal_apply: { type: "USER_BANK_CARD", bank_type: "ICBC_DEBIT", bank_account_tail: "3445", real_name: "张三" },
    });
    const stored = (await env.db.collection("vk-pay-refunds").doc(outRefundNo).get()).data[0];
    expect(stored).toMatchObject({ status: "ABNORMAL", abnormal_apply: { type: "USER_BANK_CARD", bank_account_tail: "3445" } });
    expect(JSON.stringify(stored)).not.toMatch(/6222020200112233445|张三/);
    expect(await order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_reserved: 1234 });

    await env.control("wxpay", "refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" });
    await env.wxpay.idle();
    expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 1234 });
    const detail = await client("admin/orders", { out_trade_no: outTradeNo }, admin);
    expect(detail.data.abnormal_refunds).toEqual([
      expect.objectContaining({ out_refund_no: outRefundNo, status: "SUCCESS", abnormal_apply: expect.objectContaining({ type: "USER_BANK_CARD" }) }),
    ]);
  });

  describe("notifications nobody should trust", () => {
    let outTradeNo: string;
    let notifyUrl: string;

    beforeAll(async () => {
      const created = await client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 900, isPC: true });
      outTradeNo = created.data.out_trade_no;
      notifyUrl = (await order(outTradeNo)).notify_url;
      expect(notifyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    });

    const payment = (overrides: Record<string, unknown> = {}, signer?: Signer, timestamp?: number) =>
      v3Notification({
        v3Key: env.wxpay.keys.v3Key,
        signer: signer ?? platform,
        eventType: "TRANSACTION.SUCCESS",
        originalType: "transaction",
        resource: transaction(outTradeNo, overrides),
        timestamp,
      });

    it.each([
      ["a timestamp six minutes old", () => payment({}, undefined, Math.floor(Date.now() / 1000) - 360), /timestamp|window|expired/i],
      [
        "a serial WeChat never issued",
        () =>
          payment(
            {},
            {
              privateKeyPem: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string,
              serial: "5157F09EFDC096DE15EBE81A47057A72AAAAAAAA",
            },
          ),
        /serial|certificate/i,
      ],
      [
        "one byte of the body changed after signing",
        () => {
          const message = payment();
          return { ...message, body: message.body.replace('"summary":"通知"', '"summary":"通知 "') };
        },
        /signature/i,
      ],
      ["an amount one fen short", () => payment({ amount: { total: 899, payer_total: 899, currency: "CNY", payer_currency: "CNY" } }), /amount 899/],
      ["another merchant's id", () => payment({ mchid: "1900009999" }), /merchant|mchid/i],
    ])("refuses %s: WeChat is told to retry, the order and the balance do not move", async (_label, build, reason) => {
      const logged = async () => (await env.db.collection("vk-pay-notify-log").count()).total as number;
      const before = await logged();
      const reply = await post(notifyUrl, build());
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(reply.body)).toMatchObject({ code: "FAIL" });
      expect(await order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
      expect((await client("user/getInfo", {})).data.balance).toBe(0);
      // Exactly one new log row, the refusal with its reason (refusals before verification carry no out_trade_no).
      expect(await logged()).toBe(before + 1);
      const refused = ((await env.db.collection("vk-pay-notify-log").orderBy("create_date", "desc").limit(1).get()).data as Array<Record<string, any>>)[0]!;
      expect(refused).toMatchObject({ outcome: "refused", reason: expect.stringMatching(reason) });
    });

    it("accepts the same notification built properly, which shows the refusals above were for their reasons", async () => {
      const reply = await post(notifyUrl, payment());
      expect(reply.status).toBe(200);
      expect(await order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
      expect((await client("user/getInfo", {})).data.balance).toBe(900);
    });

    it("adopts a refund made at WeChat's merchant platform without us, taking the credit back once", async () => {
      const refund = (status: string) => ({
        mchid: env.wxpay.keys.mchId,
        out_trade_no: outTradeNo,
        transaction_id: "4200000000",
        out_refund_no: "MP-REFUND-1",
        refund_id: "50300000001",
        refund_status: status,
        success_time: "2026-11-25T13:00:00+08:00",
        user_received_account: "支付用户零钱",
        amount: { total: 900, refund: 400, payer_total: 900, payer_refund: 400 },
      });
      const message = v3Notification({
        v3Key: env.wxpay.keys.v3Key,
        signer: platform,
        eventType: "REFUND.SUCCESS",
        originalType: "refund",
        resource: refund("SUCCESS"),
      });
      expect((await post(notifyUrl, message)).status).toBe(200);
      expect((await post(notifyUrl, message)).status).toBe(200);
      expect(await order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 400 });
      expect((await client("user/getInfo", {})).data.balance).toBe(500);
      const detail = await client("admin/orders", { out_trade_no: outTradeNo }, admin);
      expect(detail.data.refunds).toEqual([expect.objectContaining({ out_refund_no: "MP-REFUND-1", status: "SUCCESS", operator: "provider" })]);
    });
  });
});
