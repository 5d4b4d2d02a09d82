import { NetworkError, ProviderRejectedError, RefundNotFoundError } from "../../common/vk-uni-pay/src/core/errors";
import { createAlipayProvider } from "../../common/vk-uni-pay/src/providers/alipay";
import { FakeAlipay, generateKeys, keyModeConfig, NOTIFY_URL, type AlipayKeys } from "./fake-alipay";

describe("alipay query, close, refund and refund query", () => {
  const provider = createAlipayProvider();
  let keys: AlipayKeys;
  let alipay: FakeAlipay;

  beforeAll(() => {
    keys = generateKeys();
  });
  beforeEach(() => {
    alipay = new FakeAlipay(keys);
  });

  const target = () => ({ mode: "h5", config: keyModeConfig(keys), outTradeNo: "T1" });
  const trade = (fields: Record<string, unknown>) => ({
    code: "10000",
    msg: "Success",
    out_trade_no: "T1",
    trade_no: "2026011522001400001",
    total_amount: "12.34",
    ...fields,
  });

  describe("queryPayment (alipay.trade.query)", () => {
    it.each([
      ["WAIT_BUYER_PAY", "NOTPAY"],
      ["TRADE_SUCCESS", "SUCCESS"],
      ["TRADE_FINISHED", "SUCCESS"],
      ["TRADE_CLOSED", "CLOSED"],
      ["SOMETHING_NEW", "NOTPAY"],
    ])("%s → %s", async (tradeStatus, state) => {
      alipay.on("alipay.trade.query", () => ({ body: trade({ trade_status: tradeStatus, send_pay_date: "2026-01-15 12:00:05" }) }));
      const status = await provider.queryPayment(target(), alipay.runtime);
      expect(status).toMatchObject({ state, outTradeNo: "T1", transactionId: "2026011522001400001", totalFee: 1234 });
      // send_pay_date is Beijing time; a paid status carries it as ms.
      if (state === "SUCCESS") expect(status.paidAt).toBe(Date.UTC(2026, 0, 15, 4, 0, 5));
      const call = alipay.only("alipay.trade.query");
      expect(call.signatureValid).toBe(true);
      expect(call.biz).toEqual({ out_trade_no: "T1" });
    });

    it("ACQ.TRADE_NOT_EXIST is an unpaid order, not a failure", async () => {
      alipay.on("alipay.trade.query", () => ({ body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" } }));
      expect(await provider.queryPayment(target(), alipay.runtime)).toMatchObject({ state: "NOTPAY", outTradeNo: "T1" });
    });

    it("amounts convert exactly (0.07 yuan is 7 fen, not 7.000000000000001)", async () => {
      alipay.on("alipay.trade.query", () => ({ body: trade({ trade_status: "TRADE_SUCCESS", total_amount: "0.07" }) }));
      expect((await provider.queryPayment(target(), alipay.runtime)).totalFee).toBe(7);
    });

    it("a paid trade without a readable amount is not taken as paid", async () => {
      alipay.on("alipay.trade.query", () => ({ body: trade({ trade_status: "TRADE_SUCCESS", total_amount: "12.345" }) }));
      await expect(provider.queryPayment(target(), alipay.runtime)).rejects.toBeInstanceOf(NetworkError);
    });

    it("the service-provider token of the config accompanies calls about an existing order", async () => {
      alipay.on("alipay.trade.query", () => ({ body: trade({ trade_status: "WAIT_BUYER_PAY" }) }));
      await provider.queryPayment({ ...target(), config: keyModeConfig(keys, { appAuthToken: "201510BBtoken" }) }, alipay.runtime);
      expect(alipay.only("alipay.trade.query").query.app_auth_token).toBe("201510BBtoken");
    });
  });

  describe("closePayment (alipay.trade.close)", () => {
    it("closes", async () => {
      alipay.on("alipay.trade.close", () => ({ body: { code: "10000", msg: "Success", out_trade_no: "T1", trade_no: "2026011522001400001" } }));
      await expect(provider.closePayment(target(), alipay.runtime)).resolves.toBeUndefined();
      expect(alipay.only("alipay.trade.close").biz).toEqual({ out_trade_no: "T1" });
    });

    it("treats a trade Alipay never created as closed where it is created with the order (mini program, pay-code)", async () => {
      alipay.on("alipay.trade.close", () => ({ body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" } }));
      await expect(provider.closePayment({ ...target(), mode: "mp-alipay" }, alipay.runtime)).resolves.toBeUndefined();
      await expect(provider.closePayment({ ...target(), mode: "codepay" }, alipay.runtime)).resolves.toBeUndefined();
    });

    it("refuses to call closed a QR code nobody scanned or an App order not yet opened: the buyer can still pay them", async () => {
      alipay.on("alipay.trade.close", () => ({ body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" } }));
      await expect(provider.closePayment(target(), alipay.runtime)).rejects.toMatchObject({ providerCode: "ACQ.TRADE_NOT_EXIST" });
      await expect(provider.closePayment({ ...target(), mode: "app-plus" }, alipay.runtime)).rejects.toMatchObject({ providerCode: "ACQ.TRADE_NOT_EXIST" });
    });

    it("refuses to close a paid trade", async () => {
      alipay.on("alipay.trade.close", () => ({
        body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_STATUS_ERROR", sub_msg: "交易状态不合法" },
      }));
      await expect(provider.closePayment(target(), alipay.runtime)).rejects.toMatchObject({ providerCode: "ACQ.TRADE_STATUS_ERROR" });
    });
  });

  describe("refund (alipay.trade.refund)", () => {
    const request = (overrides: Record<string, unknown> = {}) => ({
      ...target(),
      transactionId: "2026011522001400001",
      outRefundNo: "T1-1",
      totalFee: 1234,
      refundFee: 234,
      reason: "用户取消",
      notifyUrl: NOTIFY_URL,
      ...overrides,
    });
    const refunded = (fields: Record<string, unknown> = {}) => ({
      code: "10000",
      msg: "Success",
      out_trade_no: "T1",
      trade_no: "2026011522001400001",
      buyer_logon_id: "159****5620",
      refund_fee: "2.34",
      gmt_refund_pay: "2026-01-15 12:10:00",
      fund_change: "Y",
      ...fields,
    });

    it("a partial refund with fund_change Y settles at once; out_request_no is our out_refund_no", async () => {
      alipay.on("alipay.trade.refund", () => ({ body: refunded() }));
      const status = await provider.refund(request(), alipay.runtime);
      const call = alipay.only("alipay.trade.refund");
      expect(call.signatureValid).toBe(true);
      expect(call.biz).toEqual({ out_trade_no: "T1", refund_amount: "2.34", out_request_no: "T1-1", refund_reason: "用户取消" });
      expect(status).toMatchObject({ state: "SUCCESS", outTradeNo: "T1", outRefundNo: "T1-1", refundFee: 234, settledAt: Date.UTC(2026, 0, 15, 4, 10, 0) });
    });

    it("a repeated identical request (fund_change N) reports the same result, confirmed by the refund query", async () => {
      let first = true;
      alipay.on("alipay.trade.refund", () => {
        const body = refunded({ fund_change: first ? "Y" : "N" });
        first = false;
        return { body };
      });
      alipay.on("alipay.trade.fastpay.refund.query", (r) => ({
        body: {
          code: "10000",
          msg: "Success",
          out_trade_no: "T1",
          out_request_no: r.biz.out_request_no,
          refund_amount: "2.34",
          total_amount: "12.34",
          refund_status: "REFUND_SUCCESS",
          gmt_refund_pay: "2026-01-15 12:10:00",
        },
      }));
      const once = await provider.refund(request(), alipay.runtime);
      const again = await provider.refund(request(), alipay.runtime);
      expect(alipay.calls("alipay.trade.refund").map((call) => call.params.biz_content)).toEqual([
        alipay.requests[0]!.params.biz_content,
        alipay.requests[0]!.params.biz_content,
      ]);
      expect(alipay.only("alipay.trade.fastpay.refund.query").biz).toEqual({ out_trade_no: "T1", out_request_no: "T1-1", query_options: ["gmt_refund_pay"] });
      for (const status of [once, again])
        expect(status).toMatchObject({ state: "SUCCESS", outRefundNo: "T1-1", refundFee: 234, settledAt: Date.UTC(2026, 0, 15, 4, 10, 0) });
    });

    it("fund_change N with nothing found yet stays PROCESSING (the reservation is kept)", async () => {
      alipay.on("alipay.trade.refund", () => ({ body: refunded({ fund_change: "N" }) }));
      alipay.on("alipay.trade.fastpay.refund.query", () => ({ body: { code: "10000", msg: "Success" } }));
      expect(await provider.refund(request(), alipay.runtime)).toMatchObject({ state: "PROCESSING", refundFee: 234 });
    });

    it("ACQ.SYSTEM_ERROR is an unknown outcome (network: retry with the same out_request_no), not a refusal", async () => {
      alipay.on("alipay.trade.refund", () => ({
        body: { code: "20000", msg: "Service Currently Unavailable", sub_code: "ACQ.SYSTEM_ERROR", sub_msg: "系统错误" },
      }));
      await expect(provider.refund(request(), alipay.runtime)).rejects.toBeInstanceOf(NetworkError);
    });

    it("a business refusal is final and keeps Alipay's code (the core then releases the reservation)", async () => {
      alipay.on("alipay.trade.refund", () => ({
        body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", sub_msg: "退款金额超限" },
      }));
      const error = await provider.refund(request(), alipay.runtime).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(error).toMatchObject({ providerCode: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" });
    });
  });

  describe("queryRefund (alipay.trade.fastpay.refund.query)", () => {
    const refundQuery = (fields: Record<string, unknown>) =>
      alipay.on("alipay.trade.fastpay.refund.query", () => ({ body: { code: "10000", msg: "Success", ...fields } }));
    const ask = () => provider.queryRefund({ ...target(), outRefundNo: "T1-1" }, alipay.runtime);

    it("REFUND_SUCCESS → SUCCESS with this refund's own amount", async () => {
      refundQuery({
        out_trade_no: "T1",
        out_request_no: "T1-1",
        refund_amount: "2.34",
        total_amount: "12.34",
        refund_status: "REFUND_SUCCESS",
        gmt_refund_pay: "2026-01-15 12:10:00",
      });
      expect(await ask()).toMatchObject({
        state: "SUCCESS",
        outTradeNo: "T1",
        outRefundNo: "T1-1",
        refundFee: 234,
        settledAt: Date.UTC(2026, 0, 15, 4, 10, 0),
      });
      expect(alipay.only("alipay.trade.fastpay.refund.query").biz).toEqual({ out_trade_no: "T1", out_request_no: "T1-1", query_options: ["gmt_refund_pay"] });
    });

    it("a success without refund_status is no refund at Alipay: RefundNotFoundError, so reconciliation resends (issue 10 item 11)", async () => {
      refundQuery({});
      const error = await ask().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RefundNotFoundError);
      expect(error).toMatchObject({ providerCode: "REFUND_NOT_EXIST" });
      // Data without refund_status reads the same way: the doc says the request was not received or failed.
      refundQuery({ out_trade_no: "T1", out_request_no: "T1-1", refund_amount: "2.34" });
      await expect(ask()).rejects.toBeInstanceOf(RefundNotFoundError);
    });

    it("an answer about another refund is not used", async () => {
      refundQuery({ out_trade_no: "T1", out_request_no: "T1-2", refund_amount: "2.34", refund_status: "REFUND_SUCCESS" });
      await expect(ask()).rejects.toBeInstanceOf(NetworkError);
    });
  });
});
