import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createDouyinProvider } from "../../common/vk-uni-pay/src/providers/douyin";
import { signDouyinCallback } from "../../common/vk-uni-pay/src/providers/douyin/trade/sign";
import type { ProviderRuntime, RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";

/**
 * The provider against a recording fake of Douyin's HTTP side (no network): how the client_token is kept
 * and renewed, what a config lacks, and how callbacks become events (DY-3, the published ecpay callback,
 * included).
 */
const pem = (key: ReturnType<typeof generateKeyPairSync>["privateKey"], type: "pkcs8" | "spki") =>
  key.export({ type, format: "pem" } as never) as unknown as string;
const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
const tradeConfig = Object.freeze({
  appId: "tt0000000000000001",
  secret: "app-secret-value",
  mchId: "7200001",
  privateKey: pem(app.privateKey, "pkcs8"),
  platformPublicKey: pem(platform.publicKey, "spki"),
  keyVersion: 3,
});

interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: any;
}

function fakeDouyin(answer: (call: Recorded, index: number) => unknown) {
  const calls: Recorded[] = [];
  let now = 1_700_000_000_000;
  const runtime: ProviderRuntime = {
    now: () => now,
    request: async (url, options) => {
      const call = { url, headers: options.headers as Record<string, string>, body: JSON.parse(String(options.content)) };
      calls.push(call);
      return { status: 200, headers: {}, data: Buffer.from(JSON.stringify(answer(call, calls.length - 1))) };
    },
  };
  return { calls, runtime, advance: (ms: number) => (now += ms) };
}

const tokenAnswer = (token: string) => ({ data: { access_token: token, expires_in: 7200, error_code: 0, description: "" }, message: "success" });
const orderAnswer = {
  err_no: 0,
  err_msg: "",
  data: {
    out_order_no: "T1",
    order_id: "ot1",
    pay_status: "SUCCESS",
    total_amount: 100,
    pay_channel: 2,
    pay_time: 1_700_000_000_500,
    merchant_uid: "7200001",
    app_id: "tt0000000000000001",
  },
};

describe("client_token", () => {
  it("is fetched once with the app's key and secret, sent as access-token, kept until close to expiry, then fetched again", async () => {
    const provider = createDouyinProvider();
    const config = { ...tradeConfig, appId: "tt0000000000000002" };
    const fake = fakeDouyin((call, index) => (call.url.endsWith("/oauth/client_token/") ? tokenAnswer(`tok${index}`) : orderAnswer));
    const first = await provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T1" }, fake.runtime);
    await provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T1" }, fake.runtime);
    expect(first).toMatchObject({ state: "SUCCESS", totalFee: 100, transactionId: "ot1", payMethod: "alipay", paidAt: 1_700_000_000_500 });
    expect(fake.calls.map((call) => new URL(call.url).pathname)).toEqual([
      "/oauth/client_token/",
      "/api/trade_basic/v1/developer/order_query/",
      "/api/trade_basic/v1/developer/order_query/",
    ]);
    expect(fake.calls[0]!.body).toEqual({ client_key: "tt0000000000000002", client_secret: "app-secret-value", grant_type: "client_credential" });
    expect(fake.calls[1]!.headers["access-token"]).toBe("tok0");
    expect(fake.calls[1]!.body).toEqual({ out_order_no: "T1" });
    fake.advance(7200_000 - 4 * 60_000);
    await provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T1" }, fake.runtime);
    expect(fake.calls[3]!.url).toMatch(/\/oauth\/client_token\/$/);
    expect(fake.calls[4]!.headers["access-token"]).toBe("tok3");
  });

  it("is renewed once when Douyin says it is no longer valid", async () => {
    const provider = createDouyinProvider();
    const config = { ...tradeConfig, appId: "tt0000000000000003" };
    let refusals = 1;
    const fake = fakeDouyin((call, index) => {
      if (call.url.endsWith("/oauth/client_token/")) return tokenAnswer(`tok${index}`);
      return refusals-- > 0 ? { err_no: 28001008, err_msg: "access_token过期" } : orderAnswer;
    });
    await expect(provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T1" }, fake.runtime)).resolves.toMatchObject({ state: "SUCCESS" });
    expect(fake.calls.filter((call) => call.url.endsWith("/oauth/client_token/"))).toHaveLength(2);
  });

  it("answers an order Douyin does not know yet (tt.requestOrder not called) as NOTPAY, and another refusal as a refusal", async () => {
    const provider = createDouyinProvider();
    const config = { ...tradeConfig, appId: "tt0000000000000004" };
    let answer: unknown = { err_no: 20000, err_msg: "订单不存在" };
    const fake = fakeDouyin((call) => (call.url.endsWith("/oauth/client_token/") ? tokenAnswer("tok") : answer));
    await expect(provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T9" }, fake.runtime)).resolves.toMatchObject({ state: "NOTPAY" });
    answer = { err_no: 2, err_msg: "参数错误" };
    await expect(provider.queryPayment({ mode: "mp-toutiao", config, outTradeNo: "T9" }, fake.runtime)).rejects.toMatchObject({
      kind: "provider",
      providerCode: "2",
    });
  });
});

describe("config", () => {
  const provider = createDouyinProvider();
  const create = (config: Record<string, unknown>) =>
    provider.createPayment(
      { mode: "mp-toutiao", config: Object.freeze(config), outTradeNo: "T1", totalFee: 1, subject: "s", notifyUrl: "https://n", clientIp: "1" },
      fakeDouyin(() => ({})).runtime,
    );

  it("names what is missing, and points an ecpay config without version at version: 1", async () => {
    await expect(create({ appId: "tt1", secret: "s", salt: "x", token: "y" })).rejects.toMatchObject({
      errCode: "vk-pay-douyin-key-missing",
      message: expect.stringContaining("version: 1"),
    });
    await expect(create({ ...tradeConfig, platformPublicKey: tradeConfig.privateKey })).rejects.toMatchObject({ errCode: "vk-pay-douyin-key-misplaced" });
    await expect(create({ appId: "tt1", version: 1, salt: "x" })).rejects.toMatchObject({
      errCode: "vk-pay-douyin-config-invalid",
      message: expect.stringContaining("token"),
    });
    await expect(create({ ...tradeConfig, version: 3 })).rejects.toMatchObject({ errCode: "vk-pay-douyin-config-invalid" });
  });

  it("keeps the order's own number, amount and notify URL whatever `other` says", async () => {
    const result = await provider.createPayment(
      {
        mode: "mp-toutiao",
        config: tradeConfig,
        outTradeNo: "T1",
        totalFee: 100,
        subject: "充值",
        notifyUrl: "https://n/T1",
        clientIp: "1",
        other: { totalAmount: 1, outOrderNo: "X", payNotifyUrl: "https://evil", limitPayWayList: [2] },
      },
      fakeDouyin(() => ({})).runtime,
    );
    const data = JSON.parse((result.orderInfo as { data: string }).data);
    expect(data).toMatchObject({ outOrderNo: "T1", totalAmount: 100, payNotifyUrl: "https://n/T1", limitPayWayList: [2], merchantUid: "7200001" });
  });

  describe("skuList", () => {
    const create = (other?: Record<string, unknown>) =>
      provider.createPayment(
        {
          mode: "mp-toutiao",
          config: tradeConfig,
          outTradeNo: "T2",
          totalFee: 300,
          subject: "会员",
          notifyUrl: "https://n/T2",
          clientIp: "1",
          ...(other ? { other } : {}),
        },
        fakeDouyin(() => ({})).runtime,
      );
    const skuList = async (other?: Record<string, unknown>) => JSON.parse(((await create(other)).orderInfo as { data: string }).data).skuList;

    it("is one line built from the order, at the order's price", async () => {
      expect(await skuList()).toEqual([{ skuId: "T2", title: "会员", type: 401, tagGroupId: "", price: 300, quantity: 1 }]);
    });

    it("takes the caller's goods description, priced by the order", async () => {
      expect(await skuList({ skuList: [{ skuId: "vip-month", title: "月卡", imageList: ["https://img/1.png"] }] })).toEqual([
        { skuId: "vip-month", title: "月卡", type: 401, tagGroupId: "", imageList: ["https://img/1.png"], price: 300, quantity: 1 },
      ]);
      expect(await skuList({ skuList: [{ skuId: "pen", quantity: 3 }] })).toMatchObject([{ skuId: "pen", price: 100, quantity: 3 }]);
      expect(await skuList({ skuList: [{ skuId: "pen", price: 150, quantity: 2 }] })).toMatchObject([{ price: 150, quantity: 2 }]);
    });

    it("refuses a caller's price that is not the order's, a quantity that does not divide it, and several lines", async () => {
      for (const skus of [
        [{ skuId: "pen", price: 1 }],
        [{ skuId: "pen", price: 100, quantity: 2 }],
        [{ skuId: "pen", quantity: 7 }],
        [{ skuId: "pen", price: -300 }],
        [
          { skuId: "a", price: 100 },
          { skuId: "b", price: 200 },
        ],
        [],
        "pen",
      ]) {
        await expect(create({ skuList: skus })).rejects.toMatchObject({ errCode: "vk-pay-douyin-sku-invalid" });
      }
    });
  });
});

describe("callbacks", () => {
  const provider = createDouyinProvider();
  const runtime = fakeDouyin(() => ({})).runtime;
  const tradeRaw = (msg: Record<string, unknown>, type = "payment"): RawNotification => {
    const body = JSON.stringify({ version: "3.0", type, msg: JSON.stringify(msg) });
    return {
      method: "POST",
      path: "/vk-pay-notify/douyin_mp-toutiao",
      headers: { "byte-timestamp": "1700000000", "byte-nonce-str": "n", "byte-signature": signDouyinCallback("1700000000", "n", body, platform.privateKey) },
      body: Buffer.from(body),
    };
  };

  it("a SUCCESS pays, a CANCEL closes and never pays", async () => {
    const base = { app_id: tradeConfig.appId, out_order_no: "T1", order_id: "ot1", total_amount: 100, merchant_uid: "7200001", event_time: 1_700_000_000_000 };
    await expect(provider.verifyNotify(tradeRaw({ ...base, status: "SUCCESS", pay_channel: 1 }), tradeConfig, runtime)).resolves.toMatchObject({
      kind: "payment",
      state: "SUCCESS",
      payMethod: "wxpay",
      mchId: "7200001",
      appId: tradeConfig.appId,
    });
    await expect(provider.verifyNotify(tradeRaw({ ...base, status: "CANCEL", message: "USER_CANCEL" }), tradeConfig, runtime)).resolves.toMatchObject({
      kind: "payment",
      state: "CLOSED",
    });
  });

  it("a refund callback binds by cp_extra and refuses another app's refund", async () => {
    const refund = {
      app_id: tradeConfig.appId,
      status: "SUCCESS",
      order_id: "ot1",
      cp_extra: "T1",
      out_refund_no: "R1",
      refund_id: "r1",
      refund_total_amount: 30,
      event_time: 5,
    };
    await expect(provider.verifyNotify(tradeRaw(refund, "refund"), tradeConfig, runtime)).resolves.toMatchObject({
      kind: "refund",
      outTradeNo: "T1",
      outRefundNo: "R1",
      refundFee: 30,
      state: "SUCCESS",
    });
    await expect(provider.verifyNotify(tradeRaw({ ...refund, app_id: "ttother" }, "refund"), tradeConfig, runtime)).rejects.toMatchObject({
      kind: "signature",
    });
    await expect(provider.verifyNotify(tradeRaw({ ...refund, status: "FAIL" }, "refund"), tradeConfig, runtime)).resolves.toMatchObject({ state: "CLOSED" });
  });

  it("DY-3: yansongda's published ecpay payment callback becomes a payment of 1 fen by Alipay", async () => {
    const vector = JSON.parse(readFileSync(join(__dirname, "fixtures", "yansongda-ecpay-payment-callback.json"), "utf8")) as { token: string; rawBody: string };
    const config = Object.freeze({ version: 1, appId: "tt226e54d3bd581bf801", salt: "s", token: vector.token });
    const raw: RawNotification = { method: "POST", path: "/vk-pay-notify/douyin_mp-toutiao", headers: {}, body: Buffer.from(vector.rawBody) };
    await expect(provider.verifyNotify(raw, config, runtime)).resolves.toMatchObject({
      kind: "payment",
      state: "SUCCESS",
      outTradeNo: "202408041111312119",
      totalFee: 1,
      transactionId: "7398108028895054107",
      mchId: "73744242495132490630",
      appId: "tt226e54d3bd581bf801",
      payMethod: "alipay",
      paidAt: 1_722_769_986_000,
    });
    await expect(provider.verifyNotify(raw, { ...config, token: "other" }, runtime)).rejects.toMatchObject({ kind: "signature" });
    expect(provider.acknowledge(true)).toMatchObject({ statusCode: 200, body: '{"err_no":0,"err_tips":"success"}' });
  });
});
