import { createVkPay, type VkPayClientError } from "../../common/vk-uni-pay-client/src";
import { created, fakeHost, state } from "./helpers/fake-host";

/** The H5 and pay-code branches of vk-pay.md §2.3: QR codes and their polling, MWEB, Alipay on phones, pay codes. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: VkPayClientError) => error,
  );
const pc = { navigator: { userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120", platform: "Win32" } };
const phone = (ua = "Mozilla/5.0 (Linux; Android 14) Mobile Safari") => ({ navigator: { userAgent: ua, platform: "Linux armv8l" } });

describe("the client SDK on the web", () => {
  it("a PC sends isPC, hands the QR code to the page and polls until paid, pausing (uncounted) while the page is hidden", async () => {
    const browser: any = { ...pc, document: { visibilityState: "visible" } };
    const queries = [state("NOTPAY"), state("NOTPAY"), state("SUCCESS")];
    const fake = fakeHost({
      platform: "web",
      browser,
      replies: {
        "pay/createPayment": created({
          provider: "wxpay",
          pay_type: "wxpay_h5",
          needQRcode: true,
          orderInfo: { codeUrl: "weixin://wxpay/bizpayurl?pr=1" },
          qrcodeImage: "data:image/png;base64,AA",
        }),
        "pay/queryPayment": () => queries.shift()!,
      },
    });
    const vkPay = createVkPay({ host: fake.host, pollingTimes: 3 });
    const shown: unknown[] = [];
    let slept = 0;
    fake.host.sleep = async () => {
      slept += 1;
      // Hidden for the second and third waits: no query runs, and none is counted against pollingTimes.
      browser.document.visibilityState = slept === 2 || slept === 3 ? "hidden" : "visible";
    };
    const result = await vkPay.pay({
      provider: "wxpay",
      type: "recharge",
      data: { total_fee: 100 },
      needQRcode: "image",
      onQrcode: (info) => shown.push(info),
    });
    expect(result).toMatchObject({ orderPaid: true, out_trade_no: "T1" });
    expect(shown).toEqual([
      { codeUrl: "weixin://wxpay/bizpayurl?pr=1", qrcodeImage: "data:image/png;base64,AA", out_trade_no: "T1", provider: "wxpay", total_fee: 100 },
    ]);
    expect(fake.functionCalls[0]!.data.data).toMatchObject({ isPC: true, needQRcode: "image" });
    expect(fake.routes().filter((r) => r === "pay/queryPayment")).toHaveLength(3);
    expect(slept).toBe(5);
  });

  it("setPageVisible(false) pauses the poll; stopPolling ends it as cancelled; a closed order ends it as result", async () => {
    const fake = fakeHost({
      platform: "web",
      browser: pc,
      replies: {
        "pay/createPayment": created({ provider: "alipay", pay_type: "alipay_h5", needQRcode: true, orderInfo: { codeUrl: "https://qr.alipay.com/x" } }),
        "pay/queryPayment": state("NOTPAY"),
      },
    });
    const vkPay = createVkPay({ host: fake.host });
    let waits = 0;
    fake.host.sleep = async () => {
      waits += 1;
      if (waits === 1) vkPay.setPageVisible(false);
      if (waits === 5) vkPay.stopPolling();
    };
    expect(await failure(vkPay.pay({ provider: "alipay", type: "recharge" }))).toMatchObject({ cancelled: true, failType: "request" });
    expect(fake.routes().filter((r) => r === "pay/queryPayment")).toEqual([]);

    vkPay.setPageVisible(true);
    fake.host.sleep = async () => undefined;
    const closed = fakeHost({
      platform: "web",
      browser: pc,
      replies: {
        "pay/createPayment": created({ provider: "alipay", pay_type: "alipay_h5", needQRcode: true, orderInfo: { codeUrl: "https://qr.alipay.com/x" } }),
        "pay/queryPayment": state("CLOSED"),
      },
    });
    expect(await failure(createVkPay({ host: closed.host, needAlert: false }).pay({ provider: "alipay", type: "recharge" }))).toMatchObject({
      failType: "result",
      code: "CLOSED",
      msg: "订单已关闭",
    });
  });

  it("polling that finds nothing gives up after pollingTimes with failType result; polling: false resolves once shown", async () => {
    const fake = fakeHost({
      platform: "web",
      browser: pc,
      replies: {
        "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_h5", needQRcode: true, orderInfo: { codeUrl: "weixin://x" } }),
        "pay/queryPayment": state("NOTPAY"),
      },
    });
    const vkPay = createVkPay({ host: fake.host, pollingTimes: 4, needAlert: false });
    expect(await failure(vkPay.pay({ provider: "wxpay", type: "recharge" }))).toMatchObject({ failType: "result", code: "timeout" });
    expect(fake.routes().filter((r) => r === "pay/queryPayment")).toHaveLength(4);
    await expect(vkPay.pay({ provider: "wxpay", type: "recharge", polling: false })).resolves.toMatchObject({
      orderPaid: false,
      stopped: true,
      codeUrl: "weixin://x",
    });
  });

  it("on a phone, Alipay's code is opened: Alipay's scheme outside, the link itself in the Alipay browser, plus.runtime.openURL in an App", async () => {
    const reply = {
      "pay/createPayment": created({ provider: "alipay", pay_type: "alipay_h5", needQRcode: true, orderInfo: { codeUrl: "https://qr.alipay.com/bax1" } }),
      "pay/queryPayment": state("SUCCESS"),
    };
    const outside = fakeHost({ platform: "web", browser: phone(), replies: reply });
    const shown: unknown[] = [];
    await createVkPay({ host: outside.host }).pay({ provider: "alipay", type: "recharge", onQrcode: (info) => shown.push(info) });
    expect(outside.host.window!.location.href).toBe(
      `alipays://platformapi/startapp?saId=10000007&qrcode=${encodeURIComponent("https://qr.alipay.com/bax1?_s=web-other")}`,
    );
    expect(shown).toEqual([]);
    const inAlipay = fakeHost({ platform: "web", browser: phone("Mozilla/5.0 (Linux; Android 14) Mobile AlipayClient/10.5"), replies: reply });
    await createVkPay({ host: inAlipay.host }).pay({ provider: "alipay", type: "recharge" });
    expect(inAlipay.host.window!.location.href).toBe("https://qr.alipay.com/bax1");
    const app = fakeHost({ platform: "app", replies: { ...reply } });
    await createVkPay({ host: app.host }).pay({ provider: "alipay", type: "recharge" });
    expect(app.calls.find((c) => c.api === "plus.openURL")!.options.url).toContain("alipays://platformapi/startapp?saId=10000007");
    // WeChat's code is shown on a phone too, never opened.
    const wx = fakeHost({
      platform: "web",
      browser: phone(),
      replies: {
        "pay/createPayment": created({ provider: "wxpay", pay_type: "wxpay_h5", needQRcode: true, orderInfo: { codeUrl: "weixin://y" } }),
        "pay/queryPayment": state("SUCCESS"),
      },
    });
    const wxShown: unknown[] = [];
    await createVkPay({ host: wx.host }).pay({ provider: "wxpay", type: "recharge", needQRcode: true, onQrcode: (info) => wxShown.push(info) });
    expect(wxShown).toHaveLength(1);
    expect(wx.host.window!.location.href).toBe("http://h5.example.com/#/pages/pay/index");
  });

  it("MWEB leaves for the cashier with an encoded redirect_url back to this page, and the return page asks, then queries", async () => {
    const fake = fakeHost({
      platform: "web",
      browser: phone(),
      replies: {
        "pay/createPayment": created({
          provider: "wxpay",
          pay_type: "wxpay_mweb",
          orderInfo: { h5Url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=2" },
        }),
        "pay/queryPayment": [state("NOTPAY", { provider: "wxpay", pay_type: "wxpay_mweb" }), state("SUCCESS", { provider: "wxpay", pay_type: "wxpay_mweb" })],
      },
    });
    const vkPay = createVkPay({ host: fake.host });
    await expect(vkPay.pay({ provider: "wxpay", type: "recharge" })).resolves.toMatchObject({ orderPaid: false, redirected: true, out_trade_no: "T1" });
    const back = "http://h5.example.com/#/pages/pay/index?confirmShow=true&out_trade_no=T1";
    expect(fake.host.window!.location.href).toBe(
      `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=2&redirect_url=${encodeURIComponent(back)}`,
    );

    // Back from WeChat: the payer says they paid; the first query does not have it yet, the poll does.
    fake.host.window!.location.href = back;
    fake.native.showModal = () => ({ ok: true, res: { confirm: true } });
    await expect(vkPay.confirmReturn()).resolves.toMatchObject({ orderPaid: true, out_trade_no: "T1", provider: "wxpay", pay_type: "wxpay_mweb" });
    expect(fake.calls.find((c) => c.api === "showModal")!.options).toMatchObject({ title: "支付确认" });
    // A page that was not a return does nothing; a payer who says "not paid" of an unpaid order cancels.
    fake.host.window!.location.href = "http://h5.example.com/#/pages/pay/index";
    await expect(vkPay.confirmReturn()).resolves.toBeNull();
    const unpaid = fakeHost({ platform: "web", browser: phone(), replies: { "pay/queryPayment": state("NOTPAY") } });
    unpaid.native.showModal = () => ({ ok: true, res: { confirm: false, cancel: true } });
    expect(await failure(createVkPay({ host: unpaid.host }).confirmReturn({ query: { confirmShow: "true", out_trade_no: "T1" } }))).toMatchObject({
      cancelled: true,
    });
    // Another provider's cashier (an aggregator's page) returns the same way: the order names its provider, and
    // a payment the server already has is answered without asking the payer.
    const vks = fakeHost({
      platform: "web",
      browser: phone(),
      replies: { "pay/queryPayment": state("SUCCESS", { provider: "vkspay", pay_type: "vkspay_h5" }) },
    });
    await expect(createVkPay({ host: vks.host }).confirmReturn({ query: { confirmShow: "true", out_trade_no: "T1" } })).resolves.toMatchObject({
      orderPaid: true,
      provider: "vkspay",
      pay_type: "vkspay_h5",
    });
    expect(vks.calls.some((c) => c.api === "showModal")).toBe(false);
  });

  it("a pay code: SUCCESS verifies, USERPAYING tells the page and polls, anything else fails with the trade state", async () => {
    const reply = (tradeState: string) =>
      created({ provider: "wxpay", pay_type: "wxpay_codepay", orderInfo: { tradeState, tradeStateDesc: tradeState === "PAYERROR" ? "支付失败" : "" } });
    const paid = fakeHost({ platform: "web", browser: pc, replies: { "pay/createPayment": reply("SUCCESS"), "pay/queryPayment": state("SUCCESS") } });
    await expect(
      createVkPay({ host: paid.host }).pay({ provider: "wxpay", type: "recharge", data: { auth_code: "134567890123456789" } }),
    ).resolves.toMatchObject({ orderPaid: true });
    expect(paid.functionCalls[0]!.data.data.auth_code).toBe("134567890123456789");
    const waiting = fakeHost({
      platform: "web",
      browser: pc,
      replies: { "pay/createPayment": reply("USERPAYING"), "pay/queryPayment": [state("USERPAYING"), state("SUCCESS")] },
    });
    const told: unknown[] = [];
    await expect(
      createVkPay({ host: waiting.host }).pay({
        provider: "wxpay",
        type: "recharge",
        data: { auth_code: "1" },
        onUserPaying: (c) => told.push(c.out_trade_no),
      }),
    ).resolves.toMatchObject({ orderPaid: true });
    expect(told).toEqual(["T1"]);
    const refused = fakeHost({ platform: "web", browser: pc, replies: { "pay/createPayment": reply("PAYERROR") } });
    expect(
      await failure(createVkPay({ host: refused.host, needAlert: false }).pay({ provider: "wxpay", type: "recharge", data: { auth_code: "1" } })),
    ).toMatchObject({
      failType: "result",
      code: "PAYERROR",
      msg: "支付失败",
    });
  });
});
