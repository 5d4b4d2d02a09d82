import { readFileSync } from "node:fs";
import { ConfigError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import type { CreateRequest } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import {
  APP_ID,
  authorizationVerifies,
  FakeWechat,
  issuePlatformCertificate,
  MCH_ID,
  MERCHANT_CERT_PATH,
  MERCHANT_KEY_PATH,
  memoryDatabase,
  merchantConfig,
  NOW,
  verifiesWithMerchant,
  type Identity,
} from "./fake-wechat";

describe("wxpay createPayment (API v3)", () => {
  let platform: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  let provider: ReturnType<typeof createWxpayProvider>;

  beforeAll(async () => {
    platform = await issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    wechat.on("POST /v3/pay/transactions/jsapi", () => ({ body: { prepay_id: "wx201410272009395522657a690389285100" } }));
    wechat.on("POST /v3/pay/transactions/app", () => ({ body: { prepay_id: "wx2014102720093955" } }));
    wechat.on("POST /v3/pay/transactions/native", () => ({ body: { code_url: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" } }));
    wechat.on("POST /v3/pay/transactions/h5", () => ({ body: { h5_url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1" } }));
    database = memoryDatabase();
    provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
  });
  afterEach(() => database.close());

  const request = (mode: string, overrides: Partial<CreateRequest> = {}): CreateRequest => ({
    mode,
    config: merchantConfig(),
    outTradeNo: "T20260115001",
    totalFee: 1234,
    subject: "测试订单",
    notifyUrl: "https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/wxpay_mp-weixin/T20260115001",
    clientIp: "203.0.113.7",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    ...overrides,
  });

  const sent = (route: string) => {
    const calls = wechat.calls(route);
    expect(calls).toHaveLength(1);
    return { call: calls[0]!, body: JSON.parse(calls[0]!.content) as Record<string, unknown> };
  };

  it.each(["mp-weixin", "h5-weixin"])("%s: JSAPI prepay with payer.openid, and JSAPI params with a verifiable paySign", async (mode) => {
    const result = await provider.createPayment(request(mode, { timeExpire: Date.UTC(2026, 0, 15, 4, 30, 0) }), wechat.runtime);
    const { call, body } = sent("POST /v3/pay/transactions/jsapi");
    expect(call.url).toBe("https://wechat.test/prefix/v3/pay/transactions/jsapi");
    expect(authorizationVerifies(call, "/v3/pay/transactions/jsapi")).toBe(true);
    expect(call.headers["content-type"]).toBe("application/json");
    expect(call.headers.accept).toBe("application/json");
    expect(body).toEqual({
      appid: APP_ID,
      mchid: MCH_ID,
      description: "测试订单",
      out_trade_no: "T20260115001",
      notify_url: request(mode).notifyUrl,
      amount: { total: 1234, currency: "CNY" },
      time_expire: "2026-01-15T12:30:00+08:00",
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    });
    const info = result.orderInfo as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual(["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]);
    expect(info).toMatchObject({ appId: APP_ID, timeStamp: String(NOW / 1000), package: "prepay_id=wx201410272009395522657a690389285100", signType: "RSA" });
    expect(verifiesWithMerchant(`${info.appId}\n${info.timeStamp}\n${info.nonceStr}\n${info.package}\n`, info.paySign!)).toBe(true);
  });

  it("app-plus: APP prepay without payer, and APP params signed over the bare prepay id", async () => {
    const result = await provider.createPayment(request("app-plus", { openid: undefined }), wechat.runtime);
    const { call, body } = sent("POST /v3/pay/transactions/app");
    expect(authorizationVerifies(call, "/v3/pay/transactions/app")).toBe(true);
    expect(body.payer).toBeUndefined();
    expect(body).toMatchObject({ appid: APP_ID, mchid: MCH_ID, amount: { total: 1234, currency: "CNY" } });
    const info = result.orderInfo as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual(["appid", "noncestr", "package", "partnerid", "prepayid", "sign", "timestamp"]);
    expect(info).toMatchObject({ appid: APP_ID, partnerid: MCH_ID, prepayid: "wx2014102720093955", package: "Sign=WXPay" });
    expect(verifiesWithMerchant(`${info.appid}\n${info.timestamp}\n${info.noncestr}\n${info.prepayid}\n`, info.sign!)).toBe(true);
  });

  it("h5: Native prepay; the QR URL is both orderInfo.codeUrl and codeUrl", async () => {
    const result = await provider.createPayment(request("h5"), wechat.runtime);
    const { call, body } = sent("POST /v3/pay/transactions/native");
    expect(authorizationVerifies(call, "/v3/pay/transactions/native")).toBe(true);
    expect(body.payer).toBeUndefined();
    expect(result.orderInfo).toEqual({ codeUrl: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" });
    expect(result.codeUrl).toBe("weixin://wxpay/bizpayurl?pr=p4lpSuKzz");
  });

  it("mweb: H5 prepay with the payer's IP and h5_info from sceneInfo (Wap by default)", async () => {
    const result = await provider.createPayment(request("mweb"), wechat.runtime);
    expect(sent("POST /v3/pay/transactions/h5").body.scene_info).toEqual({ payer_client_ip: "203.0.113.7", h5_info: { type: "Wap" } });
    expect(result.orderInfo).toEqual({ h5Url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1" });

    const sceneInfo = { h5_info: { type: "Wap", wap_url: "https://shop.example.com", wap_name: "小店" } };
    wechat.requests.length = 0;
    await provider.createPayment(request("mweb", { config: merchantConfig({ sceneInfo }) }), wechat.runtime);
    expect(sent("POST /v3/pay/transactions/h5").body.scene_info).toEqual({ payer_client_ip: "203.0.113.7", ...sceneInfo });
  });

  it("sends to the baseUrl host table, falling back to the official host, and signs only the official path", async () => {
    const table = { "api.mch.weixin.qq.com": "https://wechat.test/prefix/" };
    await provider.createPayment(request("h5", { config: merchantConfig({ baseUrl: table }) }), wechat.runtime);
    const { call } = sent("POST /v3/pay/transactions/native");
    expect(call.url).toBe("https://wechat.test/prefix/v3/pay/transactions/native");
    expect(authorizationVerifies(call, "/v3/pay/transactions/native")).toBe(true);
    expect(authorizationVerifies(call, "/prefix/v3/pay/transactions/native")).toBe(false);
  });

  it("reads the merchant key and certificate inline as well as from files", async () => {
    const config = merchantConfig({
      appPrivateKeyPath: undefined,
      appCertPath: undefined,
      appPrivateKeyContent: readFileSync(MERCHANT_KEY_PATH, "utf8"),
      appCertContent: readFileSync(MERCHANT_CERT_PATH),
    });
    await provider.createPayment(request("h5", { config }), wechat.runtime);
    expect(authorizationVerifies(sent("POST /v3/pay/transactions/native").call, "/v3/pay/transactions/native")).toBe(true);
  });

  it("converts the seed's stringified detail to a v3 object and merges other (attach) into the body", async () => {
    const detail = JSON.stringify({ goods_detail: [{ goods_id: "123", goods_name: "测试商品", quantity: 1, price: 100 }] });
    await provider.createPayment(request("h5", { other: { detail, attach: "附加数据", goods_tag: "WXG" } }), wechat.runtime);
    const { body } = sent("POST /v3/pay/transactions/native");
    expect(body.detail).toEqual({ goods_detail: [{ merchant_goods_id: "123", goods_name: "测试商品", quantity: 1, unit_price: 100 }] });
    expect(body).toMatchObject({ attach: "附加数据", goods_tag: "WXG" });
  });

  it.each(["amount", "out_trade_no", "mchid", "appid", "notify_url"])("refuses other.%s before any request", async (key) => {
    await expect(provider.createPayment(request("h5", { other: { [key]: "x" } }), wechat.runtime)).rejects.toMatchObject({
      errCode: "vk-pay-wxpay-other-forbidden",
    });
    expect(wechat.requests).toHaveLength(0);
  });

  it("refuses a detail string that is not a JSON object", async () => {
    await expect(provider.createPayment(request("h5", { other: { detail: "{oops" } }), wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
    await expect(provider.createPayment(request("h5", { other: { detail: "[1]" } }), wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
    expect(wechat.requests).toHaveLength(0);
  });

  it("needs an openid for JSAPI, and a store number for a v3 pay code, before anything is sent", async () => {
    await expect(provider.createPayment(request("mp-weixin", { openid: undefined }), wechat.runtime)).rejects.toMatchObject({ code: 1006 });
    await expect(provider.createPayment(request("codepay", { authCode: "134567890123456789" }), wechat.runtime)).rejects.toMatchObject({
      code: 1000,
      errCode: "vk-pay-wxpay-other-invalid",
    });
    expect(wechat.requests).toHaveLength(0);
  });

  it.each([
    ["version 2 without its API v2 key", { version: 2 }, "vk-pay-wxpay-key-missing"],
    ["a version that is neither 2 nor 3", { version: 4 }, "vk-pay-wxpay-config-invalid"],
    ["a v3Key that is not 32 bytes", { v3Key: "short" }, "vk-pay-wxpay-v3-invalid-api-v3-key"],
    ["a missing private key file", { appPrivateKeyPath: "/nonexistent/apiclient_key.pem" }, "vk-pay-wxpay-key-missing"],
    [
      "a private key that does not match the certificate",
      { appPrivateKeyContent: readFileSync(`${__dirname}/../fixtures/wechat-v3/wechatpay-go_test_private_key.pem`, "utf8") },
      "vk-pay-wxpay-key-mismatch",
    ],
    ["a baseUrl that is not a URL", { baseUrl: "wechat.test" }, "vk-pay-config-invalid"],
    ["a public key without its id", { wxpayPublicKeyContent: "MIIB" }, "vk-pay-wxpay-key-missing"],
  ])("refuses %s with a ConfigError", async (_label, change, errCode) => {
    const failure = provider.createPayment(request("h5", { config: merchantConfig(change) }), wechat.runtime);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ errCode });
    expect(wechat.requests).toHaveLength(0);
  });

  it("declares its modes and capabilities", () => {
    expect(provider.name).toBe("wxpay");
    expect([...provider.capabilities.modes].sort()).toEqual(["app-plus", "codepay", "h5", "h5-weixin", "mp-weixin", "mweb"]);
    expect(provider.capabilities).toMatchObject({ query: true, close: true, refund: true, refundNotify: true });
  });
});
