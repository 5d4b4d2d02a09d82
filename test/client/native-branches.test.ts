import { createVkPay, VkPayClientError } from "../../common/vk-uni-pay-client/src";
import { created, fakeHost, state } from "./helpers/fake-host";

/** Each native branch of vk-pay.md §2.3 against a simulated `uni`: what is invoked, and how its answer is read. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: VkPayClientError) => error,
  );

describe("the client SDK's native payments", () => {
  const jsapi = { timeStamp: "1700000000", nonceStr: "n", package: "prepay_id=wx1", signType: "RSA", paySign: "sig" };

  it("a WeChat mini program spreads the JSAPI parameters into uni.requestPayment, then believes only the server", async () => {
    const fake = fakeHost({
      platform: "mp-weixin",
      replies: {
        "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_mp-weixin", orderInfo: jsapi }),
        "pay/queryPayment": [state("NOTPAY"), state("SUCCESS", { user_order_success: true })],
      },
    });
    const vkPay = createVkPay({ host: fake.host });
    const result = await vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: 100 }, openid: "o1", awaitNotify: true });
    expect(result).toMatchObject({ orderPaid: true, out_trade_no: "T1", trade_state: "SUCCESS", user_order_success: true });
    expect(fake.calls.find((c) => c.api === "requestPayment")!.options).toMatchObject({ provider: "wxpay", ...jsapi });
    const create = fake.functionCalls[0]!;
    expect(create).toMatchObject({
      name: "vk-pay",
      data: { url: "pay/createPayment", data: { provider: "wxpay", type: "recharge", total_fee: 100, openid: "o1" } },
    });
    expect(fake.functionCalls[1]!.data).toEqual({ url: "pay/queryPayment", data: { out_trade_no: "T1", await_notify: true } });
    expect(fake.sleeps).toEqual([200, 1500]);
  });

  it("fetches and caches the mini program's openid with uni.login and pay/code2SessionWeixin when none is given", async () => {
    const fake = fakeHost({
      platform: "mp-weixin",
      replies: {
        "pay/code2SessionWeixin": { code: 0, data: { openid: "o-login" } },
        "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_mp-weixin", orderInfo: jsapi }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    fake.native.login = () => ({ ok: true, res: { code: "js-code" } });
    const vkPay = createVkPay({ host: fake.host });
    await vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: 100 } });
    await vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: 100 } });
    expect(fake.functionCalls.filter((c) => c.data.url === "pay/code2SessionWeixin").map((c) => c.data.data)).toEqual([
      { code: "js-code", appid: "wx-mp-appid" },
    ]);
    expect(fake.functionCalls.filter((c) => c.data.url === "pay/createPayment").map((c) => c.data.data.openid)).toEqual(["o-login", "o-login"]);
  });

  it("a cancelled or failed requestPayment fails with failType request, and queries nothing", async () => {
    const fake = fakeHost({
      platform: "mp-weixin",
      replies: { "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_mp-weixin", orderInfo: jsapi }) },
    });
    const vkPay = createVkPay({ host: fake.host });
    fake.native.requestPayment = () => ({ ok: false, res: { errMsg: "requestPayment:fail cancel" } });
    expect(await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o1" }))).toMatchObject({
      failType: "request",
      cancelled: true,
      out_trade_no: "T1",
    });
    expect(fake.calls.filter((c) => c.api === "showModal")).toEqual([]);
    fake.native.requestPayment = () => ({ ok: false, res: { errMsg: "requestPayment:fail jsapi has no permission" } });
    const failed = await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o1" }));
    expect(failed).toBeInstanceOf(VkPayClientError);
    expect(failed).toMatchObject({ failType: "request", msg: "支付失败" });
    expect(failed!.cancelled).toBeUndefined();
    expect(fake.calls.filter((c) => c.api === "showModal").map((c) => c.options.content)).toEqual(["支付失败"]);
    expect(fake.routes().filter((r) => r === "pay/queryPayment")).toEqual([]);
  });

  it("an App passes WeChat's parameter object (spread too) and Alipay's order string (never spread)", async () => {
    const appParams = { appid: "wxapp", partnerid: "1900", prepayid: "wx2", package: "Sign=WXPay", noncestr: "n", timestamp: "1", sign: "s" };
    const fake = fakeHost({
      platform: "app",
      replies: { "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_app-plus", orderInfo: appParams }), "pay/queryPayment": state("SUCCESS") },
    });
    await createVkPay({ host: fake.host }).pay({ provider: "wxpay", type: "recharge" });
    expect(fake.calls[0]!.options).toMatchObject({ provider: "wxpay", orderInfo: appParams, ...appParams });

    const alipay = fakeHost({
      platform: "app",
      replies: {
        "pay/createPayment": created({ provider: "alipay", pay_type: "alipay_app-plus", orderInfo: "app_id=1&sign=x" }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    await createVkPay({ host: alipay.host }).pay({ provider: "alipay", type: "recharge" });
    const options = alipay.calls[0]!.options;
    expect(options).toMatchObject({ provider: "alipay", orderInfo: "app_id=1&sign=x" });
    expect(options).not.toHaveProperty("0");
  });

  it("an Alipay mini program pays its trade number and reads resultCode: 9000/8000/6004 verify, 6001 cancels, 4000 fails", async () => {
    const fake = fakeHost({
      platform: "mp-alipay",
      replies: {
        "pay/createPayment": created({ provider: "alipay", pay_type: "alipay_mp-alipay", orderInfo: "2024TRADE" }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    const vkPay = createVkPay({ host: fake.host, needAlert: false });
    for (const code of ["9000", "8000", "6004"]) {
      fake.native.requestPayment = () => ({ ok: true, res: { resultCode: code } });
      await expect(vkPay.pay({ provider: "alipay", type: "recharge", openid: "2088" })).resolves.toMatchObject({ orderPaid: true });
    }
    expect(fake.calls[0]!.options).toMatchObject({ provider: "alipay", orderInfo: "2024TRADE" });
    fake.native.requestPayment = () => ({ ok: false, res: { resultCode: "6001" } });
    expect(await failure(vkPay.pay({ provider: "alipay", type: "recharge", openid: "2088" }))).toMatchObject({ failType: "request", cancelled: true });
    fake.native.requestPayment = () => ({ ok: true, res: { resultCode: "4000" } });
    expect(await failure(vkPay.pay({ provider: "alipay", type: "recharge", openid: "2088" }))).toMatchObject({
      failType: "request",
      code: "4000",
      msg: "支付失败",
    });
  });

  it("Douyin pays through its cashier (service 5): code 0 verifies, 4 cancels, 2 fails; getOrderStatus asks our server", async () => {
    const fake = fakeHost({
      platform: "mp-toutiao",
      replies: {
        "pay/createPayment": created({ provider: "douyin", pay_type: "douyin_mp-toutiao", orderInfo: { order_id: "d1", order_token: "t" } }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    const vkPay = createVkPay({ host: fake.host, needAlert: false });
    fake.native.requestPayment = () => ({ ok: true, res: { code: 0 } });
    await expect(vkPay.pay({ provider: "douyin", type: "recharge" })).resolves.toMatchObject({ orderPaid: true });
    const options = fake.calls[0]!.options;
    expect(options).toMatchObject({ service: 5, orderInfo: { order_id: "d1" } });
    await expect(options.getOrderStatus()).resolves.toEqual({ code: 0 });
    fake.native.requestPayment = () => ({ ok: true, res: { code: 4 } });
    expect(await failure(vkPay.pay({ provider: "douyin", type: "recharge" }))).toMatchObject({ cancelled: true });
    fake.native.requestPayment = () => ({ ok: true, res: { code: 2 } });
    expect(await failure(vkPay.pay({ provider: "douyin", type: "recharge" }))).toMatchObject({ failType: "request", code: 2 });
  });

  it("a HarmonyOS meta-service pays orderStr; 50000101 is the payer's cancel", async () => {
    const fake = fakeHost({
      platform: "mp-harmony",
      replies: { "pay/createPayment": created({ provider: "huawei", pay_type: "huawei_mp-harmony", orderInfo: "orderStr-signed" }) },
    });
    fake.native.requestPayment = () => ({ ok: false, res: { errCode: 50000101 } });
    expect(await failure(createVkPay({ host: fake.host }).pay({ provider: "huawei", type: "recharge" }))).toMatchObject({
      failType: "request",
      cancelled: true,
    });
    expect(fake.calls[0]!.options).toMatchObject({ orderStr: "orderStr-signed" });
    expect(fake.calls[0]!.options).not.toHaveProperty("provider");
  });

  it("WeChat virtual payment calls uni.requestVirtualPayment; -2 cancels, other codes fail in Chinese, iOS is refused", async () => {
    const orderInfo = { signData: '{"offerId":"1"}', paySig: "p", signature: "s", mode: "short_series_coin" };
    const fake = fakeHost({
      platform: "mp-weixin",
      replies: {
        "pay/createPayment": created({ provider: "wxpay-virtual", pay_type: "wxpay-virtual_mp-weixin", orderInfo }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    const vkPay = createVkPay({ host: fake.host, needAlert: false });
    await expect(vkPay.pay({ provider: "wxpay-virtual", type: "recharge", openid: "o1" })).resolves.toMatchObject({ orderPaid: true });
    expect(fake.calls.find((c) => c.api === "requestVirtualPayment")!.options).toMatchObject(orderInfo);
    expect(fake.calls.some((c) => c.api === "requestPayment")).toBe(false);
    fake.native.requestVirtualPayment = () => ({ ok: false, res: { errCode: -2 } });
    expect(await failure(vkPay.pay({ provider: "wxpay-virtual", type: "recharge", openid: "o1" }))).toMatchObject({ cancelled: true });
    fake.native.requestVirtualPayment = () => ({ ok: false, res: { errCode: -15005 } });
    expect(await failure(vkPay.pay({ provider: "wxpay-virtual", type: "recharge", openid: "o1" }))).toMatchObject({ code: -15005, msg: "代币余额不足" });
    fake.native.requestVirtualPayment = () => ({ ok: false, res: { errMsg: "requestVirtualPayment:fail INVALID_PLATFORM" } });
    expect(await failure(vkPay.pay({ provider: "wxpay-virtual", type: "recharge", openid: "o1" }))).toMatchObject({ code: "INVALID_PLATFORM" });
  });

  it("an official account's page waits for WeixinJSBridge and reads getBrandWCPayRequest's err_msg", async () => {
    const listeners: Record<string, () => void> = {};
    const answers: string[] = ["get_brand_wcpay_request:ok", "get_brand_wcpay_request:cancel", "get_brand_wcpay_request:fail"];
    const invoked: unknown[] = [];
    const browser = {
      location: { href: "http://h5.example.com/#/pages/pay" },
      navigator: { userAgent: "Mozilla/5.0 (iPhone) MicroMessenger/8.0", platform: "iPhone" },
      document: { addEventListener: (name: string, listener: () => void) => void (listeners[name] = listener) },
    } as any;
    const fake = fakeHost({
      platform: "web",
      browser,
      replies: {
        "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_h5-weixin", orderInfo: { appId: "wxoa", ...jsapi } }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    fake.host.sleep = () => new Promise(() => undefined); // the bridge arrives through its event, not the timeout
    const vkPay = createVkPay({ host: fake.host, needAlert: false });
    const paying = vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o-oa" });
    await new Promise((resolve) => setImmediate(resolve));
    fake.host.window!.WeixinJSBridge = { invoke: (name, params, callback) => (invoked.push([name, params]), callback({ err_msg: answers.shift()! })) };
    fake.host.sleep = async () => undefined;
    listeners.WeixinJSBridgeReady!();
    await expect(paying).resolves.toMatchObject({ orderPaid: true });
    expect(invoked[0]).toEqual(["getBrandWCPayRequest", { appId: "wxoa", ...jsapi }]);
    expect(await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o-oa" }))).toMatchObject({ cancelled: true });
    expect(await failure(vkPay.pay({ provider: "wxpay", type: "recharge", openid: "o-oa" }))).toMatchObject({ failType: "request" });
  });
});
