import { NetworkError, ProviderRejectedError, SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import { createWxpayProvider } from "../../common/vk-uni-pay/src/providers/wxpay";
import { authorizationVerifies, FakeWechat, issuePlatformCertificate, MCH_ID, APP_ID, memoryDatabase, merchantConfig, NOW, type Identity } from "./fake-wechat";

const TRANSACTION = {
  appid: APP_ID,
  mchid: MCH_ID,
  out_trade_no: "T1",
  transaction_id: "4200000000202601150000000001",
  trade_type: "JSAPI",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  success_time: "2026-01-15T12:01:02+08:00",
  payer: { openid: "o1" },
  amount: { total: 1234, payer_total: 1234, currency: "CNY", payer_currency: "CNY" },
};

const REFUND = {
  refund_id: "50000000382019052709732678859",
  out_refund_no: "R1",
  transaction_id: "4200000000202601150000000001",
  out_trade_no: "T1",
  status: "PROCESSING",
  create_time: "2026-01-15T12:10:00+08:00",
  amount: { total: 1234, refund: 500, payer_total: 1234, payer_refund: 500, currency: "CNY" },
};

describe("wxpay queries, close and refunds (API v3), and what is refused in answers", () => {
  let platform: Identity;
  let intruder: Identity;
  let wechat: FakeWechat;
  let database: ReturnType<typeof memoryDatabase>;
  let provider: ReturnType<typeof createWxpayProvider>;
  const target = { mode: "mp-weixin", config: merchantConfig(), outTradeNo: "T1" };

  beforeAll(async () => {
    platform = await issuePlatformCertificate("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
    intruder = await issuePlatformCertificate("7A2B9C0D1E2F30415263748596A7B8C9D0E1F203");
  });
  beforeEach(() => {
    wechat = new FakeWechat(platform);
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ body: TRANSACTION }));
    wechat.on("POST /v3/pay/transactions/out-trade-no/T1/close", () => ({ status: 204 }));
    wechat.on("POST /v3/refund/domestic/refunds", () => ({ body: REFUND }));
    wechat.on("GET /v3/refund/domestic/refunds/R1", () => ({ body: { ...REFUND, status: "SUCCESS", success_time: "2026-01-15T12:11:00+08:00" } }));
    database = memoryDatabase();
    provider = createWxpayProvider({ database: () => database.db, log: () => undefined });
  });
  afterEach(() => database.close());

  it("queries by out_trade_no with mchid in the signed query, and maps the transaction", async () => {
    const status = await provider.queryPayment(target, wechat.runtime);
    const [call] = wechat.calls("GET /v3/pay/transactions/out-trade-no/T1");
    expect(call!.url).toBe(`https://wechat.test/prefix/v3/pay/transactions/out-trade-no/T1?mchid=${MCH_ID}`);
    expect(call!.content).toBe("");
    expect(call!.headers["content-type"]).toBeUndefined();
    expect(authorizationVerifies(call!, `/v3/pay/transactions/out-trade-no/T1?mchid=${MCH_ID}`)).toBe(true);
    expect(status).toEqual({
      state: "SUCCESS",
      outTradeNo: "T1",
      transactionId: TRANSACTION.transaction_id,
      totalFee: 1234,
      paidAt: Date.UTC(2026, 0, 15, 4, 1, 2),
      mchId: MCH_ID,
      appId: APP_ID,
      raw: TRANSACTION,
    });
  });

  it("maps unknown trade states to NOTPAY and ORDER_NOT_EXIST (404) to NOTPAY", async () => {
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({
      body: { ...TRANSACTION, trade_state: "SOMETHING_NEW", transaction_id: undefined, success_time: undefined },
    }));
    expect((await provider.queryPayment(target, wechat.runtime)).state).toBe("NOTPAY");
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ status: 404, body: { code: "ORDER_NOT_EXIST", message: "订单不存在" } }));
    expect(await provider.queryPayment(target, wechat.runtime)).toMatchObject({ state: "NOTPAY", outTradeNo: "T1" });
  });

  it("refuses a verified answer about another order", async () => {
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ body: { ...TRANSACTION, out_trade_no: "T2" } }));
    await expect(provider.queryPayment(target, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
  });

  it("closes with {mchid} and accepts the signed 204", async () => {
    await expect(provider.closePayment(target, wechat.runtime)).resolves.toBeUndefined();
    const [call] = wechat.calls("POST /v3/pay/transactions/out-trade-no/T1/close");
    expect(JSON.parse(call!.content)).toEqual({ mchid: MCH_ID });
    expect(authorizationVerifies(call!, "/v3/pay/transactions/out-trade-no/T1/close")).toBe(true);
  });

  it("closing an order WeChat has already closed (400 ORDER_CLOSED) succeeds; a paid order (ORDERPAID) still fails", async () => {
    wechat.on("POST /v3/pay/transactions/out-trade-no/T1/close", () => ({ status: 400, body: { code: "ORDER_CLOSED", message: "订单已关闭" } }));
    await expect(provider.closePayment(target, wechat.runtime)).resolves.toBeUndefined();
    // An order WeChat never received: 404 or 204, the documentation does not settle which; both are closed.
    wechat.on("POST /v3/pay/transactions/out-trade-no/T1/close", () => ({ status: 404, body: { code: "ORDER_NOT_EXIST", message: "订单不存在" } }));
    await expect(provider.closePayment(target, wechat.runtime)).resolves.toBeUndefined();
    wechat.on("POST /v3/pay/transactions/out-trade-no/T1/close", () => ({ status: 204 }));
    await expect(provider.closePayment(target, wechat.runtime)).resolves.toBeUndefined();
    wechat.on("POST /v3/pay/transactions/out-trade-no/T1/close", () => ({ status: 400, body: { code: "ORDERPAID", message: "订单已支付" } }));
    await expect(provider.closePayment(target, wechat.runtime)).rejects.toMatchObject({ providerCode: "ORDERPAID" });
  });

  it("merges refund({ other }) such as funds_account under the fields the core decides", async () => {
    await provider.refund(
      {
        mode: "mp-weixin",
        config: merchantConfig(),
        outTradeNo: "T1",
        outRefundNo: "R1",
        totalFee: 1234,
        refundFee: 500,
        notifyUrl: "https://n.example/r",
        other: { funds_account: "AVAILABLE", out_refund_no: "X", amount: { refund: 1 } },
      },
      wechat.runtime,
    );
    const [call] = wechat.calls("POST /v3/refund/domestic/refunds");
    expect(JSON.parse(call!.content)).toMatchObject({ funds_account: "AVAILABLE", out_refund_no: "R1", amount: { refund: 500, total: 1234, currency: "CNY" } });
  });

  it("refunds with the documented body and maps the answer; queries a refund by out_refund_no", async () => {
    const refund = await provider.refund(
      {
        mode: "mp-weixin",
        config: merchantConfig(),
        outTradeNo: "T1",
        outRefundNo: "R1",
        totalFee: 1234,
        refundFee: 500,
        reason: "退货",
        notifyUrl: "https://n.example/r",
      },
      wechat.runtime,
    );
    const [call] = wechat.calls("POST /v3/refund/domestic/refunds");
    expect(JSON.parse(call!.content)).toEqual({
      out_trade_no: "T1",
      out_refund_no: "R1",
      reason: "退货",
      notify_url: "https://n.example/r",
      amount: { refund: 500, total: 1234, currency: "CNY" },
    });
    expect(authorizationVerifies(call!, "/v3/refund/domestic/refunds")).toBe(true);
    expect(refund).toMatchObject({ state: "PROCESSING", outTradeNo: "T1", outRefundNo: "R1", refundId: REFUND.refund_id, refundFee: 500 });

    const queried = await provider.queryRefund({ ...target, outRefundNo: "R1" }, wechat.runtime);
    expect(authorizationVerifies(wechat.calls("GET /v3/refund/domestic/refunds/R1")[0]!, "/v3/refund/domestic/refunds/R1")).toBe(true);
    expect(queried).toMatchObject({ state: "SUCCESS", refundFee: 500, settledAt: Date.UTC(2026, 0, 15, 4, 11, 0) });
  });

  it("maps WeChat error bodies to ProviderRejectedError with WeChat's code and message", async () => {
    wechat.on("POST /v3/refund/domestic/refunds", () => ({ status: 403, body: { code: "NOT_ENOUGH", message: "基本账户余额不足" } }));
    const failure = provider.refund(
      { mode: "mp-weixin", config: merchantConfig(), outTradeNo: "T1", outRefundNo: "R1", totalFee: 1234, refundFee: 500, notifyUrl: "https://n.example/r" },
      wechat.runtime,
    );
    await expect(failure).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(failure).rejects.toMatchObject({ providerCode: "NOT_ENOUGH", providerMessage: "基本账户余额不足", code: 3001 });

    // WeChat's own error answers may be unsigned (e.g. SIGN_ERROR); they are read for the code only.
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ status: 401, body: { code: "SIGN_ERROR", message: "签名错误" }, signer: null }));
    await expect(provider.queryPayment(target, wechat.runtime)).rejects.toMatchObject({ providerCode: "SIGN_ERROR" });
  });

  it.each([
    ["a 500 with SYSTEM_ERROR", { status: 500, body: { code: "SYSTEM_ERROR", message: "系统错误" } }],
    ["a 429", { status: 429, body: { code: "FREQUENCY_LIMITED", message: "频率超限" } }],
    ["a 502 gateway page", { status: 502, body: "<html>Bad Gateway</html>", signer: null }],
    ["a timeout", { fail: true }],
    ["a signed 200 that is not JSON", { body: "<html>ok</html>" }],
  ])("turns %s into a retryable NetworkError", async (_label, answer) => {
    wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => answer);
    await expect(provider.queryPayment(target, wechat.runtime)).rejects.toBeInstanceOf(NetworkError);
  });

  describe("response signatures", () => {
    const refused = async (answer: Parameters<FakeWechat["on"]>[1], reason: string) => {
      wechat.on("GET /v3/pay/transactions/out-trade-no/T1", answer);
      const failure = provider.queryPayment(target, wechat.runtime);
      await expect(failure).rejects.toBeInstanceOf(SignatureError);
      await expect(failure).rejects.toMatchObject({ errCode: `vk-pay-${reason}` });
    };

    it("refuses a success answer signed by a key that is not the listed certificate's (forged)", async () => {
      await provider.queryPayment(target, wechat.runtime); // the certificate is known now
      await refused(() => ({ body: TRANSACTION, signer: { serial: platform.serial, privateKey: intruder.privateKey } }), "wxpay-v3-signature-invalid");
    });

    it("refuses a success answer whose bytes changed after signing", async () => {
      await refused(() => ({ body: TRANSACTION, tamper: (body) => body.replace('"total":1234', '"total":1') }), "wxpay-v3-signature-invalid");
    });

    it("refuses an unsigned success answer", async () => {
      await refused(() => ({ body: TRANSACTION, signer: null }), "wxpay-v3-signature-invalid");
    });

    it("refuses a stale answer (more than five minutes off) without fetching certificates", async () => {
      await refused(() => ({ body: TRANSACTION, timestamp: String(Math.floor(NOW / 1000) - 301) }), "wxpay-v3-timestamp-out-of-window");
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(0);
    });

    it("refuses a WeChat probe signature", async () => {
      wechat.on("GET /v3/pay/transactions/out-trade-no/T1", () => ({ body: TRANSACTION }));
      const real = wechat.runtime.request;
      const runtime = {
        now: wechat.runtime.now,
        request: async (url: string, options: Record<string, unknown>) => {
          const response = await real(url, options);
          if (url.includes("out-trade-no")) response.headers["wechatpay-signature"] = "WECHATPAY/SIGNTEST/abc";
          return response;
        },
      };
      await expect(provider.queryPayment(target, runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-v3-signature-probe" });
    });

    it("refreshes once for an unknown serial, then fails clearly when it is still unknown", async () => {
      await provider.queryPayment(target, wechat.runtime);
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(1);
      wechat.now += 61_000;
      await refused(() => ({ body: TRANSACTION, signer: intruder }), "wxpay-v3-unknown-serial");
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
      // A burst of unknown serials does not become a burst of certificate downloads.
      await refused(() => ({ body: TRANSACTION, signer: intruder }), "wxpay-v3-unknown-serial");
      expect(wechat.calls("GET /v3/certificates")).toHaveLength(2);
    });

    it("refuses a signed error answer whose signature does not verify", async () => {
      await refused(
        () => ({ status: 404, body: { code: "ORDER_NOT_EXIST", message: "订单不存在" }, tamper: (body) => body.replace("ORDER", "XORDER") }),
        "wxpay-v3-signature-invalid",
      );
    });
  });
});
