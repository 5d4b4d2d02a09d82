import { ProviderRejectedError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import type { CreateRequest } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { FakeWechatV2, SECAPI_BASE, v2Config } from "./fake-wechat-v2";

describe("wxpay codepay (micropay)", () => {
  let wechat: FakeWechatV2;
  let provider: ReturnType<typeof createWxpayProvider>;

  beforeEach(() => {
    wechat = new FakeWechatV2();
    provider = createWxpayProvider({
      database: () => {
        throw new Error("codepay needs no database");
      },
      log: () => undefined,
      wait: wechat.wait,
    });
  });

  const request = (overrides: Partial<CreateRequest> = {}): CreateRequest => ({
    mode: "codepay",
    config: v2Config(),
    outTradeNo: "C1",
    totalFee: 500,
    subject: "门店消费",
    notifyUrl: "https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/wxpay_codepay/C1",
    clientIp: "203.0.113.7",
    authCode: "134567890123456789",
    ...overrides,
  });
  const paid = {
    trade_state: "SUCCESS",
    trade_type: "MICROPAY",
    out_trade_no: "C1",
    transaction_id: "4200000099",
    total_fee: "500",
    time_end: "20260115120030",
  };
  const pending = (errCode = "USERPAYING") => ({ fields: { result_code: "FAIL", err_code: errCode, err_code_des: "需要用户输入支付密码" } });

  it("pays at once: SUCCESS with the transaction id, no wait, no notify_url", async () => {
    wechat.on("/pay/micropay", () => ({
      fields: { trade_type: "MICROPAY", out_trade_no: "C1", transaction_id: "4200000099", total_fee: "500", time_end: "20260115120030" },
    }));
    const result = await provider.createPayment(request(), wechat.runtime);
    const call = wechat.calls("/pay/micropay")[0]!;
    expect(call.signatureValid).toBe(true);
    expect(call.fields).toMatchObject({
      auth_code: "134567890123456789",
      out_trade_no: "C1",
      total_fee: "500",
      body: "门店消费",
      spbill_create_ip: "203.0.113.7",
    });
    expect(call.fields.notify_url).toBeUndefined();
    expect(result).toMatchObject({ state: "SUCCESS", transactionId: "4200000099", orderInfo: { tradeState: "SUCCESS", tradeStateDesc: "支付成功" } });
    expect(wechat.waits).toEqual([]);
  });

  it("USERPAYING, then queries at the configured interval until SUCCESS (fake clock, no sleeping)", async () => {
    wechat.on("/pay/micropay", () => pending());
    let queries = 0;
    wechat.on("/pay/orderquery", () => (++queries < 3 ? { fields: { trade_state: "USERPAYING", out_trade_no: "C1", total_fee: "500" } } : { fields: paid }));
    const started = wechat.now;
    const result = await provider.createPayment(request(), wechat.runtime);
    expect(result).toMatchObject({ state: "SUCCESS", transactionId: "4200000099" });
    expect(wechat.waits).toEqual([5000, 5000, 5000]);
    expect(wechat.now - started).toBe(15_000);
    expect(wechat.calls("/pay/orderquery").every((call) => call.fields.out_trade_no === "C1" && call.signatureValid)).toBe(true);
    expect(wechat.calls("/secapi/pay/reverse")).toHaveLength(0);
  });

  it("SYSTEMERROR and a lost answer are unknown outcomes settled by querying", async () => {
    wechat.on("/pay/micropay", () => pending("SYSTEMERROR"));
    wechat.on("/pay/orderquery", () => ({ fields: paid }));
    expect((await provider.createPayment(request(), wechat.runtime)).state).toBe("SUCCESS");
    wechat.on("/pay/micropay", () => ({ fail: true }));
    expect((await provider.createPayment(request(), wechat.runtime)).state).toBe("SUCCESS");
  });

  it("still paying at the deadline: reversed over mutual TLS (again while recall=Y), reported closed", async () => {
    wechat.on("/pay/micropay", () => pending());
    wechat.on("/pay/orderquery", () => ({ fields: { trade_state: "USERPAYING", out_trade_no: "C1", total_fee: "500" } }));
    let reverses = 0;
    const recallAgain: Record<string, string> = { result_code: "FAIL", err_code: "SYSTEMERROR", err_code_des: "系统错误", recall: "Y" };
    wechat.on("/secapi/pay/reverse", () => ({ fields: ++reverses === 1 ? recallAgain : { recall: "N" } }));
    const result = await provider.createPayment(request(), wechat.runtime);
    expect(wechat.calls("/pay/orderquery")).toHaveLength(6);
    const reverse = wechat.calls("/secapi/pay/reverse");
    expect(reverse).toHaveLength(2);
    expect(reverse[0]!.url).toBe(`${SECAPI_BASE}/secapi/pay/reverse`);
    expect(reverse[0]!.fields.out_trade_no).toBe("C1");
    expect(reverse[0]!.options.cert).toBeDefined();
    expect(reverse[0]!.options.key).toBeDefined();
    expect(result).toMatchObject({ state: "CLOSED", orderInfo: { tradeState: "REVOKED" } });
  });

  it("neither settled nor reversible: stays USERPAYING for later queries", async () => {
    wechat.on("/pay/micropay", () => pending("BANKERROR"));
    wechat.on("/pay/orderquery", () => ({ fields: { result_code: "FAIL", err_code: "SYSTEMERROR", err_code_des: "系统错误" } }));
    wechat.on("/secapi/pay/reverse", () => ({ fields: { result_code: "FAIL", err_code: "REVERSE_EXPIRE", err_code_des: "订单无法撤销", recall: "N" } }));
    const result = await provider.createPayment(request({ config: v2Config({ codepayPollIntervalMs: 2000, codepayMaxWaitMs: 6000 }) }), wechat.runtime);
    expect(wechat.waits).toEqual([2000, 2000, 2000]);
    expect(result).toMatchObject({ state: "USERPAYING", orderInfo: { tradeState: "USERPAYING" } });
  });

  it("a final failure during the wait is reported as it is", async () => {
    wechat.on("/pay/micropay", () => pending());
    wechat.on("/pay/orderquery", () => ({ fields: { trade_state: "PAYERROR", out_trade_no: "C1", total_fee: "500" } }));
    expect(await provider.createPayment(request(), wechat.runtime)).toMatchObject({ state: "PAYERROR", orderInfo: { tradeState: "PAYERROR" } });
  });

  it("a refusal (NOTENOUGH) is a ProviderRejectedError with WeChat's code, no query, no reverse", async () => {
    wechat.on("/pay/micropay", () => ({ fields: { result_code: "FAIL", err_code: "NOTENOUGH", err_code_des: "余额不足" } }));
    const paying = provider.createPayment(request(), wechat.runtime);
    await expect(paying).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(paying).rejects.toMatchObject({ providerCode: "NOTENOUGH", message: "付款码支付失败：余额不足" });
    expect(wechat.calls("/pay/orderquery")).toHaveLength(0);
  });

  it("a paid answer for another amount is not reported as paid", async () => {
    wechat.on("/pay/micropay", () => ({ fields: { ...paid, total_fee: "1" } }));
    await expect(provider.createPayment(request(), wechat.runtime)).rejects.toMatchObject({ kind: "network" });
  });

  it("store_id goes into scene_info.store_info.id, beside a caller's scene_info", async () => {
    wechat.on("/pay/micropay", () => ({ fields: paid }));
    await provider.createPayment(request({ other: { store_id: "SZTX001", scene_info: { store_info: { name: "腾大餐厅" } } } }), wechat.runtime);
    expect(JSON.parse(wechat.calls("/pay/micropay")[0]!.fields.scene_info!)).toEqual({ store_info: { name: "腾大餐厅", id: "SZTX001" } });
    await expect(provider.createPayment(request({ other: { store_id: { $gt: "" } } }), wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
  });

  it("refuses a malformed auth_code before sending", async () => {
    await expect(provider.createPayment(request({ authCode: "12ab" }), wechat.runtime)).rejects.toMatchObject({ errCode: "vk-pay-auth-code-invalid" });
    expect(wechat.requests).toHaveLength(0);
  });

  it("a version-2 config takes the store number given beside auth_code (vk-uni-pay's store_id) into scene_info.store_info.id", async () => {
    wechat.on("/pay/micropay", () => ({ fields: paid }));
    expect((await provider.createPayment(request({ storeId: "SZ-001" }), wechat.runtime)).state).toBe("SUCCESS");
    expect(JSON.parse(wechat.calls("/pay/micropay")[0]!.fields.scene_info!)).toEqual({ store_info: { id: "SZ-001" } });
  });

  it("closing a pay-code order reverses it", async () => {
    wechat.on("/secapi/pay/reverse", () => ({ fields: { recall: "N" } }));
    await provider.closePayment({ mode: "codepay", config: v2Config(), outTradeNo: "C1" }, wechat.runtime);
    expect(wechat.calls("/secapi/pay/reverse")).toHaveLength(1);
    expect(wechat.calls("/pay/closeorder")).toHaveLength(0);
  });
});
