/**
 * API v2 notifications: payment results as signed XML (verified with wechatpay-axios-plugin's Hash),
 * retried until the merchant answers `<return_code>SUCCESS</return_code>`; refund results with `req_info`
 * (decrypted with the plugin's AES-256-ECB helper and the MD5 of the key).
 */
import { createHash } from "node:crypto";
import { Aes } from "wechatpay-axios-plugin";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callV2, fromXml, postXmlTls, responseVerifies, signRequest, startV2Receiver, toXml, type V2Identity, type V2Receiver } from "./helpers/wxpay-v2";

describe("WeChat Pay v2 sandbox: notifications", () => {
  let h: Harness;
  let me: V2Identity;
  let receiver: V2Receiver;
  beforeAll(async () => {
    h = await startHarness({ httpsPort: 0 });
    me = { appid: h.sandbox.keys.appId, mch_id: h.sandbox.keys.mchId, key: h.sandbox.keys.key };
    receiver = await startV2Receiver();
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(() => receiver.received.splice(0));

  async function placed(signType: "MD5" | "HMAC-SHA256" = "MD5", total = 1000): Promise<string> {
    const no = newOrderNo();
    const reply = await callV2(
      h.base,
      me,
      "/pay/unifiedorder",
      {
        body: "商品",
        out_trade_no: no,
        total_fee: total,
        spbill_create_ip: "127.0.0.1",
        notify_url: receiver.url,
        trade_type: "NATIVE",
        product_id: "P1",
        attach: "x",
      },
      signType,
    );
    expect(reply.xml.result_code).toBe("SUCCESS");
    return no;
  }

  it.each(["MD5", "HMAC-SHA256"] as const)("a paid v2 order sends XML signed with the order's sign type (%s)", async (signType) => {
    const no = await placed(signType);
    const paid = await h.control("pay", { out_trade_no: no });
    const [body] = await receiver.waitFor(1);
    const xml = fromXml(body);
    expect(xml).toMatchObject({
      return_code: "SUCCESS",
      result_code: "SUCCESS",
      appid: me.appid,
      mch_id: me.mch_id,
      out_trade_no: no,
      transaction_id: paid.json.transaction_id,
      total_fee: "1000",
      cash_fee: "1000",
      trade_type: "NATIVE",
      attach: "x",
      bank_type: "OTHERS",
    });
    expect(xml.sign).toHaveLength(signType === "MD5" ? 32 : 64);
    expect(responseVerifies(xml, me.key)).toBe(true);
    expect(responseVerifies({ ...xml, total_fee: "1" }, me.key)).toBe(false);
    expect(responseVerifies(xml, h.sandbox.keys.partner.key)).toBe(false);
    await h.sandbox.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it("retries while the merchant answers anything but return_code SUCCESS, then redelivers on demand", async () => {
    const no = await placed();
    receiver.answerNext("<xml><return_code>FAIL</return_code></xml>", "not xml");
    await h.control("pay", { out_trade_no: no });
    await receiver.waitFor(3);
    await h.sandbox.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received).size).toBe(1);
    expect((await h.control("redeliver", { out_trade_no: no })).json).toMatchObject({ ok: true, notification: "queued" });
    await receiver.waitFor(4);
    expect(receiver.received[3]).toBe(receiver.received[0]);
  });

  it("drop loses the next notification", async () => {
    const no = await placed();
    await h.control("drop", { count: 1 });
    expect((await h.control("pay", { out_trade_no: no })).json.notification).toBe("dropped");
    await h.sandbox.idle();
    expect(receiver.received).toHaveLength(0);
  });

  it("a v2 refund notifies with req_info that the plugin's AES-ECB helper decrypts with MD5(key)", async () => {
    const no = await placed();
    await h.control("pay", { out_trade_no: no });
    await receiver.waitFor(1);
    receiver.received.splice(0);
    const { keys } = h.sandbox;
    const refundXml = toXml(signRequest(me, { out_trade_no: no, out_refund_no: `R${no}`, total_fee: 1000, refund_fee: 250, notify_url: receiver.url }));
    const refund = await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/refund`, refundXml, {
      cert: keys.merchantCertPem,
      key: keys.merchantPrivateKeyPem,
      ca: keys.caCertPem,
    });
    expect(refund.xml.result_code).toBe("SUCCESS");
    expect((await h.control("refund-result", { out_refund_no: `R${no}`, status: "SUCCESS" })).json).toMatchObject({ ok: true, notification: "queued" });
    const [body] = await receiver.waitFor(1);
    const outer = fromXml(body);
    expect(outer).toMatchObject({ return_code: "SUCCESS", appid: me.appid, mch_id: me.mch_id });
    expect(outer.sign).toBeUndefined();
    const aesKey = createHash("md5").update(me.key).digest("hex");
    const inner = fromXml(Aes.AesEcb.decrypt(outer.req_info, aesKey).replace(/^<root>|<\/root>$/g, (tag) => (tag === "<root>" ? "<xml>" : "</xml>")));
    expect(inner).toMatchObject({
      out_trade_no: no,
      out_refund_no: `R${no}`,
      refund_id: refund.xml.refund_id,
      refund_fee: "250",
      total_fee: "1000",
      refund_status: "SUCCESS",
      refund_recv_accout: "支付用户零钱",
      refund_request_source: "API",
    });
    expect(inner.success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Another key does not decrypt it: its authenticity is the encryption.
    let wrong = "";
    try {
      wrong = Aes.AesEcb.decrypt(outer.req_info, createHash("md5").update(keys.partner.key).digest("hex"));
    } catch {
      // The plugin's unpadding is lenient: a wrong key may throw or give garbage.
    }
    expect(wrong).not.toContain(no);
  });

  it("a refund settled CLOSED says REFUNDCLOSE in req_info", async () => {
    const no = await placed();
    await h.control("pay", { out_trade_no: no });
    await receiver.waitFor(1);
    receiver.received.splice(0);
    const { keys } = h.sandbox;
    const refundXml = toXml(signRequest(me, { out_trade_no: no, out_refund_no: `R${no}`, total_fee: 1000, refund_fee: 1000 }));
    await postXmlTls(`${h.sandbox.secapiBaseUrl}/secapi/pay/refund`, refundXml, {
      cert: keys.merchantCertPem,
      key: keys.merchantPrivateKeyPem,
      ca: keys.caCertPem,
    });
    await h.control("refund-result", { out_refund_no: `R${no}`, status: "CLOSED" });
    // No refund notify_url: the order's notify_url receives it.
    const [body] = await receiver.waitFor(1);
    const plain = Aes.AesEcb.decrypt(fromXml(body).req_info, createHash("md5").update(me.key).digest("hex"));
    expect(plain).toMatch(/^<root>/);
    expect(plain).toContain("<refund_status><![CDATA[REFUNDCLOSE]]></refund_status>");
    expect(plain).not.toContain("success_time");
  });
});
