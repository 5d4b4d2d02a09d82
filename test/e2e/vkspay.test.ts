import { epayNotification, startVkspaySpace, type VkspaySpace } from "./helpers/vkspay";

/**
 * VksPay (spoken as 易支付) end to end: the built vk-pay in the emulator over real HTTP to the sandbox, for
 * each of its modes, and notifications by GET to the order's notify URL.
 */
let s: VkspaySpace;
beforeAll(async () => {
  s = await startVkspaySpace();
}, 60_000);
afterAll(() => s?.close());

const balance = async () => ((await s.db.collection("uni-id-users").doc("u1").get()).data[0]?.balance ?? 0) as number;

describe("VksPay through the emulator and the sandbox", () => {
  for (const [label, platform, extra, payType, field, type] of [
    ["a PC QR code", "web", { needQRcode: true, provider_pay_method: "alipay" }, "vkspay_h5", "codeUrl", "alipay"],
    ["a mini program (WeChat Pay by default)", "mp-weixin", {}, "vkspay_mp-weixin", "mwebUrl", "wxpay"],
    ["an App", "app-plus", { provider_pay_method: "alipay", return_url: "https://shop.example.com/paid" }, "vkspay_app-plus", "mwebUrl", "alipay"],
  ] as const) {
    it(`pays ${label}: mapi.php's link in orderInfo.${field}, the GET notification credits once`, async () => {
      const start = await balance();
      const created = await s.client("pay/createPayment", { provider: "vkspay", type: "recharge", total_fee: 1234, ...extra }, platform);
      expect(created).toMatchObject({ code: 0, data: { pay_type: payType, orderInfo: { [field]: expect.stringContaining("/__sandbox/vkspay/cashier") } } });
      const outTradeNo = created.data.out_trade_no as string;
      expect(s.vkspay.state.trade(outTradeNo)).toMatchObject({ money: "12.34", type, pid: s.vkspay.keys.mchId, status: 0 });
      if ("return_url" in extra) expect(s.vkspay.state.trade(outTradeNo)!.return_url).toBe(extra.return_url);
      // The cashier page the link opens.
      const page = await fetch(created.data.orderInfo[field]);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("12.34");

      await s.control("pay", { out_trade_no: outTradeNo });
      expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 1, transaction_id: s.vkspay.state.trade(outTradeNo)!.trade_no });
      expect(await balance()).toBe(start + 1234);
      await s.control("redeliver", { out_trade_no: outTradeNo });
      expect(await s.outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);
      expect(await balance()).toBe(start + 1234);
    });
  }

  it("refuses an App or QR order without provider_pay_method before any order is written", async () => {
    const reply = await s.client("pay/createPayment", { provider: "vkspay", type: "recharge", total_fee: 100, out_trade_no: "VKS-NO-METHOD-1" }, "app-plus");
    expect(reply).toMatchObject({ code: -1, errCode: "vk-pay-pay-method-invalid" });
    expect(await s.order("VKS-NO-METHOD-1")).toBeUndefined();
    expect(s.vkspay.state.trade("VKS-NO-METHOD-1")).toBeUndefined();
  });

  it("refuses a GET notification signed with the `&key=` variant or tampered, and accepts the genuine one by GET", async () => {
    const created = await s.client("pay/createPayment", {
      provider: "vkspay",
      type: "recharge",
      total_fee: 500,
      needQRcode: true,
      provider_pay_method: "wxpay",
    });
    const outTradeNo = created.data.out_trade_no as string;
    const url = (await s.order(outTradeNo)).notify_url as string;
    const refused = async () => (await s.db.collection("vk-pay-notify-log").where({ outcome: "refused" }).count()).total as number;
    const before = await refused();
    const get = async (params: Record<string, string>) => {
      const response = await fetch(`${url}?${new URLSearchParams(params)}`);
      return { status: response.status, body: await response.text() };
    };
    const genuine = epayNotification(s.vkspay.keys.mchId, s.vkspay.keys.key, outTradeNo, "5.00", { type: "wxpay" });
    const variant = epayNotification(s.vkspay.keys.mchId, `&key=${s.vkspay.keys.key}`, outTradeNo, "5.00", { type: "wxpay" });
    expect((await get(variant)).body).not.toBe("success");
    expect((await get({ ...genuine, money: "0.05" })).body).not.toBe("success");
    expect(await s.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
    expect(await get(genuine)).toEqual({ status: 200, body: "success" });
    expect(await s.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
    // Refused before a field was read, so the log cannot name the order; it counts both refusals.
    expect(await refused()).toBe(before + 2);
    expect(await s.outcomes(outTradeNo)).toEqual(["applied"]);
  });

  it("refunds through api.php at once, and never more than was paid", async () => {
    const created = await s.client("pay/createPayment", {
      provider: "vkspay",
      type: "recharge",
      total_fee: 800,
      needQRcode: true,
      provider_pay_method: "alipay",
    });
    const outTradeNo = created.data.out_trade_no as string;
    await s.control("pay", { out_trade_no: outTradeNo });
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 300 })).toMatchObject({ code: 0, data: { refund_status: "SUCCESS" } });
    expect(s.vkspay.state.trade(outTradeNo)!.refunded).toBe("3.00");
    expect(await s.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 600 })).toMatchObject({ code: 2008 });
    expect(s.vkspay.state.trade(outTradeNo)!.refunded).toBe("3.00");
  });
});
