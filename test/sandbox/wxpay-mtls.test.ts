/**
 * `/secapi` over mutual TLS: node's https as the merchant, presenting (or not) a client certificate.
 * The sandbox must refuse no certificate, a self-signed one, and another merchant's, and serve the right
 * one, given as the PEM pair or as the generated .p12.
 */
import "reflect-metadata";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { generateRsaKeyPair, issueCertificate, loadOrCreateTestCa } from "../../scripts/sandbox/pki/test-ca";
import { webcrypto } from "node:crypto";
import { newOrderNo, startHarness, type Harness } from "./helpers/wxpay-harness";
import { callV2, postXmlTls, responseVerifies, signRequest, toXml, type ClientTls, type V2Identity } from "./helpers/wxpay-v2";

async function selfSignedFor(mchid: string): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
    true,
    ["sign", "verify"],
  )) as webcrypto.CryptoKeyPair;
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${mchid}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return { cert: cert.toString("pem"), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n` };
}

describe("WeChat Pay v2 sandbox: /secapi over mutual TLS", () => {
  let h: Harness;
  let me: V2Identity;
  let secapi: string;
  let ca: string;
  let own: ClientTls;
  beforeAll(async () => {
    h = await startHarness({ httpsPort: 0 });
    const { keys } = h.sandbox;
    me = { appid: keys.appId, mch_id: keys.mchId, key: keys.key };
    secapi = h.sandbox.secapiBaseUrl!;
    ca = keys.caCertPem;
    own = { cert: keys.merchantCertPem, key: keys.merchantPrivateKeyPem, ca };
  });
  afterAll(() => h.close());

  async function paidV2Order(total = 1000): Promise<string> {
    const no = newOrderNo();
    const placed = await callV2(h.base, me, "/pay/unifiedorder", {
      body: "商品",
      out_trade_no: no,
      total_fee: total,
      spbill_create_ip: "127.0.0.1",
      notify_url: "http://127.0.0.1:9/n",
      trade_type: "APP",
    });
    expect(placed.xml.result_code).toBe("SUCCESS");
    await h.control("pay", { out_trade_no: no });
    return no;
  }

  const refundBody = (no: string, outRefundNo: string, refund = 100, identity = me) =>
    toXml(signRequest(identity, { out_trade_no: no, out_refund_no: outRefundNo, total_fee: 1000, refund_fee: refund }));

  it("serves HTTPS with a server certificate from the sandbox root for 127.0.0.1", async () => {
    expect(secapi).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/__sandbox\/wxpay$/);
    // Without the sandbox root the server is not trusted: the library must be given secapiCaContent.
    await expect(postXmlTls(`${secapi}/secapi/pay/refund`, "<xml/>", { cert: own.cert, key: own.key })).rejects.toThrow(/certificate/i);
    const merchantCert = new X509Certificate(h.sandbox.keys.merchantCertPem);
    expect(merchantCert.subject).toContain(`CN=${me.mch_id}`);
    expect(merchantCert.checkIssued(new X509Certificate(ca))).toBe(true);
  });

  it("refuses a refund without a client certificate", async () => {
    const no = await paidV2Order();
    const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`), { ca });
    expect(reply.xml).toEqual({ return_code: "FAIL", return_msg: "请求未携带商户API证书" });
    expect(h.sandbox.state.refundsOf(me.mch_id, no)).toHaveLength(0);
  });

  it("refuses a self-signed certificate naming the merchant", async () => {
    const no = await paidV2Order();
    const forged = await selfSignedFor(me.mch_id);
    const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`), { ...forged, ca });
    expect(reply.xml.return_code).toBe("FAIL");
    expect(reply.xml.return_msg).toMatch(/^商户API证书校验失败/);
    expect(h.sandbox.state.refundsOf(me.mch_id, no)).toHaveLength(0);
  });

  it("refuses a certificate naming the merchant from another CA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vk-pay-foreign-ca-"));
    try {
      const foreignCa = await loadOrCreateTestCa(dir);
      const pair = await generateRsaKeyPair();
      const cert = await issueCertificate(foreignCa, {
        subject: `CN=${me.mch_id}`,
        serial: "7A01",
        publicKeyPem: pair.publicKeyPem,
        notBefore: new Date(Date.now() - 3600_000),
        notAfter: new Date(Date.now() + 3600_000),
      });
      const no = await paidV2Order();
      const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`), { cert, key: pair.privateKeyPem, ca });
      expect(reply.xml.return_code).toBe("FAIL");
      expect(reply.xml.return_msg).toMatch(/^商户API证书校验失败/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses another merchant's genuine certificate", async () => {
    const no = await paidV2Order();
    const { partner } = h.sandbox.keys;
    const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`), {
      cert: partner.merchantCertPem,
      key: partner.merchantPrivateKeyPem,
      ca,
    });
    expect(reply.xml).toEqual({ return_code: "FAIL", return_msg: "商户API证书与商户号mch_id不匹配" });
  });

  it("refunds with the merchant's PEM certificate, answer signed; a bad sign is still refused over TLS", async () => {
    const no = await paidV2Order();
    const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`, 300), own);
    expect(reply.xml).toMatchObject({
      return_code: "SUCCESS",
      result_code: "SUCCESS",
      out_trade_no: no,
      out_refund_no: `R${no}`,
      refund_fee: "300",
      total_fee: "1000",
      cash_refund_fee: "300",
    });
    expect(reply.xml.refund_id).toMatch(/^\d{20,}$/);
    expect(responseVerifies(reply.xml, me.key)).toBe(true);
    const again = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`, 300), own);
    expect(again.xml.refund_id).toBe(reply.xml.refund_id);
    const tooMuch = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R2${no}`, 800), own);
    expect(tooMuch.xml).toMatchObject({ result_code: "FAIL", err_code: "PARAM_ERROR" });
    const unknown = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody("NOPE12345678", `R3${no}`), own);
    expect(unknown.xml).toMatchObject({ result_code: "FAIL", err_code: "ORDERNOTEXIST" });
    const tampered = refundBody(no, `R4${no}`).replace("<refund_fee>100</refund_fee>", "<refund_fee>200</refund_fee>");
    expect((await postXmlTls(`${secapi}/secapi/pay/refund`, tampered, own)).xml).toEqual({ return_code: "FAIL", return_msg: "签名错误" });
  });

  it("refunds with the generated .p12 (password = mch_id)", async () => {
    const no = await paidV2Order();
    const pfx = readFileSync(h.sandbox.keys.pfxPath);
    const reply = await postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R${no}`), { pfx, passphrase: me.mch_id, ca });
    expect(reply.xml).toMatchObject({ return_code: "SUCCESS", result_code: "SUCCESS" });
    await expect(postXmlTls(`${secapi}/secapi/pay/refund`, refundBody(no, `R2${no}`), { pfx, passphrase: "wrong", ca })).rejects.toThrow();
  });

  it("serves the other v2 paths over HTTPS too, with no certificate needed", async () => {
    const no = await paidV2Order();
    const reply = await postXmlTls(`${secapi}/pay/orderquery`, toXml(signRequest(me, { out_trade_no: no })), { ca });
    expect(reply.xml).toMatchObject({ result_code: "SUCCESS", trade_state: "SUCCESS" });
  });
});
