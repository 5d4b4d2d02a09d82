import {
  isPaidTradeState,
  isRetryableStatus,
  mapRefundStatus,
  mapTradeState,
  parseErrorBody,
  parseFen,
  WxpayV3ValidationError,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";

describe("trade_state", () => {
  it.each([
    ["SUCCESS", "SUCCESS"],
    ["REFUND", "REFUND"],
    ["NOTPAY", "NOTPAY"],
    ["USERPAYING", "USERPAYING"],
    ["PAYERROR", "PAYERROR"],
    ["CLOSED", "CLOSED"],
    ["REVOKED", "CLOSED"],
  ])("maps %s to %s", (wire, ours) => {
    expect(mapTradeState(wire)).toBe(ours);
  });

  it.each([["ACCEPT"], ["success"], [""], [undefined], [null], [42], [{ trade_state: "SUCCESS" }]])("maps unknown %p to pending, never paid", (wire) => {
    const state = mapTradeState(wire);
    expect(state).toBe("NOTPAY");
    expect(isPaidTradeState(state)).toBe(false);
  });

  it("counts SUCCESS and REFUND as paid", () => {
    expect(["SUCCESS", "REFUND"].map((s) => isPaidTradeState(mapTradeState(s)))).toEqual([true, true]);
    expect(["NOTPAY", "USERPAYING", "CLOSED", "PAYERROR"].map((s) => isPaidTradeState(mapTradeState(s)))).toEqual([false, false, false, false]);
  });
});

describe("refund status", () => {
  it.each([
    ["SUCCESS", "SUCCESS"],
    ["CLOSED", "CLOSED"],
    ["PROCESSING", "PROCESSING"],
    ["ABNORMAL", "ABNORMAL"],
    ["REFUNDCLOSE", "PROCESSING"],
    ["success", "PROCESSING"],
    [undefined, "PROCESSING"],
  ])("maps %p to %s", (wire, ours) => {
    expect(mapRefundStatus(wire)).toBe(ours);
  });
});

describe("amounts in fen", () => {
  it("accepts positive integers, and zero only when allowed", () => {
    expect(parseFen(1, "total")).toBe(1);
    expect(parseFen(100_000_00, "total")).toBe(100_000_00);
    expect(parseFen(0, "payer_total", { allowZero: true })).toBe(0);
  });

  it.each([[0], [-1], [1.5], [0.1 + 0.2], ["100"], [NaN], [Infinity], [2 ** 53], [10_000_000_001], [null], [undefined], [{}]])("refuses %p", (value) => {
    let caught: unknown;
    try {
      parseFen(value, "total");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WxpayV3ValidationError);
    expect((caught as WxpayV3ValidationError).reason).toBe("wxpay-v3-invalid-amount");
    expect((caught as WxpayV3ValidationError).errCode).toBe("vk-pay-wxpay-v3-invalid-amount");
    expect((caught as WxpayV3ValidationError).code).toBe(1003);
  });

  it("refuses negatives and floats even when zero is allowed", () => {
    expect(() => parseFen(-1, "payer_total", { allowZero: true })).toThrow(WxpayV3ValidationError);
    expect(() => parseFen(0.5, "payer_total", { allowZero: true })).toThrow(WxpayV3ValidationError);
  });
});

describe("error bodies", () => {
  it("reads { code, message, detail }", () => {
    const body =
      '{"code":"SIGN_ERROR","message":"签名错误","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"truncated_sign_message":"POST\\n/v3/pay/transactions/jsapi\\n1554208460\\n593BEC0C930BF1AFEB40B4A08C8FB242\\n{\\"appid\\":\\"wxd678efh567hg6787\\"\\n"}}}';
    expect(parseErrorBody(body)).toEqual({ code: "SIGN_ERROR", message: "签名错误", detail: expect.objectContaining({ field: "signature" }) });
    expect(parseErrorBody(Buffer.from('{"code":"PARAM_ERROR","message":"x"}'))).toEqual({ code: "PARAM_ERROR", message: "x" });
  });

  it("returns undefined for bodies that are not WeChat Pay errors", () => {
    for (const body of ["", "<html>502</html>", "[]", "null", '{"message":"no code"}', '{"code":""}']) {
      expect(parseErrorBody(body)).toBeUndefined();
    }
  });

  it("retries 429 and 5xx only", () => {
    expect([429, 500, 502, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 204, 400, 401, 403, 404, 600].some(isRetryableStatus)).toBe(false);
  });
});
