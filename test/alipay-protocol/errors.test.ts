import { ConfigError, SignatureError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import {
  AlipayConfigError,
  AlipaySignatureError,
  AlipayValidationError,
  isAlipayProtocolError,
  loadAppPrivateKey,
  parseAlipayForm,
  verifyAlipayNotifyParams,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { vectorKey } from "./fixtures";

describe("errors fit the core hierarchy with stable codes", () => {
  it("signature failures are SignatureError with vk-pay-alipay-* codes", () => {
    let caught: unknown;
    try {
      verifyAlipayNotifyParams({ a: "1" }, vectorKey("AL-8"));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AlipaySignatureError);
    expect(caught).toBeInstanceOf(SignatureError);
    expect(caught).toMatchObject({ kind: "signature", code: 4001, errCode: "vk-pay-alipay-signature-missing", reason: "alipay-signature-missing" });
    expect(isAlipayProtocolError(caught)).toBe(true);
  });

  it("key problems are ConfigError, shape problems ValidationError; neither leaks key material", () => {
    const secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ";
    let caught: unknown;
    try {
      loadAppPrivateKey(secret);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AlipayConfigError);
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).not.toContain(secret);
    expect(() => parseAlipayForm("a=%")).toThrow(ValidationError);
    expect(() => parseAlipayForm("a=%")).toThrow(AlipayValidationError);
    expect(isAlipayProtocolError(new Error("x"))).toBe(false);
  });
});
