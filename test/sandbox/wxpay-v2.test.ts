/**
 * The sandbox's API v2 endpoints against a merchant built on wechatpay-axios-plugin: signatures checked
 * as WeChat checks them, refusals in v2's two levels, each endpoint, and one ledger shared with v3.
 */
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callV2, postXml, responseVerifies, signRequest, toXml, type V2Identity } from "./helpers/wxpay-v2";

describe("WeChat Pay v2 sandbox: XML endpoints", () => {
  let h: Harness;
  let me: V2Identity;
  const notifyUrl = "http://127.0.0.1:9/notify";
  beforeAll(async () => {
    h = await startHarness();
    me = { appid: h.sandbox.keys.appId, mch_id: h.sandbox.keys.mchId, key: h.sandbox.keys.key };
  });
  afterAll(() => h.close());

  const order = (no: string, extra: Record<string, string | number> = {}) => ({
    body: "沙箱测试商品",
    out_trade_no: no,
    total_fee: 1000,
    spbill_create_ip: "127.0.0.1",
    notify_url: notifyUrl,
    trade_type: "JSAPI",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    ...extra,
  });

  describe("signatures and protocol refusals", () => {
    it("accepts MD5 and HMAC-SHA256 requests and signs each answer with the same algorithm", async () => {
      for (const type of ["MD5", "HMAC-SHA256"] as const) {
        const reply = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo()), type);
        expect(reply.xml).toMatchObject({ return_code: "SUCCESS", result_code: "SUCCESS", appid: me.appid, mch_id: me.mch_id, trade_type: "JSAPI" });
        expect(reply.xml.prepay_id).toMatch(/^wx\d{14}/);
        expect(reply.xml.sign).toHaveLength(type === "MD5" ? 32 : 64);
        expect(responseVerifies(reply.xml, me.key)).toBe(true);
        expect(responseVerifies({ ...reply.xml, prepay_id: "wx0" }, me.key)).toBe(false);
      }
    });

    it("refuses a wrong sign, a wrong key, a changed field and an unknown sign_type with return_code FAIL, unsigned", async () => {
      const signed = signRequest(me, order(newOrderNo()));
      const cases = [
        { ...signed, sign: "0".repeat(32) },
        signRequest({ ...me, key: "x".repeat(32) }, order(newOrderNo())),
        { ...signed, total_fee: "1" },
        // HMAC signature declared as MD5: WeChat goes by sign_type, not by the length.
        { ...signRequest(me, order(newOrderNo()), "HMAC-SHA256"), sign_type: "MD5" },
      ];
      for (const fields of cases) {
        const reply = await postXml(`${h.base}/pay/unifiedorder`, toXml(fields));
        expect(reply.status).toBe(200);
        expect(reply.xml).toEqual({ return_code: "FAIL", return_msg: "签名错误" });
      }
      const badType = await postXml(`${h.base}/pay/unifiedorder`, toXml({ ...signed, sign_type: "SHA1" }));
      expect(badType.xml).toEqual({ return_code: "FAIL", return_msg: "sign_type参数错误" });
    });

    it("refuses XML with a DOCTYPE or entities, malformed XML, a GET and a missing mch_id", async () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><appid>${me.appid}</appid><body>&e;</body></xml>`;
      expect((await postXml(`${h.base}/pay/orderquery`, xxe)).xml).toEqual({ return_code: "FAIL", return_msg: expect.stringContaining("DOCTYPE") });
      const bomb = `<!ENTITY a "aaaa"><xml><body>&a;</body></xml>`;
      expect((await postXml(`${h.base}/pay/orderquery`, bomb)).xml.return_code).toBe("FAIL");
      expect((await postXml(`${h.base}/pay/orderquery`, "<xml><a>1</b></xml>")).xml).toEqual({
        return_code: "FAIL",
        return_msg: expect.stringContaining("XML格式错误"),
      });
      expect((await postXml(`${h.base}/pay/orderquery`, "", "GET")).xml).toEqual({ return_code: "FAIL", return_msg: "请使用post方法" });
      const { mch_id: _omit, ...noMch } = signRequest(me, { out_trade_no: "X1" });
      expect((await postXml(`${h.base}/pay/orderquery`, toXml(noMch))).xml).toEqual({ return_code: "FAIL", return_msg: "缺少参数mch_id" });
    });

    it("answers business refusals signed, with result_code FAIL and WeChat's err_code", async () => {
      const missingOpenid = await callV2(h.base, me, "/pay/unifiedorder", { ...order(newOrderNo()), openid: "" });
      expect(missingOpenid.xml).toMatchObject({ return_code: "SUCCESS", result_code: "FAIL", err_code: "PARAM_ERROR" });
      expect(responseVerifies(missingOpenid.xml, me.key)).toBe(true);
      const decimal = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo(), { total_fee: "10.00" }));
      expect(decimal.xml).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
      const foreignApp = await callV2(h.base, { ...me, appid: "wx9999999999999999" }, "/pay/unifiedorder", order(newOrderNo()));
      expect(foreignApp.xml).toMatchObject({ result_code: "FAIL", err_code: "APPID_MCHID_NOT_MATCH" });
    });
  });

  it("unifiedorder serves every trade type with its client fields", async () => {
    const native = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo(), { trade_type: "NATIVE", openid: "", product_id: "P1" }));
    expect(native.xml.code_url).toMatch(/\/__sandbox\/wxpay\/cashier\?out_trade_no=/);
    const noProduct = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo(), { trade_type: "NATIVE", openid: "" }));
    expect(noProduct.xml).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
    const scene = JSON.stringify({ h5_info: { type: "Wap", wap_url: "http://127.0.0.1", wap_name: "vk" } });
    const mweb = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo(), { trade_type: "MWEB", openid: "", scene_info: scene }));
    expect(mweb.xml.mweb_url).toMatch(/cashier\?out_trade_no=/);
    const app = await callV2(h.base, me, "/pay/unifiedorder", order(newOrderNo(), { trade_type: "APP", openid: "" }));
    expect(app.xml).toMatchObject({ result_code: "SUCCESS", trade_type: "APP", prepay_id: expect.stringMatching(/^wx/) });
  });

  it("a repeated out_trade_no: same params is the same order, other params OUT_TRADE_NO_USED, paid ORDERPAID", async () => {
    const no = newOrderNo();
    expect((await callV2(h.base, me, "/pay/unifiedorder", order(no))).xml.result_code).toBe("SUCCESS");
    expect((await callV2(h.base, me, "/pay/unifiedorder", order(no))).xml.result_code).toBe("SUCCESS");
    expect((await callV2(h.base, me, "/pay/unifiedorder", order(no, { total_fee: 999 }))).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "OUT_TRADE_NO_USED",
    });
    await h.control("pay", { out_trade_no: no });
    expect((await callV2(h.base, me, "/pay/unifiedorder", order(no))).xml).toMatchObject({ result_code: "FAIL", err_code: "ORDERPAID" });
  });

  it("orderquery follows the trade (NOTPAY, SUCCESS) and says ORDERNOTEXIST for an unknown one; the v3 API sees the same trade", async () => {
    const no = newOrderNo();
    await callV2(h.base, me, "/pay/unifiedorder", order(no, { attach: "a=1" }), "HMAC-SHA256");
    const before = await callV2(h.base, me, "/pay/orderquery", { out_trade_no: no }, "HMAC-SHA256");
    expect(before.xml).toMatchObject({ result_code: "SUCCESS", trade_state: "NOTPAY", out_trade_no: no, total_fee: "1000" });
    expect(before.xml.transaction_id).toBeUndefined();
    const paid = await h.control("pay", { out_trade_no: no });
    const after = await callV2(h.base, me, "/pay/orderquery", { transaction_id: paid.json.transaction_id });
    expect(after.xml).toMatchObject({
      trade_state: "SUCCESS",
      trade_type: "JSAPI",
      transaction_id: paid.json.transaction_id,
      attach: "a=1",
      cash_fee: "1000",
      openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    });
    expect(after.xml.time_end).toMatch(/^\d{14}$/);
    expect(responseVerifies(after.xml, me.key)).toBe(true);
    const v3 = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${me.mch_id}`);
    expect(v3.json).toMatchObject({ trade_state: "SUCCESS", transaction_id: paid.json.transaction_id });
    expect((await callV2(h.base, me, "/pay/orderquery", { out_trade_no: "NOPE12345678" })).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "ORDERNOTEXIST",
    });
  });

  it("closeorder closes an unpaid trade and refuses a paid one with ORDERPAID", async () => {
    const open = newOrderNo();
    await callV2(h.base, me, "/pay/unifiedorder", order(open));
    expect((await callV2(h.base, me, "/pay/closeorder", { out_trade_no: open })).xml).toMatchObject({ return_code: "SUCCESS", result_code: "SUCCESS" });
    expect((await callV2(h.base, me, "/pay/orderquery", { out_trade_no: open })).xml.trade_state).toBe("CLOSED");
    expect((await callV2(h.base, me, "/pay/unifiedorder", order(open))).xml).toMatchObject({ result_code: "FAIL", err_code: "ORDERCLOSED" });
    const paid = newOrderNo();
    await callV2(h.base, me, "/pay/unifiedorder", order(paid));
    await h.control("pay", { out_trade_no: paid });
    expect((await callV2(h.base, me, "/pay/closeorder", { out_trade_no: paid })).xml).toMatchObject({ result_code: "FAIL", err_code: "ORDERPAID" });
    expect((await callV2(h.base, me, "/pay/closeorder", { out_trade_no: "NOPE12345678" })).xml).toMatchObject({
      result_code: "FAIL",
      err_code: "ORDERNOTEXIST",
    });
  });

  it("refundquery: REFUNDNOTEXIST before any refund, then the numbered refund fields (a refund made over v3)", async () => {
    const no = newOrderNo();
    await callV2(h.base, me, "/pay/unifiedorder", order(no));
    await h.control("pay", { out_trade_no: no });
    expect((await callV2(h.base, me, "/pay/refundquery", { out_trade_no: no })).xml).toMatchObject({ result_code: "FAIL", err_code: "REFUNDNOTEXIST" });
    await h.api("POST", "/v3/refund/domestic/refunds", { out_trade_no: no, out_refund_no: `R${no}`, amount: { refund: 300, total: 1000, currency: "CNY" } });
    const query = await callV2(h.base, me, "/pay/refundquery", { out_refund_no: `R${no}` });
    expect(query.xml).toMatchObject({
      result_code: "SUCCESS",
      refund_count: "1",
      out_refund_no_0: `R${no}`,
      refund_fee_0: "300",
      refund_status_0: "PROCESSING",
      total_fee: "1000",
    });
    await h.control("refund-result", { out_refund_no: `R${no}`, status: "ABNORMAL" });
    expect((await callV2(h.base, me, "/pay/refundquery", { out_trade_no: no })).xml.refund_status_0).toBe("CHANGE");
  });

  it("/secapi paths are refused over plain HTTP", async () => {
    const reply = await callV2(h.base, me, "/secapi/pay/refund", { out_trade_no: "X123456", out_refund_no: "R1", total_fee: 1, refund_fee: 1 });
    expect(reply.xml).toEqual({ return_code: "FAIL", return_msg: "请使用HTTPS并携带商户API证书调用此接口" });
  });
});
