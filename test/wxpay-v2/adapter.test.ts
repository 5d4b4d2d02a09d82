import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hash } from "wechatpay-axios-plugin";
import { ConfigError, NetworkError, ProviderRejectedError, SignatureError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import type { CreateRequest } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { API_KEY, APP_ID, BASE, CLIENT_CERT_PATH, CLIENT_KEY_PATH, FakeWechatV2, FIXTURES, MCH_ID, NOW, SECAPI_BASE, v2Config } from "./fake-wechat-v2";

describe("wxpay over API v2: create, query, close, refund", () => {
  let wechat: FakeWechatV2;
  let provider: ReturnType<typeof createWxpayProvider>;

  beforeEach(() => {
    wechat = new FakeWechatV2();
    provider = createWxpayProvider({
      database: () => {
        throw new Error("v2 needs no database");
      },
      log: () => undefined,
      wait: wechat.wait,
    });
  });

  const request = (mode: string, overrides: Partial<CreateRequest> = {}): CreateRequest => ({
    mode,
    config: v2Config(),
    outTradeNo: "T20260115001",
    totalFee: 1234,
    subject: "测试订单",
    notifyUrl: `https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/wxpay_${mode}/T20260115001`,
    clientIp: "203.0.113.7",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    ...overrides,
  });

  const only = (path: string) => {
    const calls = wechat.calls(path);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signatureValid).toBe(true);
    return calls[0]!;
  };

  describe("unifiedorder per mode", () => {
    beforeEach(() => {
      wechat.on("/pay/unifiedorder", ({ fields }) => ({
        fields: {
          trade_type: fields.trade_type!,
          prepay_id: "wx201410272009395522657a690389285100",
          ...(fields.trade_type === "NATIVE" ? { code_url: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" } : {}),
          ...(fields.trade_type === "MWEB" ? { mweb_url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=1" } : {}),
        },
      }));
    });

    it.each(["mp-weixin", "h5-weixin"])("%s: JSAPI with openid; paySign verifies with the key", async (mode) => {
      const result = await provider.createPayment(request(mode, { timeExpire: Date.UTC(2026, 0, 15, 4, 30, 0) }), wechat.runtime);
      const call = only("/pay/unifiedorder");
      expect(call.url).toBe(`${BASE}/pay/unifiedorder`);
      expect(call.options).toMatchObject({ method: "POST", dataType: "" });
      expect(call.options.cert).toBeUndefined();
      expect(call.fields).toMatchObject({
        appid: APP_ID,
        mch_id: MCH_ID,
        body: "测试订单",
        out_trade_no: "T20260115001",
        total_fee: "1234",
        spbill_create_ip: "203.0.113.7",
        notify_url: request(mode).notifyUrl,
        trade_type: "JSAPI",
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        time_expire: "20260115123000",
      });
      expect(call.fields.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(call.fields.sign_type).toBeUndefined();
      const info = result.orderInfo as Record<string, string>;
      expect(Object.keys(info).sort()).toEqual(["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]);
      expect(info).toMatchObject({ appId: APP_ID, timeStamp: String(NOW / 1000), package: "prepay_id=wx201410272009395522657a690389285100", signType: "MD5" });
      const { paySign, ...signed } = info;
      expect(paySign).toBe(Hash.sign("MD5", signed, API_KEY));
    });

    it("HMAC-SHA256 merchants send sign_type and sign the client params the same way", async () => {
      const result = await provider.createPayment(request("mp-weixin", { config: v2Config({ signType: "HMAC-SHA256" }) }), wechat.runtime);
      const call = only("/pay/unifiedorder");
      expect(call.fields.sign_type).toBe("HMAC-SHA256");
      expect(call.fields.sign).toMatch(/^[0-9A-F]{64}$/);
      const { paySign, ...signed } = result.orderInfo as Record<string, string>;
      expect(signed.signType).toBe("HMAC-SHA256");
      expect(paySign).toBe(Hash.sign("HMAC-SHA256", signed, API_KEY));
    });

    // WeChat signs an answer with the algorithm the request named (the official Java SDK verifies answers
    // with its configured signType, https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3). No page
    // rules out the other one, so an answer in either verifies under the key; the key itself never bends.
    it.each([
      ["HMAC-SHA256", "HMAC-SHA256"],
      ["HMAC-SHA256", "MD5"],
      ["MD5", "HMAC-SHA256"],
    ] as const)("a %s merchant verifies an answer signed %s with its key", async (merchantType, answerType) => {
      wechat.on("/pay/unifiedorder", () => ({ signType: answerType, fields: { trade_type: "JSAPI", prepay_id: "wx201410272009395522657a690389285100" } }));
      const result = await provider.createPayment(request("mp-weixin", { config: v2Config({ signType: merchantType }) }), wechat.runtime);
      expect(only("/pay/unifiedorder").fields.sign_type).toBe(merchantType === "MD5" ? undefined : merchantType);
      expect((result.orderInfo as Record<string, string>).package).toBe("prepay_id=wx201410272009395522657a690389285100");
    });

    it.each(["MD5", "HMAC-SHA256"] as const)("an answer signed %s with another key is refused", async (answerType) => {
      wechat.on("/pay/unifiedorder", () => ({ signType: answerType, signKey: "a".repeat(32), fields: { trade_type: "JSAPI", prepay_id: "wx1" } }));
      await expect(provider.createPayment(request("mp-weixin", { config: v2Config({ signType: "HMAC-SHA256" }) }), wechat.runtime)).rejects.toBeInstanceOf(
        SignatureError,
      );
    });

    it("JSAPI without an openid is refused before anything is sent", async () => {
      await expect(provider.createPayment(request("mp-weixin", { openid: undefined }), wechat.runtime)).rejects.toMatchObject({
        errCode: "vk-pay-openid-missing",
      });
      expect(wechat.requests).toHaveLength(0);
    });

    it("app-plus: APP params signed over lower-case names with package=Sign=WXPay", async () => {
      const result = await provider.createPayment(request("app-plus", { openid: undefined }), wechat.runtime);
      expect(only("/pay/unifiedorder").fields).toMatchObject({ trade_type: "APP" });
      const info = result.orderInfo as Record<string, string>;
      expect(info).toMatchObject({
        appid: APP_ID,
        partnerid: MCH_ID,
        prepayid: "wx201410272009395522657a690389285100",
        package: "Sign=WXPay",
        timestamp: String(NOW / 1000),
      });
      const { sign, ...signed } = info;
      expect(sign).toBe(Hash.sign("MD5", signed, API_KEY));
    });

    it("h5: NATIVE with product_id, answered with code_url", async () => {
      const result = await provider.createPayment(request("h5", { openid: undefined }), wechat.runtime);
      expect(only("/pay/unifiedorder").fields).toMatchObject({ trade_type: "NATIVE", product_id: "T20260115001" });
      expect(result.codeUrl).toBe("weixin://wxpay/bizpayurl?pr=p4lpSuKzz");
      expect(result.orderInfo).toEqual({ codeUrl: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" });
    });

    it("mweb: MWEB with scene_info from the config, answered with mweb_url", async () => {
      const sceneInfo = { h5_info: { type: "Wap", wap_url: "https://shop.example", wap_name: "店" } };
      const result = await provider.createPayment(request("mweb", { openid: undefined, config: v2Config({ sceneInfo }) }), wechat.runtime);
      const call = only("/pay/unifiedorder");
      expect(call.fields.trade_type).toBe("MWEB");
      expect(JSON.parse(call.fields.scene_info!)).toEqual(sceneInfo);
      expect(result.orderInfo).toEqual({ mwebUrl: expect.stringContaining("checkmweb"), h5Url: expect.stringContaining("checkmweb") });
    });

    it("merges other as v2 strings and refuses the fields the core owns", async () => {
      await provider.createPayment(request("h5", { other: { attach: "a&b<c>", detail: { cost_price: 1 }, goods_tag: 7 } }), wechat.runtime);
      expect(only("/pay/unifiedorder").fields).toMatchObject({ attach: "a&b<c>", detail: '{"cost_price":1}', goods_tag: "7" });
      await expect(provider.createPayment(request("h5", { other: { total_fee: 1 } }), wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
      await expect(provider.createPayment(request("h5", { other: { mch_id: "x" } }), wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
    });

    it("service-provider configs send sub_mch_id / sub_appid, the openid as sub_openid, and sign the client params for the sub app", async () => {
      const config = v2Config({ subMchId: "1900000110", subAppId: "wxsubapp0000001" });
      const result = await provider.createPayment(request("mp-weixin", { config }), wechat.runtime);
      const call = only("/pay/unifiedorder");
      expect(call.fields).toMatchObject({
        appid: APP_ID,
        mch_id: MCH_ID,
        sub_mch_id: "1900000110",
        sub_appid: "wxsubapp0000001",
        sub_openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      });
      expect(call.fields.openid).toBeUndefined();
      expect((result.orderInfo as Record<string, string>).appId).toBe("wxsubapp0000001");
    });
  });

  describe("answers that must not be believed", () => {
    it("a success answer signed with another key is a SignatureError", async () => {
      wechat.on("/pay/unifiedorder", () => ({ fields: { trade_type: "NATIVE", code_url: "weixin://evil" }, signKey: "ffffffffffffffffffffffffffffffff" }));
      await expect(provider.createPayment(request("h5"), wechat.runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-v2-response-signature-invalid" });
    });

    it("a tampered field after signing is a SignatureError", async () => {
      wechat.on("/pay/orderquery", () => ({
        fields: { trade_state: "NOTPAY", out_trade_no: "T1", total_fee: "100" },
        tamper: (f) => {
          f.trade_state = "SUCCESS";
        },
      }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(SignatureError);
    });

    it("an unsigned success answer is a SignatureError", async () => {
      wechat.on("/pay/orderquery", () => ({
        raw: "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><trade_state>SUCCESS</trade_state><out_trade_no>T1</out_trade_no><total_fee>100</total_fee></xml>",
      }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(SignatureError);
    });

    it("an answer with a DOCTYPE or entities is refused unread", async () => {
      wechat.on("/pay/orderquery", () => ({
        raw: '<!DOCTYPE xml [<!ENTITY s "SUCCESS">]><xml><return_code>&s;</return_code><trade_state>&s;</trade_state></xml>',
      }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
    });

    it("return_code FAIL keeps WeChat's message; result_code FAIL keeps err_code", async () => {
      wechat.on("/pay/closeorder", () => ({ raw: "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>" }));
      const closing = provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime);
      await expect(closing).rejects.toBeInstanceOf(ProviderRejectedError);
      await expect(closing).rejects.toMatchObject({ providerCode: "FAIL", providerMessage: "签名错误", message: "关闭订单失败，请稍后再试" });
      wechat.on("/pay/closeorder", () => ({ fields: { result_code: "FAIL", err_code: "ORDERPAID", err_code_des: "订单已支付" } }));
      await expect(provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toMatchObject({
        providerCode: "ORDERPAID",
      });
    });

    it("SYSTEMERROR is retryable, a non-2xx status and a timeout are network errors", async () => {
      wechat.on("/pay/closeorder", () => ({ fields: { result_code: "FAIL", err_code: "SYSTEMERROR", err_code_des: "系统错误" } }));
      await expect(provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
      wechat.on("/pay/closeorder", () => ({ status: 502, raw: "bad gateway" }));
      await expect(provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
      wechat.on("/pay/closeorder", () => ({ fail: true }));
      await expect(provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
    });

    it("a verified answer for another merchant or order is not used", async () => {
      wechat.on("/pay/orderquery", () => ({ fields: { mch_id: "1900000999", trade_state: "SUCCESS", out_trade_no: "T1", total_fee: "100" } }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
      wechat.on("/pay/orderquery", () => ({ fields: { trade_state: "SUCCESS", out_trade_no: "T2", total_fee: "100" } }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
    });
  });

  describe("orderquery and closeorder", () => {
    it("maps a paid order, its amount, transaction id and Beijing time_end", async () => {
      wechat.on("/pay/orderquery", () => ({
        fields: { trade_state: "SUCCESS", out_trade_no: "T1", transaction_id: "4200000001", total_fee: "100", time_end: "20260115120102", appid: APP_ID },
      }));
      const status = await provider.queryPayment({ mode: "mp-weixin", config: v2Config(), outTradeNo: "T1" }, wechat.runtime);
      expect(only("/pay/orderquery").fields.out_trade_no).toBe("T1");
      expect(status).toMatchObject({
        state: "SUCCESS",
        outTradeNo: "T1",
        transactionId: "4200000001",
        totalFee: 100,
        paidAt: Date.UTC(2026, 0, 15, 4, 1, 2),
        mchId: MCH_ID,
        appId: APP_ID,
      });
    });

    it.each([
      ["NOTPAY", "NOTPAY"],
      ["USERPAYING", "USERPAYING"],
      ["CLOSED", "CLOSED"],
      ["REVOKED", "CLOSED"],
      ["PAYERROR", "PAYERROR"],
      ["REFUND", "REFUND"],
      ["SOMETHING_NEW", "NOTPAY"],
    ])("trade_state %s → %s", async (wire, ours) => {
      wechat.on("/pay/orderquery", () => ({ fields: { trade_state: wire, out_trade_no: "T1", total_fee: "100" } }));
      expect((await provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).state).toBe(ours);
    });

    it("ORDERNOTEXIST is an unpaid order", async () => {
      wechat.on("/pay/orderquery", () => ({ fields: { result_code: "FAIL", err_code: "ORDERNOTEXIST", err_code_des: "此交易订单号不存在" } }));
      expect(await provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).toMatchObject({
        state: "NOTPAY",
        outTradeNo: "T1",
      });
    });

    it("a paid answer with a non-integer amount is refused", async () => {
      wechat.on("/pay/orderquery", () => ({ fields: { trade_state: "SUCCESS", out_trade_no: "T1", total_fee: "1.5" } }));
      await expect(provider.queryPayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).rejects.toBeInstanceOf(ValidationError);
    });

    it("closes over /pay/closeorder, without the client certificate", async () => {
      wechat.on("/pay/closeorder", () => ({ fields: {} }));
      await provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime);
      const call = only("/pay/closeorder");
      expect(call.fields.out_trade_no).toBe("T1");
      expect(call.options.cert).toBeUndefined();
    });
  });

  it("closing an order WeChat has already closed (ORDERCLOSED) succeeds", async () => {
    wechat.on("/pay/closeorder", () => ({ fields: { result_code: "FAIL", err_code: "ORDERCLOSED", err_code_des: "订单已关闭" } }));
    await expect(provider.closePayment({ mode: "h5", config: v2Config(), outTradeNo: "T1" }, wechat.runtime)).resolves.toBeUndefined();
  });

  it("has no apply-abnormal-refund call: a CHANGE refund is answered 2012 (settle it on the merchant platform), and nothing is sent", async () => {
    const ask = provider.applyAbnormalRefund!(
      {
        mode: "h5",
        config: v2Config(),
        outTradeNo: "T20260115001",
        outRefundNo: "T20260115001-1",
        refundId: "50000000382019052709732678859",
        route: { type: "MERCHANT_BANK_CARD" },
      },
      wechat.runtime,
    );
    await expect(ask).rejects.toMatchObject({ code: 2012, errCode: "vk-pay-abnormal-refund-unsupported" });
    expect(wechat.calls("/pay/refund")).toHaveLength(0);
  });

  describe("refunds over mutual TLS", () => {
    const refund = (config = v2Config()) => ({
      mode: "mp-weixin",
      config,
      outTradeNo: "T1",
      outRefundNo: "R1",
      totalFee: 100,
      refundFee: 40,
      reason: "退货",
      notifyUrl: "https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/wxpay_mp-weixin/T1",
    });
    const accepted = () => ({
      fields: { out_trade_no: "T1", out_refund_no: "R1", refund_id: "50000000001", refund_fee: "40", total_fee: "100", cash_fee: "100" },
    });

    it("sends /secapi/pay/refund to secapiBaseUrl with the PEM client certificate and key", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      const status = await provider.refund(refund(), wechat.runtime);
      const call = only("/secapi/pay/refund");
      expect(call.url).toBe(`${SECAPI_BASE}/secapi/pay/refund`);
      expect(call.fields).toMatchObject({
        out_trade_no: "T1",
        out_refund_no: "R1",
        total_fee: "100",
        refund_fee: "40",
        refund_desc: "退货",
        notify_url: refund().notifyUrl,
      });
      expect(Buffer.from(call.options.cert as Buffer).toString()).toBe(readFileSync(CLIENT_CERT_PATH, "utf8"));
      expect(Buffer.from(call.options.key as Buffer).toString()).toBe(readFileSync(CLIENT_KEY_PATH, "utf8"));
      expect(status).toMatchObject({ state: "PROCESSING", outTradeNo: "T1", outRefundNo: "R1", refundId: "50000000001", refundFee: 40 });
    });

    it("merges refund({ other }) such as refund_account under the fields the core decides", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      await provider.refund({ ...refund(), other: { refund_account: "REFUND_SOURCE_RECHARGE_FUNDS", refund_fee: "1" } }, wechat.runtime);
      expect(only("/secapi/pay/refund").fields).toMatchObject({ refund_account: "REFUND_SOURCE_RECHARGE_FUNDS", refund_fee: "40" });
    });

    it("inline PEM content and a trusted CA for the secapi host pass through", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      const cert = readFileSync(CLIENT_CERT_PATH, "utf8");
      const key = readFileSync(CLIENT_KEY_PATH, "utf8");
      await provider.refund(
        refund(v2Config({ appCertPath: undefined, appPrivateKeyPath: undefined, appCertContent: cert, appPrivateKeyContent: key, secapiCaContent: cert })),
        wechat.runtime,
      );
      expect(only("/secapi/pay/refund").options).toMatchObject({ cert, key, ca: cert });
    });

    it("without a client certificate, refuses with a clear ConfigError and sends nothing", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      const refusing = provider.refund(refund(v2Config({ appCertPath: undefined, appPrivateKeyPath: undefined })), wechat.runtime);
      await expect(refusing).rejects.toBeInstanceOf(ConfigError);
      await expect(refusing).rejects.toMatchObject({ errCode: "vk-pay-wxpay-client-cert-missing", message: expect.stringContaining("appCertPath") });
      expect(wechat.requests).toHaveLength(0);
    });

    it("a key that does not match the certificate is a ConfigError", async () => {
      const otherKey = join(__dirname, "..", "fixtures", "wechat-v3", "wechatpay-go_test_private_key.pem");
      await expect(provider.refund(refund(v2Config({ appPrivateKeyPath: otherKey })), wechat.runtime)).rejects.toMatchObject({
        errCode: "vk-pay-wxpay-client-cert-invalid",
      });
    });

    it("a pfx OpenSSL 3 loads is sent as pfx with the merchant id as passphrase (Buffer or base64)", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      const pfx = readFileSync(join(FIXTURES, "client_aes.p12"));
      const pemless = { appCertPath: undefined, appPrivateKeyPath: undefined };
      await provider.refund(refund(v2Config({ ...pemless, pfx })), wechat.runtime);
      await provider.refund(refund(v2Config({ ...pemless, pfx: pfx.toString("base64") })), wechat.runtime);
      await provider.refund(refund(v2Config({ ...pemless, pfxPath: join(FIXTURES, "client_aes.p12") })), wechat.runtime);
      const calls = wechat.calls("/secapi/pay/refund");
      expect(calls).toHaveLength(3);
      for (const call of calls) {
        expect(Buffer.compare(call.options.pfx as Buffer, pfx)).toBe(0);
        expect(call.options.passphrase).toBe(MCH_ID);
        expect(call.options.cert).toBeUndefined();
      }
    });

    it("a legacy RC2 pfx gives a ConfigError that says what to do", async () => {
      const pfx = readFileSync(join(FIXTURES, "client_legacy_rc2.p12"));
      const refusing = provider.refund(refund(v2Config({ appCertPath: undefined, appPrivateKeyPath: undefined, pfx })), wechat.runtime);
      await expect(refusing).rejects.toMatchObject({
        errCode: "vk-pay-wxpay-pfx-unsupported",
        message: expect.stringContaining("appCertPath + appPrivateKeyPath"),
      });
      expect(wechat.requests).toHaveLength(0);
    });

    it("a wrong pfx passphrase is a ConfigError", async () => {
      const pfx = readFileSync(join(FIXTURES, "client_aes.p12"));
      await expect(
        provider.refund(refund(v2Config({ appCertPath: undefined, appPrivateKeyPath: undefined, pfx, pfxPassphrase: "wrong" })), wechat.runtime),
      ).rejects.toMatchObject({ errCode: "vk-pay-wxpay-pfx-passphrase" });
    });

    it("secapiBaseUrl must be https", async () => {
      await expect(provider.refund(refund(v2Config({ secapiBaseUrl: "http://127.0.0.1:9000" })), wechat.runtime)).rejects.toMatchObject({
        errCode: "vk-pay-wxpay-secapi-url-invalid",
      });
    });

    it("secapiBaseUrl defaults to baseUrl", async () => {
      wechat.on("/secapi/pay/refund", accepted);
      await provider.refund(refund(v2Config({ secapiBaseUrl: undefined })), wechat.runtime);
      expect(only("/secapi/pay/refund").url).toBe(`${BASE}/secapi/pay/refund`);
    });

    it("an accepted refund with another amount is not believed", async () => {
      wechat.on("/secapi/pay/refund", () => ({ fields: { ...accepted().fields, refund_fee: "100" } }));
      await expect(provider.refund(refund(), wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
    });

    it("refundquery finds the refund by its number among the indexed fields", async () => {
      wechat.on("/pay/refundquery", () => ({
        fields: {
          out_trade_no: "T1",
          refund_count: "2",
          out_refund_no_0: "R0",
          refund_id_0: "50000000000",
          refund_fee_0: "10",
          refund_status_0: "SUCCESS",
          out_refund_no_1: "R1",
          refund_id_1: "50000000001",
          refund_fee_1: "40",
          refund_status_1: "CHANGE",
          refund_success_time_1: "2026-01-15 12:00:05",
        },
      }));
      const status = await provider.queryRefund({ mode: "mp-weixin", config: v2Config(), outTradeNo: "T1", outRefundNo: "R1" }, wechat.runtime);
      const call = only("/pay/refundquery");
      expect(call.fields.out_refund_no).toBe("R1");
      expect(call.url).toBe(`${BASE}/pay/refundquery`);
      expect(status).toMatchObject({ state: "ABNORMAL", outRefundNo: "R1", refundId: "50000000001", refundFee: 40, settledAt: Date.UTC(2026, 0, 15, 4, 0, 5) });
    });

    it.each([
      ["SUCCESS", "SUCCESS"],
      ["REFUNDCLOSE", "CLOSED"],
      ["PROCESSING", "PROCESSING"],
      ["CHANGE", "ABNORMAL"],
    ])("refund_status %s → %s", async (wire, ours) => {
      wechat.on("/pay/refundquery", () => ({
        fields: { out_trade_no: "T1", refund_count: "1", out_refund_no_0: "R1", refund_fee_0: "40", refund_status_0: wire },
      }));
      expect((await provider.queryRefund({ mode: "h5", config: v2Config(), outTradeNo: "T1", outRefundNo: "R1" }, wechat.runtime)).state).toBe(ours);
    });
  });

  describe("config", () => {
    it("refuses a v2 config without a 32-character key", async () => {
      await expect(provider.createPayment(request("h5", { config: v2Config({ key: undefined }) }), wechat.runtime)).rejects.toMatchObject({
        errCode: "vk-pay-wxpay-key-missing",
      });
      await expect(provider.createPayment(request("h5", { config: v2Config({ key: "short" }) }), wechat.runtime)).rejects.toMatchObject({
        errCode: "vk-pay-wxpay-v2-key-invalid",
      });
      await expect(provider.createPayment(request("h5", { config: v2Config({ signType: "SHA1" }) }), wechat.runtime)).rejects.toBeInstanceOf(ConfigError);
    });

    it("declares codepay among its modes", () => {
      expect(provider.capabilities.modes).toEqual(["mp-weixin", "h5-weixin", "app-plus", "h5", "mweb", "codepay"]);
    });
  });
});
