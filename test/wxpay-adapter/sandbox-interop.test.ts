import type { ProviderRuntime, RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { wxpaySandboxConfig } from "../../scripts/sandbox/pki";
import { newOrderNo, startHarness, type Harness } from "../sandbox/helpers/wxpay-harness";
import { memoryDatabase } from "./fake-wechat";

/**
 * The adapter against the repository's WeChat Pay sandbox over real HTTP: the sandbox checks our
 * Authorization headers as WeChat would, and we check its signatures and notifications as we would
 * WeChat's. Both signing modes of the sandbox are exercised.
 */

/** urllib-style options over fetch, as uniCloud.httpclient would carry them. */
const httpRuntime: ProviderRuntime = {
  now: () => Date.now(),
  async request(url, options) {
    const response = await fetch(url, {
      method: String(options.method),
      headers: options.headers as Record<string, string>,
      body: typeof options.content === "string" ? options.content : undefined,
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { status: response.status, headers, data: Buffer.from(await response.arrayBuffer()) };
  },
};

const toRaw = (received: { path: string; headers: Record<string, unknown>; body: string }): RawNotification => ({
  method: "POST",
  path: received.path,
  headers: Object.fromEntries(Object.entries(received.headers).filter((entry): entry is [string, string] => typeof entry[1] === "string")),
  body: Buffer.from(received.body, "utf8"),
});

describe.each(["certificate", "public_key"] as const)("wxpay adapter against the WeChat Pay sandbox (%s signing)", (signMode) => {
  let harness: Harness;
  let database: ReturnType<typeof memoryDatabase>;
  let config: Record<string, unknown>;

  beforeAll(async () => {
    harness = await startHarness({ signMode });
    config = Object.freeze(wxpaySandboxConfig(harness.sandbox.keys, harness.base));
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => {
    database = memoryDatabase();
  });
  afterEach(() => database.close());

  it("creates, is notified, queries, refunds and queries the refund", async () => {
    const provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
    const outTradeNo = newOrderNo("I");
    const created = await provider.createPayment(
      {
        mode: "mp-weixin",
        config,
        outTradeNo,
        totalFee: 1000,
        subject: "沙箱互通",
        notifyUrl: `${harness.receiver.url}/http/vk-pay/vk-pay-notify/wxpay_mp-weixin/${outTradeNo}`,
        clientIp: "127.0.0.1",
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        other: { attach: "interop" },
      },
      httpRuntime,
    );
    expect(created.orderInfo).toMatchObject({ signType: "RSA", package: expect.stringMatching(/^prepay_id=/) });
    expect((await provider.queryPayment({ mode: "mp-weixin", config, outTradeNo }, httpRuntime)).state).toBe("NOTPAY");

    const before = harness.receiver.received.length;
    expect((await harness.control("pay", { out_trade_no: outTradeNo })).status).toBe(200);
    const [delivered] = (await harness.receiver.waitFor(before + 1)).slice(before);
    const event = await provider.verifyNotify(toRaw(delivered!), config, httpRuntime);
    expect(event).toMatchObject({ kind: "payment", state: "SUCCESS", outTradeNo, totalFee: 1000, mchId: harness.sandbox.keys.mchId });

    expect(await provider.queryPayment({ mode: "mp-weixin", config, outTradeNo }, httpRuntime)).toMatchObject({ state: "SUCCESS", totalFee: 1000 });
    const refund = await provider.refund(
      {
        mode: "mp-weixin",
        config,
        outTradeNo,
        outRefundNo: `${outTradeNo}R`,
        totalFee: 1000,
        refundFee: 300,
        reason: "互通退款",
        notifyUrl: `${harness.receiver.url}/refund`,
      },
      httpRuntime,
    );
    expect(refund).toMatchObject({ outRefundNo: `${outTradeNo}R`, refundFee: 300 });
    expect(await provider.queryRefund({ mode: "mp-weixin", config, outTradeNo, outRefundNo: `${outTradeNo}R` }, httpRuntime)).toMatchObject({ refundFee: 300 });

    const other = newOrderNo("C");
    await provider.createPayment(
      { mode: "h5", config, outTradeNo: other, totalFee: 1, subject: "关单", notifyUrl: `${harness.receiver.url}/x`, clientIp: "127.0.0.1" },
      httpRuntime,
    );
    await expect(provider.closePayment({ mode: "h5", config, outTradeNo: other }, httpRuntime)).resolves.toBeUndefined();
    expect((await provider.queryPayment({ mode: "h5", config, outTradeNo: other }, httpRuntime)).state).toBe("CLOSED");

    // Certificate mode downloaded and stored the sandbox's platform certificate; public-key mode needed none.
    const stored = (await database.db.collection("vk-pay-wxpay-certs").limit(10).get()).data;
    expect(stored.map((doc) => doc.serial_no)).toEqual(signMode === "certificate" ? [harness.sandbox.keys.platformSerial.toUpperCase()] : []);
  });

  it("asks the sandbox to pay out an ABNORMAL refund to a bank card, the card and name encrypted for the key Wechatpay-Serial names", async () => {
    // Certificate mode encrypts for the downloaded platform certificate; public-key mode for the WeChat Pay public key.
    const merchantConfig = signMode === "certificate" ? { ...config, wxpayPublicKeyPath: undefined, wxpayPublicKeyId: undefined } : config;
    const provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
    const outTradeNo = newOrderNo("A");
    const target = { mode: "h5", config: merchantConfig, outTradeNo };
    await provider.createPayment({ ...target, totalFee: 500, subject: "异常退款", notifyUrl: `${harness.receiver.url}/x`, clientIp: "127.0.0.1" }, httpRuntime);
    await harness.control("pay", { out_trade_no: outTradeNo });
    const refund = await provider.refund(
      { ...target, outRefundNo: `${outTradeNo}R`, totalFee: 500, refundFee: 500, notifyUrl: `${harness.receiver.url}/refund` },
      httpRuntime,
    );
    await harness.control("refund-result", { out_refund_no: `${outTradeNo}R`, status: "ABNORMAL" });
    const route = { type: "USER_BANK_CARD" as const, bankType: "CMB_DEBIT", bankAccount: "6225880112345678", realName: "李四" };
    const answer = await provider.applyAbnormalRefund!({ ...target, outRefundNo: `${outTradeNo}R`, refundId: refund.refundId!, route }, httpRuntime);
    expect(answer).toMatchObject({ state: "PROCESSING", outRefundNo: `${outTradeNo}R` });
    const seen = (await harness.control("refund-requests", { out_trade_no: outTradeNo })).json as { refunds: Array<Record<string, unknown>> };
    expect(seen.refunds[0]).toMatchObject({ abnormal_apply: { type: "USER_BANK_CARD", bank_type: "CMB_DEBIT", bank_account_tail: "5678", real_name: "李四" } });
    // A second apply finds it PROCESSING: WeChat refuses, and so does the sandbox.
    await expect(
      provider.applyAbnormalRefund!(
        { ...target, outRefundNo: `${outTradeNo}R`, refundId: refund.refundId!, route: { type: "MERCHANT_BANK_CARD" } },
        httpRuntime,
      ),
    ).rejects.toMatchObject({ providerCode: "INVALID_REQUEST" });
  });
});
