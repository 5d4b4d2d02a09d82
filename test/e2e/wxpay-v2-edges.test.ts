import { createCipheriv, createHash } from "node:crypto";
import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig, type WxpaySandboxKeys } from "../../scripts/sandbox/pki";
import { withInvalidByte } from "../helpers/lossy-utf8";
import { startPayingSpace } from "../helpers/paying-space";
import {
  BASE,
  postText,
  readXml,
  SECAPI,
  v2PaymentFields,
  v2Sign,
  v2Xml,
  wxpayClients,
  writeUniPayConfig,
  type PayingSpace,
  type V2Fields,
} from "./helpers/wxpay";

/**
 * WeChat Pay API v2 notifications nobody should trust, posted to the emulator's notify URL as an attacker
 * could: each is refused (WeChat told to deliver again, in XML) with the order and balance unchanged and
 * the notify log's reason recorded; the properly built twin is then accepted, which shows each refusal
 * was for its own reason. Plus a refund with no client certificate configured, and 20 copies of one
 * notification at once.
 */

function config(keys: WxpaySandboxKeys) {
  const v2 = (extra: Record<string, unknown> = {}) => ({
    ...wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`, { version: 2, secapiBaseUrl: `${SECAPI}/__sandbox/wxpay` }),
    ...extra,
  });
  const noClientCertificate = v2();
  for (const field of ["appCertPath", "appPrivateKeyPath", "pfx"]) delete noClientCertificate[field];
  return {
    h5: v2(),
    // The App block forgot apiclient_cert: payments work, refunds cannot.
    "app-plus": noClientCertificate,
    // One mode on API v3, to receive a v2 notification it never asked for.
    mweb: { ...wxpaySandboxConfig(keys, `${BASE}/__sandbox/wxpay`), sceneInfo: { h5_info: { type: "Wap", wap_url: "http://127.0.0.1", wap_name: "vk-pay" } } },
  };
}

describe("WeChat Pay API v2 adversarial notifications end to end", () => {
  let env: PayingSpace;
  let api: Awaited<ReturnType<typeof wxpayClients>>;
  let keys: WxpaySandboxKeys;

  /** A payment notification as WeChat v2 sends it, signed with `key` (the merchant's unless forging). */
  const paymentFields = (outTradeNo: string, totalFee: number, overrides: V2Fields = {}): V2Fields => v2PaymentFields(keys, outTradeNo, totalFee, overrides);
  const signed = (fields: V2Fields, key = keys.key) => v2Xml({ ...fields, sign: v2Sign(fields, key) });

  beforeAll(async () => {
    env = await startPayingSpace({ prepareDataDir: async (dataDir) => writeUniPayConfig(dataDir, config(await loadOrCreateWxpaySandboxKeys(dataDir))) });
    keys = env.wxpay.keys;
    api = await wxpayClients(env);
  });
  afterAll(() => env.close());

  describe("payment notifications for an unpaid v2 order", () => {
    let outTradeNo: string;
    let notifyUrl: string;

    beforeAll(async () => {
      const created = await api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 900, isPC: true });
      expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_h5" } });
      outTradeNo = created.data.out_trade_no;
      notifyUrl = (await api.order(outTradeNo)).notify_url;
      expect(notifyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/http\/vk-pay\/vk-pay-notify\/wxpay_h5\//);
    });

    const good = () => signed(paymentFields(outTradeNo, 900));

    it.each([
      [
        "a DOCTYPE with an external entity (XXE)",
        () =>
          good()
            .replace("<xml>", '<!DOCTYPE xml [<!ENTITY leak SYSTEM "file:///etc/passwd">]><xml>')
            .replace("<openid><![CDATA[o-forged]]></openid>", "<openid>&leak;</openid>"),
        /DOCTYPE|entity/i,
      ],
      [
        "an internal entity expansion (billion laughs)",
        () =>
          `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${good().replace("<attach><![CDATA[till-7]]></attach>", "<attach>&b;</attach>")}`,
        /DOCTYPE|entity/i,
      ],
      ["a sign made with another key", () => signed(paymentFields(outTradeNo, 900), "0123456789abcdef0123456789abcdef"), /signature/i],
      ["one byte changed after signing", () => good().replace("<bank_type><![CDATA[OTHERS]]>", "<bank_type><![CDATA[OTHERT]]>"), /signature/i],
      ["no sign at all", () => v2Xml(paymentFields(outTradeNo, 900)), /signature/i],
      ["an amount one fen short, properly signed", () => signed(paymentFields(outTradeNo, 899, { cash_fee: 899 })), /amount 899/],
      ["another merchant's mch_id, properly signed", () => signed(paymentFields(outTradeNo, 900, { mch_id: "1900009999" })), /merchant/i],
      ["a JSON (v3-shaped) body on a v2 merchant", () => JSON.stringify({ id: "x", event_type: "TRANSACTION.SUCCESS", resource: {} }), /v3|JSON|version/i],
    ])("refuses %s: told to retry in XML, nothing moves, the reason is logged", async (_label, build, reason) => {
      const before = await api.logCount();
      const body = build();
      const reply = await postText(notifyUrl, body, body.startsWith("{") ? "application/json" : "text/xml");
      // WeChat reads the body, not the status: a FAIL return_code is what makes it deliver again.
      if (!body.startsWith("{")) expect(readXml(reply.body)).toMatchObject({ return_code: "FAIL" });
      else expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(await api.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
      expect(await api.balance()).toBe(0);
      expect(await api.logCount()).toBe(before + 1);
      expect(await api.lastLog()).toMatchObject({ outcome: "refused", reason: expect.stringMatching(reason) });
    });

    it.each([
      ["as text (the emulator decodes it, lossily)", "text/xml; charset=utf-8"],
      ["as binary (the function receives it base64-encoded)", "application/octet-stream"],
    ])("refuses a notification signed over the lossy decoding of an invalid byte, sent %s", async (_label, contentType) => {
      const before = await api.logCount();
      const bytes = withInvalidByte(signed(paymentFields(outTradeNo, 900, { attach: "till\uFFFD7" })));
      const reply = await postText(notifyUrl, bytes, contentType);
      expect(reply.status).toBe(200);
      expect(readXml(reply.body)).toMatchObject({ return_code: "FAIL" });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
      expect(await api.balance()).toBe(0);
      expect(await api.logCount()).toBe(before + 1);
      expect(await api.lastLog()).toMatchObject({ outcome: "refused", reason: expect.stringContaining("UTF-8") });
    });

    it("accepts the same notification built properly, which shows the refusals were for their reasons", async () => {
      const reply = await postText(notifyUrl, good());
      expect(reply.status).toBe(200);
      expect(readXml(reply.body)).toMatchObject({ return_code: "SUCCESS" });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
      expect(await api.balance()).toBe(900);
    });

    it("refuses a req_info refund notification encrypted under another key, and adopts a genuine one made at WeChat once", async () => {
      const reqInfo = (key: string, refundFee: number) => {
        const inner = `<root><out_refund_no><![CDATA[MP-${outTradeNo}]]></out_refund_no><out_trade_no><![CDATA[${outTradeNo}]]></out_trade_no><refund_id><![CDATA[50300000009]]></refund_id><refund_fee><![CDATA[${refundFee}]]></refund_fee><total_fee><![CDATA[900]]></total_fee><refund_status><![CDATA[SUCCESS]]></refund_status><success_time><![CDATA[2026-11-25 13:00:00]]></success_time><refund_request_source><![CDATA[VENDOR_PLATFORM]]></refund_request_source></root>`;
        // AES-256-ECB, PKCS#7, key = lowercase hex MD5 of the API key (WeChat's 退款结果通知 decryption steps).
        const cipher = createCipheriv("aes-256-ecb", Buffer.from(createHash("md5").update(key).digest("hex"), "ascii"), null);
        const sealed = Buffer.concat([cipher.update(inner, "utf8"), cipher.final()]).toString("base64");
        return v2Xml({ return_code: "SUCCESS", appid: keys.appId, mch_id: keys.mchId, nonce_str: "n1", req_info: sealed });
      };
      const forged = await postText(notifyUrl, reqInfo("0123456789abcdef0123456789abcdef", 400));
      expect(readXml(forged.body)).toMatchObject({ return_code: "FAIL" });
      expect(await api.lastLog()).toMatchObject({ outcome: "refused", reason: expect.stringMatching(/req_info|decrypt/i) });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });

      const genuine = reqInfo(keys.key, 400);
      expect(readXml((await postText(notifyUrl, genuine)).body)).toMatchObject({ return_code: "SUCCESS" });
      expect(readXml((await postText(notifyUrl, genuine)).body)).toMatchObject({ return_code: "SUCCESS" });
      expect(await api.order(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 400 });
      expect(await api.balance()).toBe(500);
      expect((await api.logFor(outTradeNo)).slice(-2).map(([outcome]) => outcome)).toEqual(["applied", "duplicate"]);
    });
  });

  it("refuses a v2 notification for an order whose merchant is configured for API v3, saying so", async () => {
    const created = await api.client(
      "pay/createPayment",
      { provider: "wxpay", type: "recharge", total_fee: 300 },
      { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1" },
    );
    expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_mweb" } });
    const outTradeNo = created.data.out_trade_no as string;
    // Signed with the merchant's real v2 key: only the version is wrong.
    const reply = await postText((await api.order(outTradeNo)).notify_url, signed(paymentFields(outTradeNo, 300)));
    expect(reply.status).toBe(200);
    expect(readXml(reply.body)).toMatchObject({ return_code: "FAIL" });
    expect(await api.lastLog()).toMatchObject({ outcome: "refused", reason: expect.stringMatching(/version-mismatch/) });
    expect(await api.order(outTradeNo)).toMatchObject({ status: "NOTPAY" });
  });

  it("answers an empty or non-XML body on a v2 notify path with v2's 200 FAIL XML, and on a v3 one with a 400 FAIL JSON", async () => {
    const v2 = await api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 100, isPC: true });
    const v3 = await api.client(
      "pay/createPayment",
      { provider: "wxpay", type: "recharge", total_fee: 100 },
      { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1" },
    );
    expect([v2.data.pay_type, v3.data.pay_type]).toEqual(["wxpay_h5", "wxpay_mweb"]);
    const v2Url = (await api.order(v2.data.out_trade_no)).notify_url;
    const v3Url = (await api.order(v3.data.out_trade_no)).notify_url;
    for (const body of ["", "not xml at all", "<xml><return_code>"]) {
      const reply = await postText(v2Url, body);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatch(/^<xml><return_code><!\[CDATA\[FAIL\]\]><\/return_code><return_msg>.+<\/return_msg><\/xml>$/);
    }
    for (const body of ["", "not json at all", '{"id":']) {
      const reply = await postText(v3Url, body, "application/json");
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body)).toEqual({ code: "FAIL", message: expect.any(String) });
    }
    expect(await api.order(v2.data.out_trade_no)).toMatchObject({ status: "NOTPAY" });
    expect(await api.order(v3.data.out_trade_no)).toMatchObject({ status: "NOTPAY" });
  });

  it("applies 20 copies of one notification arriving at once exactly once", async () => {
    const created = await api.client("pay/createPayment", { provider: "wxpay", type: "recharge", total_fee: 1000, isPC: true });
    const outTradeNo = created.data.out_trade_no as string;
    const { notify_url: notifyUrl } = await api.order(outTradeNo);
    const before = await api.balance();
    const body = signed(paymentFields(outTradeNo, 1000));
    const replies = await Promise.all(Array.from({ length: 20 }, () => postText(notifyUrl, body)));
    expect(replies.map((reply) => readXml(reply.body).return_code)).toEqual(Array(20).fill("SUCCESS"));
    expect(await api.balance()).toBe(before + 1000);
    const outcomes = (await api.logFor(outTradeNo)).map(([outcome]) => outcome);
    expect(outcomes.filter((outcome) => outcome === "applied")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(19);
    expect((await env.db.collection("vk-pay-balance-log").where({ out_trade_no: outTradeNo }).get()).data.length).toBeLessThanOrEqual(1);
  });

  describe("a refund when the client certificate is missing from the config", () => {
    let outTradeNo: string;
    let refused: Record<string, any>;

    beforeAll(async () => {
      const created = await api.client(
        "pay/createPayment",
        { provider: "wxpay", type: "recharge", total_fee: 400 },
        { platform: "app", userAgent: "Mozilla/5.0 (Linux; Android 14) uni-app" },
      );
      expect(created).toMatchObject({ code: 0, data: { pay_type: "wxpay_app-plus" } });
      outTradeNo = created.data.out_trade_no;
      await env.control("wxpay", "pay", { out_trade_no: outTradeNo });
      await env.wxpay.idle();
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS" });
      refused = await api.asAdmin("admin/refund", { out_trade_no: outTradeNo, refund_fee: 100 });
    });

    it("fails with an error that says what to configure, and nothing reaches WeChat", async () => {
      expect(refused).toMatchObject({ code: 100, errCode: "vk-pay-wxpay-client-cert-missing" });
      expect(refused.msg).toMatch(/商户证书.*appCertPath.*pfx/);
      expect(env.wxpay.state.refundsOf(keys.mchId, outTradeNo)).toEqual([]);
      expect(await api.order(outTradeNo)).toMatchObject({ status: "SUCCESS", refund_fee: 0 });
    });

    // The ConfigError is thrown before anything is sent, so nothing may stay reserved against the order.
    it("releases the reservation, so the whole amount can be refunded once the config is fixed", async () => {
      const order = await api.order(outTradeNo);
      expect(order.refund_reserved ?? 0).toBe(0);
      expect((await api.refundsOf(outTradeNo)).map((refund) => refund.status)).toEqual(["CLOSED"]);
    });
  });
});
