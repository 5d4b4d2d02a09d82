/**
 * Service-provider mode: the provider places orders for its sub-merchants over the v3 partner paths and
 * over v2 with sub_mch_id; the sandbox checks the provider–sub-merchant binding, keeps the order under
 * the sub-merchant, and notifies the provider with the sub fields.
 */
import { X509Certificate } from "node:crypto";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callApi, decryptResource, verifyWechatpaySignature, type MerchantIdentity } from "./helpers/wxpay-merchant";
import { callV2, fromXml, postXmlTls, responseVerifies, signRequest, startV2Receiver, toXml, type V2Identity, type V2Receiver } from "./helpers/wxpay-v2";

describe("WeChat Pay sandbox: service provider and sub-merchants", () => {
  let h: Harness;
  let sp: MerchantIdentity;
  let spV2: V2Identity;
  let receiver: V2Receiver;
  let sub: { mchId: string; appId: string };
  let other: { mchId: string; appId: string };
  beforeAll(async () => {
    h = await startHarness({ httpsPort: 0 });
    const { partner } = h.sandbox.keys;
    sp = { mchid: partner.mchId, serial: partner.merchantSerial, privateKeyPem: partner.merchantPrivateKeyPem };
    spV2 = { appid: partner.appId, mch_id: partner.mchId, key: partner.key };
    [sub, other] = partner.subMerchants;
    receiver = await startV2Receiver();
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(() => h.receiver.received.splice(0));

  const partnerApi = (method: "GET" | "POST", target: string, body?: unknown, identity = sp) => callApi(h.base, identity, method, target, body);
  const prepayBody = (no: string, extra: Record<string, unknown> = {}) => ({
    sp_appid: spV2.appid,
    sp_mchid: sp.mchid,
    sub_appid: sub.appId,
    sub_mchid: sub.mchId,
    description: "特约商户商品",
    out_trade_no: no,
    notify_url: `${h.receiver.url}/notify/partner`,
    amount: { total: 500, currency: "CNY" },
    payer: { sub_openid: "oSubOpenid0000000000000000001" },
    ...extra,
  });

  it("v3: prepay, query and pay through the partner paths; the notification names both merchants", async () => {
    const no = newOrderNo();
    const prepay = await partnerApi("POST", "/v3/pay/partner/transactions/jsapi", prepayBody(no));
    expect(prepay.status).toBe(200);
    expect(prepay.json.prepay_id).toMatch(/^wx/);
    const query = `/v3/pay/partner/transactions/out-trade-no/${no}?sp_mchid=${sp.mchid}&sub_mchid=${sub.mchId}`;
    expect((await partnerApi("GET", query)).json).toMatchObject({
      sp_mchid: sp.mchid,
      sub_mchid: sub.mchId,
      sp_appid: spV2.appid,
      sub_appid: sub.appId,
      trade_state: "NOTPAY",
    });
    // The order lives under the sub-merchant: the direct path of the provider does not find it.
    expect((await partnerApi("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${sp.mchid}`)).status).toBe(404);

    await h.control("pay", { mchid: sub.mchId, out_trade_no: no });
    const [notification] = await h.receiver.waitFor(1);
    const platform = { [h.sandbox.platform.current().serial]: new X509Certificate(h.sandbox.platform.current().certPem).publicKey };
    expect(verifyWechatpaySignature(notification.headers as Record<string, string>, notification.body, platform)).toBe(true);
    const resource = JSON.parse(decryptResource(JSON.parse(notification.body).resource, h.sandbox.keys.partner.v3Key));
    expect(resource).toMatchObject({
      sp_mchid: sp.mchid,
      sub_mchid: sub.mchId,
      sp_appid: spV2.appid,
      sub_appid: sub.appId,
      out_trade_no: no,
      trade_state: "SUCCESS",
      payer: { sub_openid: "oSubOpenid0000000000000000001" },
    });
    expect(resource.mchid).toBeUndefined();
    expect(() => decryptResource(JSON.parse(notification.body).resource, h.sandbox.keys.v3Key)).toThrow();

    const refund = await partnerApi("POST", "/v3/refund/domestic/refunds", {
      sub_mchid: sub.mchId,
      out_trade_no: no,
      out_refund_no: `R${no}`,
      amount: { refund: 100, total: 500, currency: "CNY" },
    });
    expect(refund.json).toMatchObject({ status: "PROCESSING", out_trade_no: no });
    h.receiver.received.splice(0);
    await h.control("refund-result", { mchid: sub.mchId, out_refund_no: `R${no}`, status: "SUCCESS" });
    const [refunded] = await h.receiver.waitFor(1);
    expect(JSON.parse(decryptResource(JSON.parse(refunded.body).resource, h.sandbox.keys.partner.v3Key))).toMatchObject({
      sp_mchid: sp.mchid,
      sub_mchid: sub.mchId,
      refund_status: "SUCCESS",
    });
  });

  it("v3: refuses an unbound sub-merchant, a sub_appid of another sub-merchant, and the partner path for a direct merchant", async () => {
    const unbound = await partnerApi("POST", "/v3/pay/partner/transactions/jsapi", prepayBody(newOrderNo(), { sub_mchid: "1900009999" }));
    expect(unbound.status).toBe(400);
    expect(unbound.json).toMatchObject({ code: "INVALID_REQUEST", message: "受理关系不存在" });
    const foreignApp = await partnerApi("POST", "/v3/pay/partner/transactions/jsapi", prepayBody(newOrderNo(), { sub_appid: other.appId }));
    expect(foreignApp.json.code).toBe("INVALID_REQUEST");
    const direct = await partnerApi("POST", "/v3/pay/partner/transactions/jsapi", prepayBody(newOrderNo(), { sp_mchid: h.merchant.mchid }), h.merchant);
    expect(direct.status).toBe(400);
    const noPayer = await partnerApi("POST", "/v3/pay/partner/transactions/jsapi", prepayBody(newOrderNo(), { payer: {} }));
    expect(noPayer.json.code).toBe("PARAM_ERROR");
    const query = await partnerApi("GET", `/v3/pay/partner/transactions/out-trade-no/X123456?sp_mchid=${sp.mchid}&sub_mchid=${other.mchId}`);
    expect(query.json.code).toBe("ORDER_NOT_EXIST");
  });

  it("v2: unifiedorder with sub_mch_id, a notification carrying the sub fields signed with the provider's key, refund over mTLS", async () => {
    const no = newOrderNo();
    const fields = {
      sub_mch_id: sub.mchId,
      sub_appid: sub.appId,
      body: "特约商户商品",
      out_trade_no: no,
      total_fee: 700,
      spbill_create_ip: "127.0.0.1",
      notify_url: receiver.url,
      trade_type: "JSAPI",
      sub_openid: "oSubV2",
    };
    const placed = await callV2(h.base, spV2, "/pay/unifiedorder", fields, "HMAC-SHA256");
    expect(placed.xml).toMatchObject({ result_code: "SUCCESS", mch_id: sp.mchid, sub_mch_id: sub.mchId, sub_appid: sub.appId });
    expect(responseVerifies(placed.xml, spV2.key)).toBe(true);

    await h.control("pay", { mchid: sub.mchId, out_trade_no: no });
    const [body] = await receiver.waitFor(1);
    const xml = fromXml(body);
    expect(xml).toMatchObject({
      appid: spV2.appid,
      mch_id: sp.mchid,
      sub_appid: sub.appId,
      sub_mch_id: sub.mchId,
      sub_openid: "oSubV2",
      out_trade_no: no,
      total_fee: "700",
    });
    expect(xml.sign).toHaveLength(64);
    expect(responseVerifies(xml, spV2.key)).toBe(true);

    const query = await callV2(h.base, spV2, "/pay/orderquery", { sub_mch_id: sub.mchId, out_trade_no: no });
    expect(query.xml).toMatchObject({ trade_state: "SUCCESS", sub_mch_id: sub.mchId });
    expect((await callV2(h.base, spV2, "/pay/orderquery", { sub_mch_id: other.mchId, out_trade_no: no })).xml.err_code).toBe("ORDERNOTEXIST");

    const { partner, caCertPem } = h.sandbox.keys;
    const refundXml = toXml(signRequest(spV2, { sub_mch_id: sub.mchId, out_trade_no: no, out_refund_no: `R${no}`, total_fee: 700, refund_fee: 700 }));
    const refund = await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/refund`, refundXml, {
      cert: partner.merchantCertPem,
      key: partner.merchantPrivateKeyPem,
      ca: caCertPem,
    });
    expect(refund.xml).toMatchObject({ result_code: "SUCCESS", sub_mch_id: sub.mchId, refund_fee: "700" });
  });

  it("v2: refuses a missing sub_mch_id, an unbound one, a mismatched sub_appid, and sub_mch_id from a direct merchant", async () => {
    const base = { body: "x", out_trade_no: newOrderNo(), total_fee: 1, spbill_create_ip: "127.0.0.1", notify_url: receiver.url, trade_type: "APP" };
    expect((await callV2(h.base, spV2, "/pay/unifiedorder", base)).xml).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
    expect((await callV2(h.base, spV2, "/pay/unifiedorder", { ...base, sub_mch_id: "1900009999" })).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "MCHID_NOT_EXIST",
    });
    expect((await callV2(h.base, spV2, "/pay/unifiedorder", { ...base, sub_mch_id: sub.mchId, sub_appid: other.appId })).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "SUB_MCH_ID_APPID_NOT_MATCH",
    });
    const direct = { appid: h.sandbox.keys.appId, mch_id: h.sandbox.keys.mchId, key: h.sandbox.keys.key };
    expect((await callV2(h.base, direct, "/pay/unifiedorder", { ...base, sub_mch_id: sub.mchId })).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "PARAM_ERROR",
    });
  });
});
