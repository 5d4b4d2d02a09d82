import { ProviderRejectedError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import type { CreateRequest } from "../../common/vk-uni-pay/src/kernel/contract";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { buildAlipaySignContent, getAlipayCertSn, getAlipayRootCertSn, verifyRsa2 } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import {
  alipaySdk,
  APP_ID,
  BASE_URL,
  certModeConfig,
  FakeAlipay,
  generateKeys,
  issueCertificates,
  keyModeConfig,
  NOTIFY_URL,
  sdkAgrees,
  type AlipayCertificates,
  type AlipayKeys,
} from "./fake-alipay";

describe("alipay createPayment", () => {
  // Pay codes wait between queries; here the wait is instant (the round count bounds the loop).
  const provider = createAlipayProvider({ wait: async () => undefined });
  let keys: AlipayKeys;
  let certs: AlipayCertificates;
  let alipay: FakeAlipay;

  beforeAll(async () => {
    keys = generateKeys();
    certs = await issueCertificates(keys);
  });
  beforeEach(() => {
    alipay = new FakeAlipay(keys)
      .on("alipay.trade.create", (r) => ({
        body: { code: "10000", msg: "Success", out_trade_no: r.biz.out_trade_no, trade_no: "2026011522001400001234567890" },
      }))
      .on("alipay.trade.precreate", (r) => ({
        body: { code: "10000", msg: "Success", out_trade_no: r.biz.out_trade_no, qr_code: "https://qr.alipay.com/bax08861ezfbs6qakdrj0029" },
      }));
  });

  const request = (mode: string, overrides: Partial<CreateRequest> = {}): CreateRequest => ({
    mode,
    config: keyModeConfig(keys),
    outTradeNo: "T20260115001",
    totalFee: 1234,
    subject: "会员 1+1 & 月",
    notifyUrl: NOTIFY_URL,
    clientIp: "203.0.113.7",
    ...overrides,
  });

  /** The request reached `<baseUrl>/gateway.do`, signed so that our verifier and alipay-sdk both accept it. */
  function expectSigned(method: string) {
    const call = alipay.only(method);
    expect(call.url.startsWith(`${BASE_URL}/gateway.do?`)).toBe(true);
    expect(call.signatureValid).toBe(true);
    expect(verifyRsa2(buildAlipaySignContent(call.params), call.params.sign, keys.appPublicPem)).toBe(true);
    expect(sdkAgrees(call, keys)).toEqual({ verifies: true, sameSign: true });
    expect(call.query).toMatchObject({
      app_id: APP_ID,
      method,
      format: "JSON",
      charset: "utf-8",
      sign_type: "RSA2",
      version: "1.0",
      timestamp: "2026-01-15 12:00:00",
    });
    // biz_content travels in the form body, as alipay-sdk sends it.
    expect(Object.keys(call.form)).toEqual(["biz_content"]);
    expect(call.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=utf-8");
    return call;
  }

  it("mp-alipay: alipay.trade.create with the buyer and JSAPI_PAY from other; orderInfo is the trade_no", async () => {
    const result = await provider.createPayment(
      request("mp-alipay", { openid: "2088102177846880", other: { product_code: "JSAPI_PAY", op_app_id: APP_ID } }),
      alipay.runtime,
    );
    const call = expectSigned("alipay.trade.create");
    expect(call.query.notify_url).toBe(NOTIFY_URL);
    expect(call.biz).toEqual({
      out_trade_no: "T20260115001",
      total_amount: "12.34",
      subject: "会员 1+1 & 月",
      buyer_id: "2088102177846880",
      product_code: "JSAPI_PAY",
      op_app_id: APP_ID,
    });
    expect(result.orderInfo).toBe("2026011522001400001234567890");
    // The independent checks can fail: one changed business byte and neither accepts the request.
    const altered = { ...call, params: { ...call.params, biz_content: call.params.biz_content!.replace("12.34", "12.35") } };
    expect(sdkAgrees(altered, keys)).toEqual({ verifies: false, sameSign: false });
  });

  it("mp-alipay: an OpenID goes in buyer_open_id; service-provider mode's op_buyer_open_id replaces both", async () => {
    await provider.createPayment(request("mp-alipay", { openid: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5" }), alipay.runtime);
    expect(alipay.requests[0]!.biz).toMatchObject({ buyer_open_id: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5" });
    await provider.createPayment(
      request("mp-alipay", { openid: "2088102177846880", other: { op_buyer_open_id: "0xx", product_code: "JSAPI_PAY" } }),
      alipay.runtime,
    );
    expect(alipay.requests[1]!.biz).not.toHaveProperty("buyer_id");
    await expect(provider.createPayment(request("mp-alipay"), alipay.runtime)).rejects.toMatchObject({ code: 1006 });
  });

  it("h5: alipay.trade.precreate; orderInfo.codeUrl is the qr_code, with time_expire in Beijing time", async () => {
    const result = await provider.createPayment(request("h5", { timeExpire: Date.UTC(2026, 0, 15, 4, 30, 0), body: "详情" }), alipay.runtime);
    const call = expectSigned("alipay.trade.precreate");
    expect(call.biz).toEqual({
      out_trade_no: "T20260115001",
      total_amount: "12.34",
      subject: "会员 1+1 & 月",
      body: "详情",
      time_expire: "2026-01-15 12:30:00",
      product_code: "FACE_TO_FACE_PAYMENT",
    });
    expect(result).toMatchObject({
      orderInfo: { codeUrl: "https://qr.alipay.com/bax08861ezfbs6qakdrj0029" },
      codeUrl: "https://qr.alipay.com/bax08861ezfbs6qakdrj0029",
    });
  });

  it("the seed's other { timeout_express, goods_type, promo_params } reaches biz_content as Alipay documents it", async () => {
    await provider.createPayment(request("h5", { other: { timeout_express: "30m", goods_type: "0", promo_params: {} } }), alipay.runtime);
    // An empty promo_params is "no promotion": left out rather than sent as "{}".
    expect(alipay.requests[0]!.biz).toMatchObject({ timeout_express: "30m", goods_type: "0" });
    expect(alipay.requests[0]!.biz).not.toHaveProperty("promo_params");
    await provider.createPayment(request("h5", { other: { timeout_express: "30m", goods_type: "0", promo_params: { storeIdType: "1" } } }), alipay.runtime);
    const sent = alipay.requests[1]!;
    // promo_params is a String(512) field holding JSON: the object arrives as its JSON text inside biz_content.
    expect(sent.biz.promo_params).toBe('{"storeIdType":"1"}');
    expect(sent.params.biz_content).toContain('"promo_params":"{\\"storeIdType\\":\\"1\\"}"');
    expect(sdkAgrees(sent, keys)).toEqual({ verifies: true, sameSign: true });
  });

  it.each(["out_trade_no", "total_amount", "seller_id", "buyer_id", "auth_code"])("refuses other.%s, which the core owns", async (key) => {
    await expect(provider.createPayment(request("h5", { other: { [key]: "x" } }), alipay.runtime)).rejects.toMatchObject({
      errCode: "vk-pay-alipay-other-forbidden",
    });
    expect(alipay.requests).toHaveLength(0);
  });

  it("service-provider mode: app_auth_token from other (or the config) is a public parameter, not business content", async () => {
    await provider.createPayment(request("h5", { other: { app_auth_token: "202601BBaabdb44d8fd04607abf8d5931ec75D84" } }), alipay.runtime);
    expect(alipay.requests[0]!.query.app_auth_token).toBe("202601BBaabdb44d8fd04607abf8d5931ec75D84");
    expect(alipay.requests[0]!.biz).not.toHaveProperty("app_auth_token");
    expect(alipay.requests[0]!.signatureValid).toBe(true);
    await provider.createPayment(request("h5", { config: keyModeConfig(keys, { appAuthToken: "201510BBconfigtoken" }) }), alipay.runtime);
    expect(alipay.requests[1]!.query.app_auth_token).toBe("201510BBconfigtoken");
  });

  it("app-plus: a signed order string for the App SDK, no HTTP call, identical to alipay-sdk's sdkExecute", async () => {
    const result = await provider.createPayment(request("app-plus", { other: { passback_params: "a=1&b=2" } }), alipay.runtime);
    expect(alipay.requests).toHaveLength(0);
    const orderString = result.orderInfo as string;
    const params = Object.fromEntries(
      orderString.split("&").map((pair) => [pair.slice(0, pair.indexOf("=")), decodeURIComponent(pair.slice(pair.indexOf("=") + 1))]),
    );
    expect(params).toMatchObject({ app_id: APP_ID, method: "alipay.trade.app.pay", notify_url: NOTIFY_URL, timestamp: "2026-01-15 12:00:00" });
    expect(JSON.parse(params.biz_content!)).toEqual({
      out_trade_no: "T20260115001",
      total_amount: "12.34",
      subject: "会员 1+1 & 月",
      product_code: "QUICK_MSECURITY_PAY",
      passback_params: "a=1&b=2",
    });
    expect(verifyRsa2(buildAlipaySignContent(params), params.sign, keys.appPublicPem)).toBe(true);
    const { AlipaySdk } = alipaySdk();
    const sdk = new AlipaySdk({ appId: APP_ID, privateKey: keys.appPrivatePem, alipayPublicKey: keys.alipayPublicPem });
    const sdkString = sdk.sdkExecute("alipay.trade.app.pay", {
      notifyUrl: NOTIFY_URL,
      timestamp: "2026-01-15 12:00:00",
      format: "JSON",
      bizContent: JSON.parse(params.biz_content!),
    });
    const sorted = (text: string) => text.split("&").sort().join("&");
    expect(sorted(orderString)).toBe(sorted(sdkString));
  });

  describe("codepay (alipay.trade.pay, scene bar_code)", () => {
    const pay = (body: Record<string, unknown>) => alipay.on("alipay.trade.pay", () => ({ body }));

    it("paid at once: SUCCESS with the trade number", async () => {
      pay({
        code: "10000",
        msg: "Success",
        out_trade_no: "T20260115001",
        trade_no: "2026011522001400009999",
        total_amount: "12.34",
        gmt_payment: "2026-01-15 12:00:02",
      });
      const result = await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime);
      const call = expectSigned("alipay.trade.pay");
      expect(call.biz).toMatchObject({ auth_code: "287951669891795468", scene: "bar_code", product_code: "FACE_TO_FACE_PAYMENT", total_amount: "12.34" });
      expect(result).toMatchObject({ state: "SUCCESS", transactionId: "2026011522001400009999", orderInfo: { tradeState: "SUCCESS" } });
    });

    const queried = (tradeStatus: string) =>
      alipay.on("alipay.trade.query", () => ({
        body: {
          code: "10000",
          msg: "Success",
          out_trade_no: "T20260115001",
          trade_no: "2026011522001400009999",
          total_amount: "12.34",
          trade_status: tradeStatus,
          send_pay_date: "2026-01-15 12:00:05",
        },
      }));
    const cancelled = (retryFlag: string) =>
      alipay.on("alipay.trade.cancel", () => ({
        body: { code: "10000", msg: "Success", out_trade_no: "T20260115001", retry_flag: retryFlag, action: "close" },
      }));

    it("10003: queries while the buyer confirms, and takes the paid answer", async () => {
      pay({ code: "10003", msg: "等待用户付款", out_trade_no: "T20260115001", trade_no: "2026011522001400009999", total_amount: "12.34" });
      queried("TRADE_SUCCESS");
      const result = await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime);
      expect(result).toMatchObject({ state: "SUCCESS", transactionId: "2026011522001400009999" });
      expect(alipay.calls("alipay.trade.cancel")).toHaveLength(0);
    });

    it("10003 never confirmed: cancelled once the wait runs out (asked again while retry_flag=Y), so the buyer is never charged", async () => {
      pay({ code: "10003", msg: "等待用户付款", out_trade_no: "T20260115001", trade_no: "2026011522001400009999", total_amount: "12.34" });
      queried("WAIT_BUYER_PAY");
      let attempts = 0;
      alipay.on("alipay.trade.cancel", () => ({
        body: { code: "10000", msg: "Success", out_trade_no: "T20260115001", retry_flag: ++attempts < 2 ? "Y" : "N", action: "close" },
      }));
      const result = await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime);
      expect(result).toMatchObject({ state: "CLOSED", orderInfo: { tradeState: "CLOSED" } });
      expect(alipay.calls("alipay.trade.query").length).toBeGreaterThan(1);
      expect(alipay.calls("alipay.trade.cancel")).toHaveLength(2);
    });

    it("ACQ.SYSTEM_ERROR: outcome unknown, queried, then cancelled (never taken as paid)", async () => {
      pay({ code: "20000", msg: "Service Currently Unavailable", sub_code: "ACQ.SYSTEM_ERROR", sub_msg: "系统错误" });
      alipay.on("alipay.trade.query", () => ({ body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.SYSTEM_ERROR", sub_msg: "系统错误" } }));
      cancelled("N");
      expect(await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime)).toMatchObject({ state: "CLOSED" });
      expect(alipay.calls("alipay.trade.cancel")).toHaveLength(1);
    });

    it("40004: a business failure the client shows (PAYERROR, order stays unpaid)", async () => {
      pay({ code: "40004", msg: "Business Failed", sub_code: "ACQ.PAYMENT_AUTH_CODE_INVALID", sub_msg: "支付失败，获取顾客账户信息失败" });
      const result = await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime);
      expect(result).toMatchObject({ state: "PAYERROR", orderInfo: { tradeState: "PAYERROR", tradeStateDesc: "支付失败，获取顾客账户信息失败" } });
    });

    it("a paid answer for another amount is not taken as paid", async () => {
      pay({ code: "10000", msg: "Success", out_trade_no: "T20260115001", trade_no: "2026011522001400009999", total_amount: "12.33" });
      await expect(provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime)).rejects.toMatchObject({ kind: "network" });
    });

    it("other refusals keep Alipay's code", async () => {
      pay({ code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-auth-code", sub_msg: "无效的付款码" });
      const error = await provider.createPayment(request("codepay", { authCode: "287951669891795468" }), alipay.runtime).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(error).toMatchObject({ providerCode: "isv.invalid-auth-code" });
    });

    it("refuses a malformed pay-code before calling Alipay", async () => {
      await expect(provider.createPayment(request("codepay", { authCode: "28795 OR 1" }), alipay.runtime)).rejects.toBeInstanceOf(ValidationError);
      expect(alipay.requests).toHaveLength(0);
    });
  });

  it("certificate mode: app_cert_sn and alipay_root_cert_sn are sent (and signed), matching alipay-sdk's computation", async () => {
    alipay = FakeAlipay.forCertificates(keys, certs).on("alipay.trade.precreate", (r) => ({
      body: { code: "10000", msg: "Success", out_trade_no: r.biz.out_trade_no, qr_code: "https://qr.alipay.com/x" },
    }));
    const result = await provider.createPayment(request("h5", { config: certModeConfig(keys, certs) }), alipay.runtime);
    const call = expectSigned("alipay.trade.precreate");
    const antcertutil = require(require.resolve("alipay-sdk").replace(/index\.js$/, "antcertutil.js")) as {
      getSNFromPath?: unknown;
      getSN(content: string, isRoot: boolean): string;
    };
    expect(call.query.app_cert_sn).toBe(getAlipayCertSn(certs.appCert));
    expect(call.query.app_cert_sn).toBe(antcertutil.getSN(certs.appCert, false));
    expect(call.query.alipay_root_cert_sn).toBe(getAlipayRootCertSn(certs.rootCert));
    expect(call.query.alipay_root_cert_sn).toBe(antcertutil.getSN(certs.rootCert, true));
    expect(result.codeUrl).toBe("https://qr.alipay.com/x");
  });

  it("the sandbox flag picks Alipay's sandbox gateway; no flag and no baseUrl is the production gateway", async () => {
    const urls: string[] = [];
    const runtime = { now: () => alipay.now, request: async (url: string) => (urls.push(url), Promise.reject(new Error("offline"))) };
    const base = { appId: APP_ID, privateKey: keys.appPrivatePem, alipayPublicKey: keys.alipayPublicPem };
    await expect(provider.createPayment(request("h5", { config: Object.freeze({ ...base, sandbox: true }) }), runtime)).rejects.toMatchObject({
      kind: "network",
    });
    await expect(provider.createPayment(request("h5", { config: Object.freeze({ ...base }) }), runtime)).rejects.toMatchObject({ kind: "network" });
    expect(urls.map((url) => url.slice(0, url.indexOf("?")))).toEqual([
      "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
      "https://openapi.alipay.com/gateway.do",
    ]);
  });

  it("refuses an unknown mode", async () => {
    await expect(provider.createPayment(request("mweb"), alipay.runtime)).rejects.toMatchObject({ code: 1020 });
  });
});
