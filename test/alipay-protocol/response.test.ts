import {
  AlipaySignatureError,
  AlipayValidationError,
  alipayResponseKey,
  extractAlipayResponse,
  signRsa2,
  verifyAlipayResponse,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { alipaySdk, fixtureText, freshKeyPair, vector, vectorKey } from "./fixtures";

const AL2 = vector("AL-2");
const AL3 = vector("AL-3");

describe("AL-2: alipay-sdk checkResponseSign 'should work'", () => {
  it("extracts the exact substring and verifies its sign", () => {
    const parts = extractAlipayResponse(AL2.rawResponse!, "alipay.open.file.upload");
    expect(parts.responseKey).toBe(AL2.responseKey);
    expect(parts.signedContent).toBe(AL2.expectedSignedString);
    const verified = verifyAlipayResponse(AL2.rawResponse!, "alipay.open.file.upload", vectorKey("AL-2"));
    expect(verified.body).toEqual({ code: "10000", msg: "Success", file_id: "CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr" });
    expect(verified.isErrorResponse).toBe(false);
  });

  it("accepts the raw text as a Buffer", () => {
    expect(verifyAlipayResponse(Buffer.from(AL2.rawResponse!), "alipay.open.file.upload", vectorKey("AL-2")).signedContent).toBe(AL2.expectedSignedString);
  });

  it("refuses a changed byte in the response, another key, a missing sign", () => {
    const tampered = AL2.rawResponse!.replace("CAxAToWB1Js", "CAxAToWB1Jt");
    expect(() => verifyAlipayResponse(tampered, "alipay.open.file.upload", vectorKey("AL-2"))).toThrow(
      expect.objectContaining({ reason: "alipay-signature-invalid" }),
    );
    expect(() => verifyAlipayResponse(AL2.rawResponse!, "alipay.open.file.upload", vectorKey("AL-4"))).toThrow(AlipaySignatureError);
    const unsigned = AL2.rawResponse!.replace(/,"sign":"[^"]*"/, "");
    expect(() => verifyAlipayResponse(unsigned, "alipay.open.file.upload", vectorKey("AL-2"))).toThrow(
      expect.objectContaining({ reason: "alipay-signature-missing" }),
    );
  });

  it("does not verify a re-serialization: whitespace added inside the object breaks the sign", () => {
    const spaced = AL2.rawResponse!.replace('"code":"10000"', '"code": "10000"');
    expect(() => verifyAlipayResponse(spaced, "alipay.open.file.upload", vectorKey("AL-2"))).toThrow(AlipaySignatureError);
  });
});

describe("AL-3: alipay-sdk getSignStr (exact substring, escapes kept)", () => {
  it("keeps \\/ escapes exactly as received", () => {
    const parts = extractAlipayResponse(AL3.rawResponse!, "alipay.offline.material.image.upload");
    expect(parts.signedContent).toBe(AL3.expectedSignedString);
    expect(parts.signedContent).toContain("http:\\/\\/");
  });

  it("handles whitespace and newlines around ':' and a nested \"sign\" key inside the response", () => {
    const inner = '{"code":"10000","sign":"inner","nested":{"sign_x":"}"}}';
    const raw = `{\n  "alipay_trade_query_response" :\n ${inner} ,\n  "alipay_cert_sn": "abc",\n  "sign" : "outer"\n}\n`;
    const parts = extractAlipayResponse(raw, "alipay.trade.query");
    expect(parts).toEqual({ responseKey: "alipay_trade_query_response", signedContent: inner, sign: "outer", alipayCertSn: "abc" });
  });

  it("agrees with alipay-sdk's getSignStr on the upstream samples", () => {
    const { AlipaySdk } = alipaySdk();
    const keys = freshKeyPair();
    const sdk = new AlipaySdk({ appId: "2021000000000000", privateKey: keys.privatePkcs1, alipayPublicKey: keys.publicSpki });
    for (const [v, method] of [
      [AL2, "alipay.open.file.upload"],
      [AL3, "alipay.offline.material.image.upload"],
    ] as const) {
      expect(extractAlipayResponse(v.rawResponse!, method).signedContent).toBe(sdk.getSignStr(v.rawResponse!, v.responseKey!));
    }
  });
});

describe("response signing round trip (own key)", () => {
  const keys = freshKeyPair();
  const content = '{"code":"10000","msg":"Success","qr_code":"https:\\/\\/qr.alipay.com\\/bax0","out_trade_no":"T1"}';
  const raw = `{"alipay_trade_precreate_response":${content},"alipay_cert_sn":"7513daaaa48aa3ba2e4018d84402479c","sign":"${signRsa2(content, keys.privatePkcs8)}"}`;

  it("verifies the exact bytes and exposes alipay_cert_sn for rotation checks", () => {
    const verified = verifyAlipayResponse(raw, "alipay.trade.precreate", keys.publicSpki);
    expect(verified.body.qr_code).toBe("https://qr.alipay.com/bax0");
    expect(verified.alipayCertSn).toBe("7513daaaa48aa3ba2e4018d84402479c");
  });

  it("verifies, as the Java and .NET SDKs do, a response whose signed text had / where the received one has \\/ (issue 10 item 8)", () => {
    // Alipay signed the text with plain slashes; the JSON on the wire escapes them.
    const signedText = content.replace(/\\\//g, "/");
    expect(signedText).toContain("https://qr.alipay.com/bax0");
    const escaped = `{"alipay_trade_precreate_response":${content},"sign":"${signRsa2(signedText, keys.privatePkcs8)}"}`;
    const verified = verifyAlipayResponse(escaped, "alipay.trade.precreate", keys.publicSpki);
    expect(verified.body.qr_code).toBe("https://qr.alipay.com/bax0");
    // The retry only unescapes slashes: any other difference still fails.
    const tampered = escaped.replace('"T1"', '"T2"');
    expect(() => verifyAlipayResponse(tampered, "alipay.trade.precreate", keys.publicSpki)).toThrow(AlipaySignatureError);
  });

  it("a sign over the re-serialized JSON does not verify the raw response", () => {
    const reserialized = JSON.stringify(JSON.parse(content), null, 1);
    expect(reserialized).not.toBe(content);
    const forged = raw.replace(/"sign":"[^"]*"/, `"sign":"${signRsa2(reserialized, keys.privatePkcs8)}"`);
    expect(() => verifyAlipayResponse(forged, "alipay.trade.precreate", keys.publicSpki)).toThrow(AlipaySignatureError);
  });

  it("verifies a signed error_response and flags it", () => {
    const err = '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}';
    const text = `{"error_response":${err},"sign":"${signRsa2(err, keys.privatePkcs8)}"}`;
    const verified = verifyAlipayResponse(text, "alipay.trade.query", keys.publicSpki);
    expect(verified.isErrorResponse).toBe(true);
    expect(verified.body.sub_code).toBe("isv.invalid-app-id");
  });

  it("refuses an unsigned error_response", () => {
    const text = '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"}}';
    expect(() => verifyAlipayResponse(text, "alipay.trade.query", keys.publicSpki)).toThrow(AlipaySignatureError);
  });
});

describe("malformed responses", () => {
  it.each([
    ["not JSON", "<html>502</html>"],
    ["no response member", '{"sign":"x"}'],
    ["another method's response", '{"alipay_trade_close_response":{"code":"10000"},"sign":"x"}'],
    ["unterminated", '{"alipay_trade_query_response":{"code":"10000","sign":"x"'],
    ["trailing garbage", '{"alipay_trade_query_response":{"code":"10000"},"sign":"x"}{}'],
    ["duplicated key", '{"alipay_trade_query_response":{"code":"10000"},"alipay_trade_query_response":{"code":"40004"},"sign":"x"}'],
  ])("%s is a validation error", (_name, raw) => {
    expect(() => extractAlipayResponse(raw, "alipay.trade.query")).toThrow(AlipayValidationError);
  });

  it("maps method names to response keys and refuses junk", () => {
    expect(alipayResponseKey("alipay.trade.fastpay.refund.query")).toBe("alipay_trade_fastpay_refund_query_response");
    expect(() => alipayResponseKey("alipay trade")).toThrow(AlipayValidationError);
  });
});

describe("AL-4 / AL-5 wrapped in a response envelope", () => {
  it("AL-4 (gopay) verifies as an alipay.trade.pay response and fails under another key", () => {
    const v = vector("AL-4");
    const raw = `{"alipay_trade_pay_response":${v.signedString},"sign":"${v.sign}"}`;
    expect(verifyAlipayResponse(raw, "alipay.trade.pay", vectorKey("AL-4")).body.trade_no).toBe("2019082922001432790585537960");
    expect(() => verifyAlipayResponse(raw, "alipay.trade.pay", fixtureText("alipay-sdk-nodejs-all__alipay-public-key.pem"))).toThrow(AlipaySignatureError);
  });

  it("AL-5 (yansongda, certificate mode) verifies with the key of alipayPublicCert.crt", () => {
    const v = vector("AL-5");
    const raw = `{"alipay_fund_trans_uni_transfer_response":${v.signedString},"alipay_cert_sn":"6f1e366a31d9575cd546914add04f4af","sign":"${v.sign}"}`;
    expect(verifyAlipayResponse(raw, "alipay.fund.trans.uni.transfer", vectorKey("AL-5")).body.status).toBe("SUCCESS");
  });
});
