import { createVkPay, type IapChannelLike, type VkPayClientError } from "../../common/vk-uni-pay-client/src";
import { IAP_CACHE_KEY } from "../../common/vk-uni-pay-client/src/apple-iap";
import { created, fakeHost, state } from "./helpers/fake-host";

/** The SDK's calls besides the native branches: create failures, the routing key, queries, openids, Apple IAP. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: VkPayClientError) => error,
  );

describe("the client SDK's calls", () => {
  it("a refused create fails with failType create, the server's code and errCode, and shows msg unless needAlert is false", async () => {
    const refusal = { code: 1003, msg: "订单金额与服务器计算的金额不一致，请刷新后重试", errCode: "vk-pay-total-fee-mismatch" };
    const fake = fakeHost({ platform: "mp-weixin", replies: { "pay/createPayment": refusal } });
    const vkPay = createVkPay({ host: fake.host });
    expect(await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o" }))).toMatchObject({
      failType: "create",
      code: 1003,
      errCode: "vk-pay-total-fee-mismatch",
      msg: refusal.msg,
    });
    expect(fake.calls.filter((c) => c.api === "showModal").map((c) => c.options.content)).toEqual([refusal.msg]);
    await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o", needAlert: false }));
    expect(fake.calls.filter((c) => c.api === "showModal")).toHaveLength(1);
    expect(fake.calls.some((c) => c.api === "requestPayment")).toBe(false);
  });

  it("a network failure is a create failure too; onCreate returning false stops after the order exists", async () => {
    const fake = fakeHost({ platform: "mp-weixin" });
    fake.host.uniCloud.callFunction = async () => {
      throw new Error("request:fail timeout");
    };
    expect(await failure(createVkPay({ host: fake.host, needAlert: false }).pay({ provider: "wxpay", type: "recharge", openid: "o" }))).toMatchObject({
      failType: "create",
      errCode: "vk-pay-client-network",
    });
    const made = fakeHost({
      platform: "mp-weixin",
      replies: { "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_mp-weixin", orderInfo: {} }) },
    });
    await expect(createVkPay({ host: made.host }).pay({ provider: "wxpay", type: "recharge", openid: "o", onCreate: () => false })).resolves.toMatchObject({
      stopped: true,
      orderPaid: false,
      out_trade_no: "T1",
    });
    expect(made.calls.some((c) => c.api === "requestPayment")).toBe(false);
  });

  it("the routing key is url, or action for an existing vk-uni-pay project, and a call may name its own function", async () => {
    const fake = fakeHost({ replies: { "pay/queryPayment": state("SUCCESS"), "client/pay/pub/queryPayment": state("NOTPAY") } });
    const legacy = createVkPay({ host: fake.host, actionKey: "action" });
    await expect(legacy.queryPayment({ out_trade_no: "T1" })).resolves.toMatchObject({ trade_state: "SUCCESS", orderPaid: true });
    expect(fake.functionCalls[0]).toEqual({ name: "vk-pay", data: { action: "pay/queryPayment", data: { out_trade_no: "T1", await_notify: false } } });
    await legacy.queryPayment({ out_trade_no: "T1", action: { name: "router", action: "client/pay/pub/queryPayment", actionKey: "$url" } });
    expect(fake.functionCalls[1]).toEqual({ name: "router", data: { $url: "client/pay/pub/queryPayment", data: { out_trade_no: "T1", await_notify: false } } });
    const missing = fakeHost({ replies: { "pay/queryPayment": { code: 2001, msg: "订单不存在", errCode: "vk-pay-order-not-found" } } });
    expect(await failure(createVkPay({ host: missing.host }).queryPayment({ out_trade_no: "nope" }))).toMatchObject({ failType: "call", code: 2001 });
  });

  it("in WeChat's browser getOpenid exchanges the returned code, or leaves for WeChat's authorisation page", async () => {
    const browser = { location: { href: "http://h5.example.com/#/pages/pay" }, navigator: { userAgent: "Mozilla/5.0 (iPhone) MicroMessenger/8.0" } };
    const fake = fakeHost({ platform: "web", browser, replies: { "pay/code2SessionWeixinH5": { code: 0, data: { openid: "o-oa" } } } });
    const vkPay = createVkPay({ host: fake.host, weixinH5Appid: "wxoa123" });
    await expect(vkPay.getOpenid()).resolves.toBeUndefined();
    const authorise = fake.host.window!.location.href;
    expect(authorise).toMatch(/^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=wxoa123&redirect_uri=/);
    expect(authorise).toContain(`redirect_uri=${encodeURIComponent("http://h5.example.com/#/pages/pay")}`);
    expect(authorise).toContain("scope=snsapi_base");
    fake.host.window!.location.href = "http://h5.example.com/?code=oauth-code&state=vkpay#/pages/pay";
    await expect(vkPay.getOpenid()).resolves.toBe("o-oa");
    expect(fake.functionCalls.map((c) => c.data)).toEqual([{ url: "pay/code2SessionWeixinH5", data: { code: "oauth-code" } }]);
    // Cached for the session and in storage: no second exchange.
    await expect(vkPay.getOpenid()).resolves.toBe("o-oa");
    expect(fake.storage.get("vk-uni-pay-openid:h5-weixin")).toBe("o-oa");
    expect(fake.functionCalls).toHaveLength(1);
  });

  it("Apple IAP: the price from Apple, the order from the server, the receipt verified before the transaction is finished", async () => {
    const finished: unknown[] = [];
    const transaction = {
      transactionIdentifier: "1000001",
      transactionReceipt: "MIIreceipt",
      transactionState: "1",
      payment: { productid: "coins_6", username: "T1" },
    };
    const iap: IapChannelLike = {
      id: "appleiap",
      requestProduct: (_ids, success) => success([{ productid: "coins_6", price: "6.00", title: "60 金币" }]),
      finishTransaction: (t, success) => (finished.push(t), success({})),
      restoreCompletedTransactions: (_options, success) =>
        success([
          { ...transaction, transactionIdentifier: "1000002", payment: { productid: "coins_6", username: "" } },
          { transactionIdentifier: "1000003", transactionState: "2" },
          { transactionIdentifier: "1000004", transactionState: "1", payment: {} },
        ]),
    };
    const verified: unknown[] = [];
    const fake = fakeHost({
      platform: "app",
      iap,
      replies: {
        "pay/createPayment": created({ provider: "appleiap", pay_type: "appleiap_app-plus", total_fee: 600, orderInfo: {} }),
        "pay/appleiap/verifyReceipt": (data) => (verified.push(data), { code: 0, msg: "success", data: {} }),
        "pay/queryPayment": state("SUCCESS", { total_fee: 600 }),
      },
    });
    fake.native.requestPayment = () => ({ ok: true, res: transaction });
    const vkPay = createVkPay({ host: fake.host });
    await expect(vkPay.pay({ provider: "appleiap", type: "recharge", productid: "coins_6" })).resolves.toMatchObject({ orderPaid: true, total_fee: 600 });
    expect(fake.functionCalls[0]!.data.data).toMatchObject({ provider: "appleiap", total_fee: 600, subject: "60 金币" });
    expect(fake.calls.find((c) => c.api === "requestPayment")!.options).toMatchObject({
      provider: "appleiap",
      orderInfo: { productid: "coins_6", username: "T1", quantity: 1, manualFinishTransaction: true },
    });
    expect(verified).toEqual([{ out_trade_no: "T1", transaction_receipt: "MIIreceipt", transaction_identifier: "1000001" }]);
    expect(finished).toEqual([transaction]);
    expect(fake.storage.has(IAP_CACHE_KEY)).toBe(false);

    // Restore: the order number comes from the cache when StoreKit lost the username; failed and orphaned ones are finished.
    fake.storage.set(IAP_CACHE_KEY, { "1000002": "T2" });
    await expect(vkPay.appleiapRestore()).resolves.toEqual({ verified: ["T2"], refused: [], lost: 1, failed: 1 });
    expect(verified[1]).toEqual({ out_trade_no: "T2", transaction_receipt: "MIIreceipt", transaction_identifier: "1000002" });
    expect(finished).toHaveLength(4);
  });

  it("Apple IAP: a cancel (code 2) fails as cancelled; a refused receipt keeps the transaction unfinished for restore", async () => {
    const finished: unknown[] = [];
    const iap: IapChannelLike = {
      id: "appleiap",
      requestProduct: (_ids, success) => success([{ productid: "p", price: 1, title: "t" }]),
      finishTransaction: (t, success) => (finished.push(t), success({})),
    };
    const fake = fakeHost({
      platform: "app",
      iap,
      replies: {
        "pay/createPayment": created({ provider: "appleiap", pay_type: "appleiap_app-plus", orderInfo: {} }),
        "pay/appleiap/verifyReceipt": { code: 4001, msg: "签名校验失败", errCode: "vk-pay-signature-invalid" },
      },
    });
    const vkPay = createVkPay({ host: fake.host, needAlert: false });
    fake.native.requestPayment = () => ({ ok: false, res: { errCode: 2, errMsg: "requestPayment:fail cancel" } });
    expect(await failure(vkPay.pay({ provider: "appleiap", type: "recharge", productid: "p" }))).toMatchObject({ cancelled: true });
    fake.native.requestPayment = () => ({ ok: true, res: { transactionIdentifier: "9", transactionReceipt: "r", transactionState: "1" } });
    expect(await failure(vkPay.pay({ provider: "appleiap", type: "recharge", productid: "p" }))).toMatchObject({ failType: "result", code: 4001 });
    expect(finished).toEqual([]);
    expect(fake.storage.get(IAP_CACHE_KEY)).toEqual({ "9": "T1" });
  });
});
