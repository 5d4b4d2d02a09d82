import { createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { decryptResource, verifyWechatpaySignature } from "./helpers/wxpay-merchant";

describe("WeChat Pay v3 sandbox: request signatures, validation, endpoints", () => {
  let h: Harness;
  let platformKeys: Record<string, ReturnType<typeof createPublicKey>>;
  beforeAll(async () => {
    h = await startHarness();
    platformKeys = {
      [h.sandbox.keys.platformSerial]: new X509Certificate(h.sandbox.keys.platformCertPem).publicKey,
      [h.sandbox.keys.wxpayPublicKeyId]: createPublicKey(h.sandbox.keys.wxpayPublicKeyPem),
    };
  });
  afterAll(() => h.close());

  const prepay = (no: string, extra?: Record<string, unknown>) => h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no, extra));

  it("accepts a correctly signed prepay and signs its reply with the platform certificate", async () => {
    const reply = await prepay(newOrderNo());
    expect(reply.status).toBe(200);
    expect(reply.json.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(reply.headers.get("Wechatpay-Serial")).toBe(h.sandbox.keys.platformSerial);
    expect(verifyWechatpaySignature(reply.headers, reply.text, platformKeys)).toBe(true);
    // The signature covers the exact body: one changed byte fails.
    expect(verifyWechatpaySignature(reply.headers, reply.text.replace("wx", "wX"), platformKeys)).toBe(false);
  });

  describe("refuses with 401 SIGN_ERROR", () => {
    const no = () => newOrderNo("S");
    const expectSignError = (reply: { status: number; json: any; headers: Headers; text: string }, field: string) => {
      expect(reply.status).toBe(401);
      expect(reply.json).toMatchObject({ code: "SIGN_ERROR", message: expect.any(String), detail: { field } });
      // Error replies are signed too, as WeChat's are.
      expect(verifyWechatpaySignature(reply.headers, reply.text, platformKeys)).toBe(true);
    };

    it("a signature made with another key", async () => {
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { privateKeyPem: other }), "signature");
    });
    it("a serial that is not the merchant certificate's", async () => {
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { serial: "1234567890ABCDEF" }), "serial_no");
    });
    // Half a minute past the window either way: a loaded machine may take seconds between here and the check.
    it("a timestamp more than 5 minutes old, and one 5 minutes ahead", async () => {
      const now = Math.floor(Date.now() / 1000);
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { timestamp: now - 330 }), "timestamp");
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { timestamp: now + 330 }), "timestamp");
      expect((await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { timestamp: now - 240 })).status).toBe(200);
    });
    it("a body changed after signing", async () => {
      const body = h.prepayBody(no());
      const signedBody = JSON.stringify({ ...body, amount: { total: 1, currency: "CNY" } });
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", body, { signedBody }), "signature");
    });
    it("a path signed with the /__sandbox prefix, and says which URL it expected", async () => {
      const reply = await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { signedPath: "/__sandbox/wxpay/v3/pay/transactions/jsapi" });
      expectSignError(reply, "signature");
      expect(reply.json.detail.sign_information.url).toBe("/v3/pay/transactions/jsapi");
    });
    it("a query left out of the signed URL", async () => {
      const target = `/v3/pay/transactions/out-trade-no/${no()}?mchid=${h.merchant.mchid}`;
      expectSignError(await h.api("GET", target, undefined, { signedPath: target.split("?")[0] }), "signature");
    });
    it("an unknown mchid, a missing header and a foreign scheme", async () => {
      expectSignError(await h.api("POST", "/v3/pay/transactions/jsapi", h.prepayBody(no()), { mchid: "1900000999" }), "mchid");
      expectSignError(await h.api("GET", `/v3/certificates`, undefined, { authorization: null }), "authorization");
      expectSignError(await h.api("GET", `/v3/certificates`, undefined, { authorization: 'Bearer mchid="1900000001"' }), "authorization");
    });
  });

  describe("refuses bad input with 400", () => {
    const expectParamError = async (body: unknown, field: string, path = "/v3/pay/transactions/jsapi") => {
      const reply = await h.api("POST", path, body);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ code: "PARAM_ERROR" });
      if (field) expect(reply.json.detail.field).toBe(field);
    };
    it("malformed JSON and a non-object body", async () => {
      await expectParamError("{not json", "");
      await expectParamError("[1,2]", "");
    });
    it("missing or mistyped fields", async () => {
      const no = newOrderNo("P");
      await expectParamError(h.prepayBody(no, { payer: undefined }), "/payer");
      await expectParamError(h.prepayBody(no, { payer: { openid: "" } }), "/payer/openid");
      await expectParamError(h.prepayBody(no, { amount: { total: 0 } }), "/amount/total");
      await expectParamError(h.prepayBody(no, { amount: { total: "100" } }), "/amount/total");
      await expectParamError(h.prepayBody(no, { amount: { total: 1.5 } }), "/amount/total");
      await expectParamError(h.prepayBody(no, { amount: { total: 100, currency: "USD" } }), "/amount/currency");
      await expectParamError(h.prepayBody(no, { description: { $gt: "" } }), "/description");
      await expectParamError(h.prepayBody("abc"), "/out_trade_no");
      await expectParamError(h.prepayBody(no, { notify_url: "ftp://example.com/notify" }), "/notify_url");
      await expectParamError(h.prepayBody(no, { notify_url: "https://example.com/notify?order=1" }), "/notify_url");
      await expectParamError(h.prepayBody(no, { time_expire: "2030-01-01 10:00:00" }), "/time_expire");
    });
    it("H5 without scene_info.payer_client_ip or h5_info", async () => {
      const no = newOrderNo("H");
      await expectParamError(h.prepayBody(no, { payer: undefined }), "/scene_info", "/v3/pay/transactions/h5");
      await expectParamError(h.prepayBody(no, { scene_info: { h5_info: { type: "Wap" } } }), "/scene_info/payer_client_ip", "/v3/pay/transactions/h5");
      await expectParamError(h.prepayBody(no, { scene_info: { payer_client_ip: "127.0.0.1" } }), "/scene_info/h5_info", "/v3/pay/transactions/h5");
    });
    it("an appid not bound to the merchant, and a body mchid other than the signer's: INVALID_REQUEST", async () => {
      const a = await prepay(newOrderNo(), { appid: "wx9999999999999999" });
      expect(a.status).toBe(400);
      expect(a.json.code).toBe("INVALID_REQUEST");
      const b = await prepay(newOrderNo(), { mchid: "1900000002" });
      expect(b.json.code).toBe("INVALID_REQUEST");
    });
  });

  it("answers each trade type with its own result", async () => {
    const app = await h.api("POST", "/v3/pay/transactions/app", h.prepayBody(newOrderNo(), { payer: undefined }));
    expect(app.json).toEqual({ prepay_id: expect.stringMatching(/^wx/) });
    const no = newOrderNo();
    const native = await h.api("POST", "/v3/pay/transactions/native", h.prepayBody(no, { payer: undefined }));
    expect(native.json.code_url).toBe(`${h.base}/cashier?out_trade_no=${no}`);
    const h5 = await h.api(
      "POST",
      "/v3/pay/transactions/h5",
      h.prepayBody(newOrderNo(), { payer: undefined, scene_info: { payer_client_ip: "127.0.0.1", h5_info: { type: "Wap" } } }),
    );
    expect(h5.json.h5_url).toMatch(new RegExp(`^${h.base}/cashier\\?out_trade_no=`));
  });

  it("repeats a prepay with the same content, refuses a changed one, and refuses a paid one", async () => {
    const no = newOrderNo();
    const first = await prepay(no);
    const again = await prepay(no);
    expect(again.status).toBe(200);
    expect(again.json.prepay_id).not.toBe(first.json.prepay_id);
    const changed = await prepay(no, { amount: { total: 999, currency: "CNY" } });
    expect(changed.status).toBe(400);
    expect(changed.json).toMatchObject({ code: "INVALID_REQUEST", message: "201 商户订单号重复" });
    await h.control("pay", { out_trade_no: no });
    const paid = await prepay(no);
    expect(paid.json.code).toBe("ORDERPAID");
  });

  it("queries by out_trade_no (mchid in the signed query) and by transaction_id; unknown orders are 404", async () => {
    const no = newOrderNo();
    await prepay(no, { attach: "a=1" });
    const unpaid = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${h.merchant.mchid}`);
    expect(unpaid.json).toMatchObject({ out_trade_no: no, trade_state: "NOTPAY", amount: { total: 1000 }, attach: "a=1" });
    expect(unpaid.json.transaction_id).toBeUndefined();
    expect(verifyWechatpaySignature(unpaid.headers, unpaid.text, platformKeys)).toBe(true);
    const { json } = await h.control("pay", { out_trade_no: no });
    const byId = await h.api("GET", `/v3/pay/transactions/id/${json.transaction_id}?mchid=${h.merchant.mchid}`);
    expect(byId.json).toMatchObject({
      out_trade_no: no,
      trade_state: "SUCCESS",
      transaction_id: json.transaction_id,
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    });
    expect(byId.json.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const missing = await h.api("GET", `/v3/pay/transactions/out-trade-no/NOPE${no}?mchid=${h.merchant.mchid}`);
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("ORDER_NOT_EXIST");
    const noMchid = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}`);
    expect(noMchid.json).toMatchObject({ code: "PARAM_ERROR", detail: { field: "mchid", location: "query" } });
  });

  it("closes an unpaid order with a signed 204, and refuses to close a paid one", async () => {
    const no = newOrderNo();
    await prepay(no);
    const closed = await h.api("POST", `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: h.merchant.mchid });
    expect(closed.status).toBe(204);
    expect(closed.text).toBe("");
    expect(verifyWechatpaySignature(closed.headers, "", platformKeys)).toBe(true);
    const query = await h.api("GET", `/v3/pay/transactions/out-trade-no/${no}?mchid=${h.merchant.mchid}`);
    expect(query.json.trade_state).toBe("CLOSED");
    const again = await h.api("POST", `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: h.merchant.mchid });
    expect([again.status, again.json.code]).toEqual([400, "ORDER_CLOSED"]);
    expect((await h.control("pay", { out_trade_no: no })).status).toBe(409);
    const paidNo = newOrderNo();
    await prepay(paidNo);
    await h.control("pay", { out_trade_no: paidNo });
    const refused = await h.api("POST", `/v3/pay/transactions/out-trade-no/${paidNo}/close`, { mchid: h.merchant.mchid });
    expect(refused.json.code).toBe("ORDERPAID");
  });

  it("accepts funds_account AVAILABLE on a refund and refuses any other value", async () => {
    const no = newOrderNo();
    await prepay(no);
    await h.control("pay", { out_trade_no: no });
    const body = (funds_account: string, n: string) => ({
      out_trade_no: no,
      out_refund_no: `F${n}${no}`,
      funds_account,
      amount: { refund: 1, total: 1000, currency: "CNY" },
    });
    expect((await h.api("POST", "/v3/refund/domestic/refunds", body("UNSETTLED", "1"))).json.code).toBe("PARAM_ERROR");
    expect((await h.api("POST", "/v3/refund/domestic/refunds", body("AVAILABLE", "2"))).status).toBe(200);
  });

  it("serves /v3/certificates encrypted under the APIv3 key (aad certificate)", async () => {
    const reply = await h.api("GET", "/v3/certificates");
    expect(reply.status).toBe(200);
    expect(verifyWechatpaySignature(reply.headers, reply.text, platformKeys)).toBe(true);
    const [entry] = reply.json.data;
    expect(entry.serial_no).toBe(h.sandbox.keys.platformSerial);
    expect(entry.encrypt_certificate).toMatchObject({ algorithm: "AEAD_AES_256_GCM", associated_data: "certificate" });
    const pem = decryptResource(entry.encrypt_certificate, h.sandbox.keys.v3Key);
    expect(new X509Certificate(pem).serialNumber).toBe(h.sandbox.keys.platformSerial);
    expect(() => decryptResource(entry.encrypt_certificate, "x".repeat(32))).toThrow();
  });

  it("signs with the WeChat Pay public key and its id once the merchant is in public-key mode", async () => {
    expect((await h.control("sign-mode", { sign_mode: "nonsense" })).status).toBe(400);
    expect((await h.control("sign-mode", { sign_mode: "public_key" })).json).toMatchObject({ ok: true, sign_mode: "public_key" });
    try {
      const reply = await prepay(newOrderNo());
      expect(reply.headers.get("Wechatpay-Serial")).toBe(h.sandbox.keys.wxpayPublicKeyId);
      expect(reply.headers.get("Wechatpay-Serial")).toMatch(/^PUB_KEY_ID_\d+$/);
      expect(
        verifyWechatpaySignature(reply.headers, reply.text, { [h.sandbox.keys.wxpayPublicKeyId]: createPublicKey(h.sandbox.keys.wxpayPublicKeyPem) }),
      ).toBe(true);
      expect(verifyWechatpaySignature(reply.headers, reply.text, { [h.sandbox.keys.wxpayPublicKeyId]: platformKeys[h.sandbox.keys.platformSerial] })).toBe(
        false,
      );
    } finally {
      await h.control("sign-mode", { sign_mode: "certificate" });
    }
  });

  it("answers unknown v3 paths with 404 and other methods with 405", async () => {
    expect((await h.api("GET", "/v3/pay/nothing")).status).toBe(404);
    expect((await h.api("GET", "/v3/pay/transactions/jsapi")).status).toBe(405);
  });
});
