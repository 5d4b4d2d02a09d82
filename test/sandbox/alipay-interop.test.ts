/**
 * The sandbox against an independent client, the official alipay-sdk: its requests (key and certificate
 * mode) pass the gateway, its response verification accepts the sandbox's signatures, its notification
 * checks accept what the sandbox posts, and its App order string opens a trade.
 */
import { AlipaySdk } from "alipay-sdk";
import { newTradeNo, startAlipayHarness, type AlipayHarness } from "./helpers/alipay-harness";

describe("Alipay sandbox with alipay-sdk as the merchant", () => {
  let h: AlipayHarness;
  beforeAll(async () => {
    h = await startAlipayHarness({ persist: false });
  });
  afterAll(() => h.close());

  const keySdk = () =>
    new AlipaySdk({
      appId: h.keyApp.appId,
      privateKey: h.keyApp.appPrivateKeyPem,
      alipayPublicKey: h.sandbox.keys.alipayPublicKeyPem,
      gateway: h.gateway,
      camelcase: false,
    });
  const certSdk = () =>
    new AlipaySdk({
      appId: h.certApp.appId,
      privateKey: h.certApp.appPrivateKeyPem,
      appCertContent: h.sandbox.keys.appCertPem,
      alipayPublicCertContent: h.sandbox.keys.alipayPublicCertPem,
      alipayRootCertContent: h.sandbox.keys.alipayRootCertPem,
      gateway: h.gateway,
      camelcase: false,
    });

  it("computes the same certificate SNs as the sandbox from the generated files", () => {
    const sdk = certSdk();
    expect(sdk.config.appCertSn).toBe(h.sandbox.keys.appCertSn);
    expect(sdk.config.alipayCertSn).toBe(h.sandbox.keys.alipayCertSn);
    expect(sdk.config.alipayRootCertSn).toBe(h.sandbox.keys.alipayRootCertSn);
  });

  it.each(["key", "cert"] as const)("exec in %s mode: precreate, pay, query and refund, each reply verified by the SDK", async (mode) => {
    const sdk = mode === "key" ? keySdk() : certSdk();
    const no = newTradeNo("I");
    const notify_url = `${h.receiver.url}/notify`;
    const precreate = await sdk.exec(
      "alipay.trade.precreate",
      { notify_url, bizContent: { out_trade_no: no, total_amount: "0.01", subject: "互通测试 a+b" } },
      { validateSign: true },
    );
    expect(precreate).toMatchObject({ code: "10000", out_trade_no: no });
    expect(precreate.qr_code).toContain(`/cashier?out_trade_no=${no}`);
    await h.control("pay", { out_trade_no: no });
    const query = await sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: no } }, { validateSign: true });
    expect(query).toMatchObject({ code: "10000", trade_status: "TRADE_SUCCESS", total_amount: "0.01" });
    const refund = await sdk.exec(
      "alipay.trade.refund",
      { bizContent: { out_trade_no: no, refund_amount: "0.01", out_request_no: "IR1" } },
      { validateSign: true },
    );
    expect(refund).toMatchObject({ code: "10000", fund_change: "Y", refund_fee: "0.01" });
    // Refusals are signed too, and the SDK verifies them.
    const missing = await sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: "none" } }, { validateSign: true });
    expect(missing).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST" });
  });

  it("is refused by the SDK when it trusts another Alipay key, and by the gateway when the SDK signs with another key", async () => {
    const distrustful = new AlipaySdk({
      appId: h.keyApp.appId,
      privateKey: h.keyApp.appPrivateKeyPem,
      alipayPublicKey: h.keyApp.appPublicKeyPem,
      gateway: h.gateway,
      camelcase: false,
    });
    await expect(distrustful.exec("alipay.trade.query", { bizContent: { out_trade_no: "x" } }, { validateSign: true })).rejects.toThrow(/验签失败/);
    const wrongKey = new AlipaySdk({
      appId: h.keyApp.appId,
      privateKey: h.certApp.appPrivateKeyPem,
      alipayPublicKey: h.sandbox.keys.alipayPublicKeyPem,
      gateway: h.gateway,
      camelcase: false,
    });
    expect(await wrongKey.exec("alipay.trade.query", { bizContent: { out_trade_no: "x" } }, { validateSign: true })).toMatchObject({
      code: "40002",
      sub_code: "isv.invalid-signature",
    });
  });

  it("exec oauth.token with the SDK: the success has no code, and verifies", async () => {
    const issued = (await h.control("issue-code", { app_id: h.certApp.appId })).json;
    const token = await certSdk().exec("alipay.system.oauth.token", { grant_type: "authorization_code", code: issued.code }, { validateSign: true });
    expect(token).toMatchObject({ user_id: issued.user_id, open_id: issued.open_id });
  });

  it("accepts the sandbox's notifications with checkNotifySign and checkNotifySignV2, in both modes", async () => {
    for (const [sdk, app] of [
      [keySdk(), h.keyApp],
      [certSdk(), h.certApp],
    ] as const) {
      const before = h.receiver.received.length;
      const no = newTradeNo("I");
      await sdk.exec("alipay.trade.create", {
        notify_url: `${h.receiver.url}/notify`,
        bizContent: { out_trade_no: no, total_amount: "12.34", subject: "通知互通 + 空格", buyer_id: "2088000000000009", product_code: "JSAPI_PAY" },
      });
      await h.control("pay", { out_trade_no: no, app_id: app.appId });
      const posted = (await h.receiver.waitFor(before + 1))[before].params;
      expect(posted).toMatchObject({ out_trade_no: no, app_id: app.appId, total_amount: "12.34" });
      expect(sdk.checkNotifySignV2(posted)).toBe(true);
      expect(sdk.checkNotifySign(posted)).toBe(true);
      expect(sdk.checkNotifySignV2({ ...posted, total_amount: "12.35" })).toBe(false);
    }
    // A notification signed for one mode does not pass with the other mode's key.
    const last = h.receiver.received[h.receiver.received.length - 1].params;
    expect(keySdk().checkNotifySignV2(last)).toBe(false);
  });

  it("opens an App trade from the SDK's sdkExecute order string through the control action app-pay", async () => {
    for (const [sdk, app] of [
      [keySdk(), h.keyApp],
      [certSdk(), h.certApp],
    ] as const) {
      const no = newTradeNo("I");
      const orderInfo = sdk.sdkExecute("alipay.trade.app.pay", {
        notify_url: `${h.receiver.url}/notify`,
        bizContent: { out_trade_no: no, total_amount: "0.02", subject: "App 互通", product_code: "QUICK_MSECURITY_PAY" },
      });
      const opened = await h.control("app-pay", { orderInfo });
      expect(opened.json).toMatchObject({ ok: true, app_id: app.appId, out_trade_no: no, trade_status: "WAIT_BUYER_PAY" });
    }
  });
});
