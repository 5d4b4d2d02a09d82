import { AlipayValidationError, buildAlipayOrderString, formatAlipayTimestamp, signAlipayRequest } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { alipaySdk, freshKeyPair } from "./fixtures";

describe("timestamp (Beijing time, from an injected clock)", () => {
  it("formats UTC instants as UTC+8", () => {
    // AL-1's timestamp, 2023-12-21 06:54:37 in Beijing, is 2023-12-20 22:54:37 UTC.
    expect(formatAlipayTimestamp(Date.UTC(2023, 11, 20, 22, 54, 37))).toBe("2023-12-21 06:54:37");
    expect(formatAlipayTimestamp(Date.UTC(2026, 11, 31, 16, 0, 0, 999))).toBe("2027-01-01 00:00:00");
  });

  it("refuses a non-finite clock", () => {
    expect(() => formatAlipayTimestamp(Number.NaN)).toThrow(AlipayValidationError);
  });
});

describe("App order string (alipay.trade.app.pay)", () => {
  it("refuses unsigned parameters", () => {
    expect(() => buildAlipayOrderString({ app_id: "1" })).toThrow(AlipayValidationError);
  });

  it("matches alipay-sdk's sdkExecute for the same parameters", () => {
    const keys = freshKeyPair();
    const { AlipaySdk } = alipaySdk() as unknown as {
      AlipaySdk: new (config: Record<string, unknown>) => { sdkExecute(method: string, params: Record<string, unknown>): string };
    };
    const sdk = new AlipaySdk({ appId: "2021000000000000", privateKey: keys.privatePkcs1, alipayPublicKey: keys.publicSpki });
    const sdkString = sdk.sdkExecute("alipay.trade.app.pay", {
      notifyUrl: "https://example.com/notify",
      bizContent: { outTradeNo: "vk-1", totalAmount: "0.01", subject: "会员 1+1 & 月", productCode: "QUICK_MSECURITY_PAY" },
    });
    const received: Record<string, string> = {};
    for (const pair of sdkString.split("&")) {
      const eq = pair.indexOf("=");
      received[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
    }
    const { sign: _sign, ...unsigned } = received;
    expect(buildAlipayOrderString(signAlipayRequest(unsigned, keys.privatePkcs8))).toBe(sdkString);
  });
});
