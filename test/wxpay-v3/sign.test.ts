import {
  buildRequestSignMessage,
  formatAuthorization,
  loadPrivateKey,
  signRequest,
  signSha256WithRsa,
  toCanonicalUrl,
  WxpayV3ValidationError,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { GO_KEY, YANSONGDA_KEY } from "./fixtures";

describe("request signature message (V3-1, wechatpay-go wechat_pay_credential_test.go)", () => {
  it("builds the GET message with an empty body ending in \\n\\n", () => {
    const message = buildRequestSignMessage({ method: "GET", canonicalUrl: "/v3/certificates", timestamp: 1624523846, nonce: "A1B2C3D4E5F6G7" });
    expect(message).toBe("GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n");
  });

  it('formats the header exactly as upstream does with its mock signer ("Sign:" + message)', () => {
    const message = buildRequestSignMessage({ method: "GET", canonicalUrl: "/v3/certificates", timestamp: "1624523846", nonce: "A1B2C3D4E5F6G7" });
    const header = formatAuthorization({
      mchid: "1234567890",
      nonceStr: "A1B2C3D4E5F6G7",
      timestamp: "1624523846",
      serialNo: "0123456789ABC",
      signature: `Sign:${message}`.replace(/\n/g, "|"),
    });
    // Upstream's mock schema is WECHATPAY2-Mock and its signature contains raw newlines, which a real header
    // cannot carry; compare everything else byte for byte.
    const expected =
      'WECHATPAY2-Mock mchid="1234567890",nonce_str="A1B2C3D4E5F6G7",timestamp="1624523846",serial_no="0123456789ABC",signature="Sign:GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n"';
    expect(header).toBe(expected.replace("WECHATPAY2-Mock", "WECHATPAY2-SHA256-RSA2048").replace(/\n/g, "|"));
  });

  it("builds the POST message around the exact body, its own trailing newline kept", () => {
    const message = buildRequestSignMessage({
      method: "POST",
      canonicalUrl: "/v3/certificates",
      timestamp: "1624523846",
      nonce: "A1B2C3D4E5F6G7",
      body: "Hello World!\n",
    });
    expect(message).toBe("POST\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\nHello World!\n\n");
  });

  it("uppercases the method and keeps the raw query (wechatpay-java WechatPay2CredentialTest URL)", () => {
    const message = buildRequestSignMessage({
      method: "get",
      canonicalUrl: "/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109",
      timestamp: "1",
      nonce: "n",
    });
    expect(message).toBe("GET\n/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109\n1\nn\n\n");
  });

  it("refuses a newline inside a field, a full URL, and a non-numeric timestamp", () => {
    const base = { method: "GET", canonicalUrl: "/v3/certificates", timestamp: "1624523846", nonce: "A1B2" };
    expect(() => buildRequestSignMessage({ ...base, nonce: "A1\nB2" })).toThrow(WxpayV3ValidationError);
    expect(() => buildRequestSignMessage({ ...base, canonicalUrl: "https://api.mch.weixin.qq.com/v3/certificates" })).toThrow(WxpayV3ValidationError);
    expect(() => buildRequestSignMessage({ ...base, timestamp: "1624523846.5" })).toThrow(WxpayV3ValidationError);
    expect(() => buildRequestSignMessage({ ...base, method: "GE T" })).toThrow(WxpayV3ValidationError);
  });
});

describe("canonical URL", () => {
  it("drops scheme, host and fragment and keeps the raw query bytes", () => {
    expect(toCanonicalUrl("https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/a%2Fb?mchid=1230000109&x=%E4%B8%AD#f")).toBe(
      "/v3/pay/transactions/out-trade-no/a%2Fb?mchid=1230000109&x=%E4%B8%AD",
    );
    expect(toCanonicalUrl("https://api2.mch.weixin.qq.com")).toBe("/");
    expect(toCanonicalUrl("/v3/certificates")).toBe("/v3/certificates");
  });

  it("refuses relative and protocol-relative URLs", () => {
    expect(() => toCanonicalUrl("v3/certificates")).toThrow(WxpayV3ValidationError);
    expect(() => toCanonicalUrl("//evil.example/v3")).toThrow(WxpayV3ValidationError);
  });
});

describe("SHA256withRSA signatures", () => {
  it("V3-3: signs `source` exactly as wechatpay-go sha256withrsa_signer_test.go expects", () => {
    expect(signSha256WithRsa("source", loadPrivateKey(GO_KEY()))).toBe(
      "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==",
    );
  });

  it("V3-4 (derived): signs the V3-1 GET message with the same key", () => {
    const message = buildRequestSignMessage({ method: "GET", canonicalUrl: "/v3/certificates", timestamp: "1624523846", nonce: "A1B2C3D4E5F6G7" });
    expect(signSha256WithRsa(message, loadPrivateKey(GO_KEY()))).toBe(
      "mG2drrUCDR7EVrJmQVI6eW5VlDB0zzpcYLC83UiNxe1aNAomazwWci4q/HPA7MmlbGAswwSE7iPiLy3vflXohf42WXNA031htDbpBCVt1ti2teKFPh531KK07unc+CrCiepz6veTgsylXYO4iBI+DYQ4UDj+r8A/lhqj7yHmtLjvcJ45Og6Wdecd/T7jGgMwcEe1mR7HLzC7R6snnLOaRwnPCe6WyiWGDHHuQzvNFeaztpM3noedCPEwGculoy2MPVvNER6TpM8CUijpKChWM7Q5vIwg8QYv9bH7IuZitLMAgx0+cgaNzFbzZuXxwGB6wIAmv70dWcQx8F2erR/Nzw==",
    );
  });
});

describe("Authorization header (V3-2, yansongda AddPayloadSignaturePluginTest.php)", () => {
  const body =
    '{"out_trade_no":1626493236,"description":"yansongda 测试 - 1626493236","amount":{"total":1},"scene_info":{"payer_client_ip":"127.0.0.1","h5_info":{"type":"Wap"}},"appid":"wx55955316af4ef13","mchid":"1600314069","notify_url":"http:\\/\\/127.0.0.1:8000\\/wechat\\/notify"}';

  it("produces the exact header upstream expects, over the body with PHP's \\/ escapes", () => {
    const signed = signRequest({
      mchid: "1600314069",
      serialNo: "25F8AA5452D55497C24BA57DC81B1E5915DC2E77",
      privateKey: loadPrivateKey(YANSONGDA_KEY()),
      method: "POST",
      canonicalUrl: "/v3/pay/transactions/h5",
      body,
      nonce: "QqtzdVzxavZeXag9G5mtfzbfzFMf89p6",
      timestamp: 1626493236,
    });
    expect(signed.message).toBe(`POST\n/v3/pay/transactions/h5\n1626493236\nQqtzdVzxavZeXag9G5mtfzbfzFMf89p6\n${body}\n`);
    expect(signed.authorization).toBe(
      'WECHATPAY2-SHA256-RSA2048 mchid="1600314069",nonce_str="QqtzdVzxavZeXag9G5mtfzbfzFMf89p6",timestamp="1626493236",serial_no="25F8AA5452D55497C24BA57DC81B1E5915DC2E77",signature="KzIgMgiop3nQJNdBVR2Xah/JUwVBLDFFajyXPiSN8b8YAYEA4FuWfaCgFJ52+WFed+PhOYWx/ZPih4RaEuuSdYB8eZwYUx7RZGMQZk0bKCctAjjPuf4pJN+f/WsXKjPIy3diqF5x7gyxwSCaKWP4/KjsHNqgQpiC8q1uC5xmElzuhzSwj88LIoLtkAuSmtUVvdAt0Nz41ECHZgHWSGR32TfBo902r8afdaVKkFde8IoqcEJJcp6sMxdDO5l9R5KEWxrJ1SjsXVrb0IPH8Nj7e6hfhq7pucxojPpzsC+ZWAYvufZkAQx3kTiFmY87T+QhkP9FesOfWvkIRL4E6MP6ug=="',
    );
  });

  it("fails the vector when the body is re-serialized (the slashes are part of what was signed)", () => {
    const signed = signRequest({
      mchid: "1600314069",
      serialNo: "25F8AA5452D55497C24BA57DC81B1E5915DC2E77",
      privateKey: loadPrivateKey(YANSONGDA_KEY()),
      method: "POST",
      canonicalUrl: "/v3/pay/transactions/h5",
      body: JSON.stringify(JSON.parse(body)),
      nonce: "QqtzdVzxavZeXag9G5mtfzbfzFMf89p6",
      timestamp: 1626493236,
    });
    expect(signed.authorization).not.toContain('signature="KzIgMgiop3nQ');
  });

  it("generates a fresh nonce and the current timestamp when none is injected", () => {
    const key = loadPrivateKey(GO_KEY());
    const a = signRequest({ mchid: "1", serialNo: "AB", privateKey: key, method: "GET", canonicalUrl: "/v3/certificates" });
    const b = signRequest({ mchid: "1", serialNo: "AB", privateKey: key, method: "GET", canonicalUrl: "/v3/certificates" });
    expect(a.nonce).toMatch(/^[0-9A-F]{32}$/);
    expect(a.nonce).not.toBe(b.nonce);
    expect(Math.abs(Number(a.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("refuses header values that would make the header ambiguous", () => {
    const params = { mchid: "1", nonceStr: "n", timestamp: "1", serialNo: "AB", signature: "c2ln" };
    expect(() => formatAuthorization({ ...params, mchid: '1",x="y' })).toThrow(WxpayV3ValidationError);
    expect(() => formatAuthorization({ ...params, nonceStr: "a,b" })).toThrow(WxpayV3ValidationError);
    expect(() => formatAuthorization({ ...params, serialNo: "" })).toThrow(WxpayV3ValidationError);
  });
});
