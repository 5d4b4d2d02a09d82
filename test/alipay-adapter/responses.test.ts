import { generateKeyPairSync } from "node:crypto";
import { ConfigError, NetworkError, ProviderRejectedError, SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import {
  certModeConfig,
  FakeAlipay,
  generateKeys,
  issueCertificates,
  keyModeConfig,
  NOTIFY_URL,
  type AlipayCertificates,
  type AlipayKeys,
} from "./fake-alipay";

/** Every answer is verified before it is read: signature on the exact substring, and the certificate SN in certificate mode. */
describe("alipay response verification", () => {
  const provider = createAlipayProvider({ log: () => undefined });
  let keys: AlipayKeys;
  let certs: AlipayCertificates;
  const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const waiting = { code: "10000", msg: "Success", out_trade_no: "T1", trade_no: "2026011522001400001", trade_status: "WAIT_BUYER_PAY", total_amount: "12.34" };

  beforeAll(async () => {
    keys = generateKeys();
    certs = await issueCertificates(keys);
  });

  const query = (alipay: FakeAlipay, config = keyModeConfig(keys)) => provider.queryPayment({ mode: "h5", config, outTradeNo: "T1" }, alipay.runtime);
  const answering = (answer: Parameters<FakeAlipay["on"]>[1], fake = new FakeAlipay(keys)) => fake.on("alipay.trade.query", answer);

  it("accepts a genuine answer", async () => {
    expect(await query(answering(() => ({ body: waiting })))).toMatchObject({ state: "NOTPAY", outTradeNo: "T1", totalFee: 1234 });
  });

  it("verifies the exact text received, escapes included (re-serializing would change `\\/`)", async () => {
    const fake = new FakeAlipay(keys).on("alipay.trade.precreate", () => ({
      body: '{"code":"10000","msg":"Success","out_trade_no":"T1","qr_code":"https:\\/\\/qr.alipay.com\\/bax0"}',
    }));
    const result = await provider.createPayment(
      { mode: "h5", config: keyModeConfig(keys), outTradeNo: "T1", totalFee: 1, subject: "s", notifyUrl: NOTIFY_URL, clientIp: "1.1.1.1" },
      fake.runtime,
    );
    expect(result.codeUrl).toBe("https://qr.alipay.com/bax0");
  });

  it.each([
    ["signed by another key", { body: waiting, signer: stranger }, "vk-pay-alipay-signature-invalid"],
    ["tampered after signing", { body: waiting, tamper: (text: string) => text.replace("WAIT_BUYER_PAY", "TRADE_SUCCESS") }, "vk-pay-alipay-signature-invalid"],
    ["an unsigned success", { body: waiting, signer: "none" as const }, "vk-pay-alipay-signature-missing"],
  ])("refuses an answer %s", async (_label, answer, errCode) => {
    const error = await query(answering(() => answer)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(error).toMatchObject({ errCode });
  });

  describe("certificate mode", () => {
    const fake = () => FakeAlipay.forCertificates(keys, certs);

    it("accepts an answer under the configured Alipay certificate", async () => {
      expect(
        await query(
          answering(() => ({ body: waiting }), fake()),
          certModeConfig(keys, certs),
        ),
      ).toMatchObject({ state: "NOTPAY" });
    });

    it.each([
      [
        "another certificate SN (Alipay rotated it, or someone else signed)",
        { body: waiting, certSn: "0123456789abcdef0123456789abcdef" },
        "vk-pay-alipay-cert-sn-mismatch",
      ],
      ["no certificate SN", { body: waiting, certSn: null }, "vk-pay-alipay-cert-sn-missing"],
      ["the right SN but another key", { body: waiting, signer: stranger }, "vk-pay-alipay-signature-invalid"],
    ])("refuses %s", async (_label, answer, errCode) => {
      await expect(
        query(
          answering(() => answer, fake()),
          certModeConfig(keys, certs),
        ),
      ).rejects.toMatchObject({ kind: "signature", errCode });
    });
  });

  it("a signed refusal keeps Alipay's sub_code and sub_msg", async () => {
    const error = await query(
      answering(() => ({ body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.INVALID_PARAMETER", sub_msg: "参数无效" } })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ providerCode: "ACQ.INVALID_PARAMETER", providerMessage: "参数无效" });
  });

  it("an unsigned business failure (<method>_response, code != 10000) is Alipay's refusal with its sub_code (issue 10 item 10)", async () => {
    const refund = (fake: FakeAlipay) =>
      provider.refund(
        { mode: "h5", config: keyModeConfig(keys), outTradeNo: "T1", outRefundNo: "R1", totalFee: 100, refundFee: 100, notifyUrl: NOTIFY_URL },
        fake.runtime,
      );
    const fake = new FakeAlipay(keys).on("alipay.trade.refund", () => ({
      signer: "none",
      body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" },
    }));
    const error = await refund(fake).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).not.toBeInstanceOf(SignatureError);
    expect(error).toMatchObject({ providerCode: "ACQ.TRADE_NOT_EXIST", providerMessage: "交易不存在" });
    // Unsigned success stays a signature failure: nothing unsigned can make money move or an order paid.
    const success = new FakeAlipay(keys).on("alipay.trade.refund", () => ({
      signer: "none",
      body: { code: "10000", msg: "Success", out_trade_no: "T1", fund_change: "Y", refund_fee: "1.00" },
    }));
    await expect(refund(success)).rejects.toMatchObject({ errCode: "vk-pay-alipay-signature-missing" });
  });

  it("an unsigned gateway refusal is a configuration problem named by Alipay's code, never a business refusal", async () => {
    const error = await query(
      answering(() => ({
        errorResponse: true,
        signer: "none",
        body: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-app-id", sub_msg: "无效的AppID参数" },
      })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ errCode: "vk-pay-alipay-gateway-refused", message: expect.stringContaining("isv.invalid-app-id") });
  });

  it("a request the gateway cannot verify (wrong app key) comes back as a configuration problem", async () => {
    const wrongKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const fake = answering(() => ({ body: waiting }));
    const error = await query(fake, keyModeConfig(keys, { privateKey: wrongKey })).catch((e: unknown) => e);
    expect(fake.requests[0]!.signatureValid).toBe(false);
    expect(error).toMatchObject({ errCode: "vk-pay-alipay-gateway-refused", message: expect.stringContaining("isv.invalid-signature") });
    expect((error as Error).message).not.toContain(wrongKey.slice(40, 80));
  });

  it.each([
    ["an HTTP 502", { body: waiting, status: 502 }],
    ["a timeout", { fail: true }],
    ["text that is not JSON", { body: waiting, tamper: () => "<html>bad gateway</html>" }],
  ])("%s is a retryable network failure", async (_label, answer) => {
    await expect(query(answering(() => answer))).rejects.toBeInstanceOf(NetworkError);
  });

  it("a verified answer about another order is not used", async () => {
    await expect(query(answering(() => ({ body: { ...waiting, out_trade_no: "T2" } })))).rejects.toBeInstanceOf(NetworkError);
  });
});
