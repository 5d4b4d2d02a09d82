import { createVkPay, type ClientHost } from "../../common/vk-uni-pay-client/src";
import { startPayingSpace } from "../helpers/paying-space";
import { mintToken, TEST_SECRET } from "../helpers/tokens";

/**
 * The client SDK against the real vk-pay in the emulator and the payment sandboxes: the shapes it reads
 * are the server's own. uniCloud.callFunction is the emulator's client endpoint, as a uni-app page would
 * reach it (token in the event, platform in clientInfo, the browser's user agent).
 */
describe("the client SDK against vk-pay in the emulator", () => {
  let env: Awaited<ReturnType<typeof startPayingSpace>>;
  let token: string;

  const hostFor = (platform: string, userAgent: string, uni: Record<string, unknown> = {}): ClientHost => ({
    uni: { requestPayment: () => undefined, getSystemInfoSync: () => ({ uniPlatform: platform }), ...uni } as any,
    uniCloud: {
      async callFunction({ name, data }) {
        const response = await fetch(`${env.url}/__callFunction/${name}`, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": userAgent },
          body: JSON.stringify({ event: { ...data, uniIdToken: token }, clientInfo: { PLATFORM: platform, APPID: "__UNI__TEST" } }),
        });
        return (await response.json()) as { result: unknown };
      },
    },
    window: platform === "web" ? { location: { href: "http://127.0.0.1:5173/#/pages/pay" }, navigator: { userAgent, platform: "Win32" } } : undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
  });
  const balance = async () => ((await env.db.collection("uni-id-users").doc("client-user").get()).data[0] as { balance: number }).balance;

  beforeAll(async () => {
    env = await startPayingSpace();
    await env.db.collection("uni-id-users").add({ _id: "client-user", role: [], status: 0, balance: 0, vip_expire_date: 0 });
    token = await mintToken(TEST_SECRET, { uid: "client-user" });
  });
  afterAll(() => env.close());

  it("a PC browser pays a WeChat Native QR code: the code is shown, the sandbox pays, the poll resolves once the hook has run", async () => {
    const vkPay = createVkPay({ host: hostFor("web", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120") });
    const result = await vkPay.pay({
      provider: "wxpay",
      type: "recharge",
      data: { total_fee: 1200 },
      awaitNotify: true,
      onQrcode: (info) => {
        expect(info.codeUrl).toContain("/__sandbox/wxpay/cashier");
        void env.control("wxpay", "pay", { out_trade_no: info.out_trade_no });
      },
    });
    expect(result).toMatchObject({
      orderPaid: true,
      provider: "wxpay",
      pay_type: "wxpay_h5",
      total_fee: 1200,
      trade_state: "SUCCESS",
      user_order_success: true,
    });
    expect(await balance()).toBe(1200);
    await expect(vkPay.queryPayment({ out_trade_no: result.out_trade_no })).resolves.toMatchObject({ trade_state: "SUCCESS", orderPaid: true });
  });

  it("an Alipay precreate QR code on a PC, paid in the Alipay sandbox", async () => {
    const vkPay = createVkPay({ host: hostFor("web", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120") });
    const before = await balance();
    const result = await vkPay.pay({
      provider: "alipay",
      type: "recharge",
      data: { total_fee: 300 },
      awaitNotify: true,
      onQrcode: (info) => void env.control("alipay", "pay", { out_trade_no: info.out_trade_no }),
    });
    expect(result).toMatchObject({ orderPaid: true, pay_type: "alipay_h5", total_fee: 300 });
    expect(await balance()).toBe(before + 300);
  });

  it("a WeChat mini program logs in for its openid, receives the real JSAPI parameters, and counts the payment once the server has it", async () => {
    const given: Array<Record<string, any>> = [];
    const uni = {
      // wx.login hands out a one-time code; the sandbox's api.weixin.qq.com stand-in knows it.
      login(options: Record<string, any>) {
        void env.control("wxpay", "issue-code", { openid: "o-client-login" }).then((issued) => options.success({ code: issued.code }));
      },
      requestPayment(options: Record<string, any>) {
        given.push(options);
        // The payer confirms in WeChat: the sandbox pays the order and notifies; the client only hears "ok".
        const outTradeNo = String(lastCreated);
        void env.control("wxpay", "pay", { out_trade_no: outTradeNo }).then(() => options.success({ errMsg: "requestPayment:ok" }));
      },
    };
    let lastCreated = "";
    const vkPay = createVkPay({ host: hostFor("mp-weixin", "Mozilla/5.0 MicroMessenger/8.0 miniProgram", uni) });
    const result = await vkPay.pay({
      provider: "wxpay",
      type: "recharge",
      data: { total_fee: 500 },
      awaitNotify: true,
      onCreate: (created) => void (lastCreated = created.out_trade_no),
    });
    expect(result).toMatchObject({ orderPaid: true, pay_type: "wxpay_mp-weixin", user_order_success: true });
    expect(given[0]).toMatchObject({ provider: "wxpay", package: expect.stringMatching(/^prepay_id=/), signType: "RSA", paySign: expect.any(String) });
    expect(typeof given[0]!.timeStamp).toBe("string");
    const order = (await env.db.collection("vk-pay-orders").where({ out_trade_no: result.out_trade_no }).get()).data[0] as { openid: string };
    expect(order.openid).toBe("o-client-login");
    expect(typeof given[0]!.nonceStr).toBe("string");
  });

  it("a phone browser leaves for the WeChat MWEB cashier and the return page confirms the payment with the server", async () => {
    const host = hostFor("web", "Mozilla/5.0 (Linux; Android 14; Pixel) Mobile Safari/537.36", {
      showModal: (options: Record<string, any>) => options.success({ confirm: true }),
    });
    host.window = {
      location: { href: "http://127.0.0.1:5173/#/pages/pay" },
      navigator: { userAgent: "Mozilla/5.0 (Linux; Android 14) Mobile", platform: "Linux armv8l" },
    };
    const vkPay = createVkPay({ host });
    const left = await vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: 700 } });
    expect(left).toMatchObject({ redirected: true, orderPaid: false, pay_type: "wxpay_mweb" });
    const cashier = host.window.location.href;
    const back = `http://127.0.0.1:5173/#/pages/pay?confirmShow=true&out_trade_no=${left.out_trade_no}`;
    expect(cashier).toContain(`redirect_url=${encodeURIComponent(back)}`);
    expect(cashier.startsWith(env.url)).toBe(true);

    // The payer pays in the cashier and WeChat sends them back.
    await env.control("wxpay", "pay", { out_trade_no: left.out_trade_no });
    host.window.location.href = back;
    await expect(vkPay.confirmReturn({ awaitNotify: true })).resolves.toMatchObject({ orderPaid: true, out_trade_no: left.out_trade_no, total_fee: 700 });
  });

  it("a create the server refuses (a total_fee the order type does not charge) fails with failType create and its code", async () => {
    const vkPay = createVkPay({ host: hostFor("web", "Mozilla/5.0 (Windows NT 10.0) Chrome/120"), needAlert: false });
    await expect(vkPay.pay({ provider: "wxpay", type: "recharge", data: { total_fee: -5 } })).rejects.toMatchObject({
      failType: "create",
      code: expect.any(Number),
    });
    await expect(vkPay.queryPayment({ out_trade_no: "NO_SUCH_ORDER_1" })).rejects.toMatchObject({ failType: "call", code: 2001 });
  });
});
