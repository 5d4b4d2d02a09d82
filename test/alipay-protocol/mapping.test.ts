import { ProviderRejectedError } from "../../common/vk-uni-pay/src/core/errors";
import {
  AlipayValidationError,
  formatAlipayAmount,
  isAlipaySuccess,
  isAlipayTradeNotExist,
  mapAlipayRefundQueryStatus,
  mapAlipayRefundResponse,
  mapAlipayTradeStatus,
  parseAlipayAmount,
  parseAlipayError,
  toAlipayRejectedError,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";

describe("trade_status", () => {
  it.each([
    ["WAIT_BUYER_PAY", "NOTPAY"],
    ["TRADE_SUCCESS", "SUCCESS"],
    ["TRADE_FINISHED", "SUCCESS"],
    ["TRADE_CLOSED", "CLOSED"],
    ["TRADE_PENDING", "NOTPAY"],
    ["trade_success", "NOTPAY"],
    ["", "NOTPAY"],
    [undefined, "NOTPAY"],
    [null, "NOTPAY"],
  ])("%p → %s (unknown never paid)", (status, state) => {
    expect(mapAlipayTradeStatus(status)).toBe(state);
  });
});

describe("refund states", () => {
  it("only REFUND_SUCCESS settles a refund query", () => {
    expect(mapAlipayRefundQueryStatus("REFUND_SUCCESS")).toBe("SUCCESS");
    expect(mapAlipayRefundQueryStatus(undefined)).toBe("PROCESSING");
    expect(mapAlipayRefundQueryStatus("REFUND_PROCESSING")).toBe("PROCESSING");
  });

  it("fund_change Y is money moved; N or absent is to be confirmed", () => {
    expect(mapAlipayRefundResponse("Y")).toBe("SUCCESS");
    expect(mapAlipayRefundResponse("N")).toBe("PROCESSING");
    expect(mapAlipayRefundResponse(undefined)).toBe("PROCESSING");
  });
});

describe("amounts", () => {
  it("yuan strings ⇄ fen exactly", () => {
    expect(parseAlipayAmount("0.07", "total_amount")).toBe(7);
    expect(parseAlipayAmount("12.3", "total_amount")).toBe(1230);
    expect(parseAlipayAmount("0.00", "point_amount", { allowZero: true })).toBe(0);
    expect(formatAlipayAmount(1)).toBe("0.01");
    expect(formatAlipayAmount(123456)).toBe("1234.56");
  });

  it.each([["0.00"], ["-1"], ["1.001"], [1], ["1e3"], [""], [undefined], ["100000001.00"]])("refuses %p", (value) => {
    expect(() => parseAlipayAmount(value, "total_amount")).toThrow(AlipayValidationError);
  });

  it("refuses non-fen amounts when formatting", () => {
    expect(() => formatAlipayAmount(0)).toThrow(AlipayValidationError);
    expect(() => formatAlipayAmount(1.5)).toThrow(AlipayValidationError);
  });
});

describe("error bodies", () => {
  const notExist = { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" };

  it("parses code, msg, sub_code, sub_msg; success and junk are not errors", () => {
    expect(parseAlipayError(notExist)).toEqual({ code: "40004", msg: "Business Failed", subCode: "ACQ.TRADE_NOT_EXIST", subMsg: "交易不存在" });
    expect(parseAlipayError({ code: "20000", msg: "Service Currently Unavailable" })).toEqual({ code: "20000", msg: "Service Currently Unavailable" });
    expect(parseAlipayError({ code: "10000", msg: "Success" })).toBeUndefined();
    expect(parseAlipayError("oops")).toBeUndefined();
    expect(parseAlipayError({})).toBeUndefined();
    expect(isAlipaySuccess({ code: "10000" })).toBe(true);
    expect(isAlipaySuccess({ code: 10000 })).toBe(false);
  });

  it("keeps the most specific provider code in the rejection", () => {
    const error = toAlipayRejectedError(parseAlipayError(notExist)!);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error.providerCode).toBe("ACQ.TRADE_NOT_EXIST");
    expect(error.providerMessage).toBe("交易不存在");
    expect(toAlipayRejectedError({ code: "40002", msg: "Invalid Arguments" }).providerCode).toBe("40002");
    expect(isAlipayTradeNotExist(parseAlipayError(notExist))).toBe(true);
    expect(isAlipayTradeNotExist(parseAlipayError({ code: "40004", sub_code: "ACQ.SYSTEM_ERROR" }))).toBe(false);
  });
});
