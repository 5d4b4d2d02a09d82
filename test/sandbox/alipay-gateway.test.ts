/**
 * The gateway's checks and replies: Alipay's refusal shapes for each broken request, in key and in
 * certificate mode, and responses signed over the exact text of `<method>_response`.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { rawResponseValue, signedParams, verifyRsa2 } from "./helpers/alipay-client";
import { newTradeNo, startAlipayHarness, type AlipayHarness } from "./helpers/alipay-harness";

describe("Alipay sandbox gateway.do", () => {
  let h: AlipayHarness;
  beforeAll(async () => {
    h = await startAlipayHarness({ persist: false });
  });
  afterAll(() => h.close());

  const keyModeKey = () => createPublicKey(h.sandbox.keys.alipayPublicKeyPem);
  const certModeKey = () => new X509Certificate(h.sandbox.keys.alipayPublicCertPem).publicKey;
  const query = { out_trade_no: "no-such-trade" };

  it("answers a key-mode request with HTTP 200, text/html, and a signature over the exact response text", async () => {
    const reply = await h.call(h.keyApp, "alipay.trade.query", query);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/html/);
    expect(reply.responseKey).toBe("alipay_trade_query_response");
    expect(reply.response).toEqual({ code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" });
    expect(reply.json.alipay_cert_sn).toBeUndefined();
    expect(verifyRsa2(rawResponseValue(reply.text, reply.responseKey), reply.json.sign, keyModeKey())).toBe(true);
    // Not the certificate-mode key: each mode has its own Alipay key, as on the open platform.
    expect(verifyRsa2(rawResponseValue(reply.text, reply.responseKey), reply.json.sign, certModeKey())).toBe(false);
  });

  it("escapes / as \\/ like Alipay, so only the raw substring verifies, not a re-serialisation", async () => {
    const no = newTradeNo();
    const reply = await h.call(h.keyApp, "alipay.trade.precreate", { out_trade_no: no, total_amount: "0.01", subject: "escape" });
    expect(reply.response.qr_code).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__sandbox\/alipay\/cashier\?out_trade_no=/);
    const raw = rawResponseValue(reply.text, reply.responseKey);
    expect(raw).toContain("http:\\/\\/127.0.0.1");
    expect(verifyRsa2(raw, reply.json.sign, keyModeKey())).toBe(true);
    expect(verifyRsa2(JSON.stringify(reply.response), reply.json.sign, keyModeKey())).toBe(false);
  });

  it("answers a certificate-mode request with alipay_cert_sn and a signature by the key in alipayCertPublicKey_RSA2.crt", async () => {
    const reply = await h.call(h.certApp, "alipay.trade.query", query);
    expect(reply.response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
    expect(reply.json.alipay_cert_sn).toBe(h.sandbox.keys.alipayCertSn);
    expect(reply.text.indexOf('"alipay_cert_sn"')).toBeLessThan(reply.text.lastIndexOf('"sign"'));
    expect(verifyRsa2(rawResponseValue(reply.text, reply.responseKey), reply.json.sign, certModeKey())).toBe(true);
  });

  it("accepts every parameter in the form body as well as public parameters in the query", async () => {
    const reply = await h.call(h.certApp, "alipay.trade.query", query, { allInBody: true });
    expect(reply.response.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("refuses a missing or unknown method under error_response", async () => {
    const missing = await h.call(h.keyApp, "alipay.trade.query", query, { params: { method: undefined } });
    expect(missing.json).toEqual({
      error_response: { code: "40001", msg: "Missing Required Arguments", sub_code: "isv.missing-method", sub_msg: "缺少方法名参数" },
    });
    const unknown = await h.call(h.keyApp, "alipay.trade.nothing", query);
    expect(unknown.json).toEqual({ error_response: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-method", sub_msg: "不存在的方法名" } });
  });

  it("refuses a missing or unknown app_id without a signature (Alipay has no key for it)", async () => {
    const missing = await h.call(h.keyApp, "alipay.trade.query", query, { params: { app_id: undefined } });
    expect(missing.json).toEqual({
      alipay_trade_query_response: { code: "40001", msg: "Missing Required Arguments", sub_code: "isv.missing-app-id", sub_msg: "缺少appId参数" },
    });
    // The app is checked before the signature: even an unsigned request learns only that the app is unknown.
    const unknown = await h.call(h.keyApp, "alipay.trade.query", query, { params: { app_id: "2021000000000000" }, tamper: { sign: "" } });
    expect(unknown.json).toEqual({
      alipay_trade_query_response: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-app-id", sub_msg: "无效的AppID参数" },
    });
  });

  it.each([
    ["sign", { tamper: { sign: "" } }, "40001", "isv.missing-signature"],
    ["sign_type", { params: { sign_type: undefined } }, "40001", "isv.missing-signature-type"],
    ["timestamp", { params: { timestamp: undefined } }, "40001", "isv.missing-timestamp"],
    ["version", { params: { version: undefined } }, "40001", "isv.missing-version"],
    ["a bad sign_type", { params: { sign_type: "MD5" } }, "40002", "isv.invalid-signature-type"],
    ["an ISO timestamp", { params: { timestamp: "2024-05-13T17:49:20+08:00" } }, "40002", "isv.invalid-timestamp"],
    ["an impossible date", { params: { timestamp: "2024-02-30 10:00:00" } }, "40002", "isv.invalid-timestamp"],
    ["GBK", { params: { charset: "GBK" } }, "40002", "isv.invalid-charset"],
    ["format XML", { params: { format: "XML" } }, "40002", "isv.invalid-format"],
  ] as const)("refuses a request with %s missing or wrong, signed, with Alipay's code", async (_, options, code, subCode) => {
    const reply = await h.call(h.keyApp, "alipay.trade.query", query, options as never);
    expect(reply.response).toMatchObject({ code, sub_code: subCode });
    expect(reply.response.msg).toBe(code === "40001" ? "Missing Required Arguments" : "Invalid Arguments");
    expect(verifyRsa2(rawResponseValue(reply.text, reply.responseKey), reply.json.sign, keyModeKey())).toBe(true);
  });

  it("refuses a wrong key, a tampered value and a sign_type of RSA with isv.invalid-signature, echoing the verified string", async () => {
    const wrongKey = await h.call(h.keyApp, "alipay.trade.query", query, { privateKeyPem: h.certApp.appPrivateKeyPem });
    expect(wrongKey.response).toMatchObject({ code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-signature" });
    // sign_type is part of what a request signs; Alipay shows the string it checked, `&` HTML-escaped.
    expect(wrongKey.response.sub_msg).toContain(`app_id=${h.keyApp.appId}&amp;biz_content={"out_trade_no":"no-such-trade"}&amp;charset=utf-8`);
    expect(wrongKey.response.sub_msg).toContain("&amp;sign_type=RSA2&amp;");
    const tampered = await h.call(h.keyApp, "alipay.trade.query", query, { tamper: { biz_content: '{"out_trade_no":"other"}' } });
    expect(tampered.response.sub_code).toBe("isv.invalid-signature");
    const rsa = await h.call(h.keyApp, "alipay.trade.query", query, { params: { sign_type: "RSA" } });
    expect(rsa.response.sub_code).toBe("isv.invalid-signature");
  });

  it("decodes the form as Alipay does: a `+` sent unencoded arrives as a space and the signature fails", async () => {
    const biz = { out_trade_no: newTradeNo(), total_amount: "0.01", subject: "a+b" };
    const params = signedParams(h.sandbox.keys, h.keyApp, "alipay.trade.precreate", biz);
    const raw = Object.entries(params)
      .map(([key, value]) => `${key}=${key === "biz_content" ? value : encodeURIComponent(value)}`)
      .join("&");
    const response = await fetch(h.gateway, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" }, body: raw });
    expect(JSON.parse(await response.text()).alipay_trade_precreate_response.sub_code).toBe("isv.invalid-signature");
    // Percent-encoded, the same `+` goes through and reaches the trade intact.
    const ok = await h.call(h.keyApp, "alipay.trade.precreate", biz);
    expect(ok.response.code).toBe("10000");
    expect(h.sandbox.state.trade(h.keyApp.appId, biz.out_trade_no)?.subject).toBe("a+b");
  });

  it("checks app_cert_sn and alipay_root_cert_sn of a certificate-mode app, as Alipay computes them", async () => {
    const cases = [
      [{ app_cert_sn: undefined }, "isv.missing-app-cert-sn", "缺少应用公钥证书序列号"],
      [{ app_cert_sn: "0".repeat(32) }, "isv.app-cert-not-exist", "应用公钥证书不存在"],
      [{ alipay_root_cert_sn: undefined }, "isv.missing-alipay-root-cert-sn", "缺少支付宝根证书序列号"],
      // Only the RSA roots count: the SN of the whole bundle's first certificate alone is wrong.
      [{ alipay_root_cert_sn: h.sandbox.keys.alipayRootCertSn.split("_")[0] }, "isv.invalid-alipay-root-cert-sn", "无效的支付宝根证书序列号"],
    ] as const;
    for (const [params, subCode, subMsg] of cases) {
      const reply = await h.call(h.certApp, "alipay.trade.query", query, { params: { ...params } });
      expect(reply.response).toEqual({ code: "40002", msg: "Invalid Arguments", sub_code: subCode, sub_msg: subMsg });
      expect(reply.json.alipay_cert_sn).toBe(h.sandbox.keys.alipayCertSn);
    }
    // The cert-mode app verifies with the key of its app certificate: the key-mode app's key does not pass.
    const wrongKey = await h.call(h.certApp, "alipay.trade.query", query, { privateKeyPem: h.keyApp.appPrivateKeyPem });
    expect(wrongKey.response.sub_code).toBe("isv.invalid-signature");
  });

  it("refuses a biz_content that is not a JSON object, and business fields with ACQ.INVALID_PARAMETER", async () => {
    const notJson = await h.call(h.keyApp, "alipay.trade.query", undefined, { rawBiz: "{out_trade_no:1" });
    expect(notJson.response).toMatchObject({ code: "40002", sub_code: "isv.invalid-parameter" });
    const noIds = await h.call(h.keyApp, "alipay.trade.query", {});
    expect(noIds.response).toMatchObject({ code: "40004", sub_code: "ACQ.INVALID_PARAMETER" });
    // Amounts are yuan strings: a number (a float that escaped conversion) or three decimals are refused.
    for (const total_amount of [0.01, "0.001", "1,00", "-1"]) {
      const reply = await h.call(h.keyApp, "alipay.trade.precreate", { out_trade_no: newTradeNo(), total_amount, subject: "x" });
      expect(reply.response).toMatchObject({ code: "40004", sub_code: "ACQ.INVALID_PARAMETER" });
    }
  });

  it("answers a GET with a 404 for other paths and keeps the gateway to gateway.do", async () => {
    const response = await fetch(`${h.base}/nothing-here/x`);
    expect(response.status).toBe(404);
  });
});
