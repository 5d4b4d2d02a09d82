import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildV2AppPayParams,
  buildV2JsapiPayParams,
  buildV2SignString,
  createV2Nonce,
  decryptReqInfo,
  decryptReqInfoFields,
  encryptReqInfo,
  reqInfoKeyOf,
  signTypeOf,
  signV2,
  verifyV2Signature,
} from "../../common/vk-uni-pay/src/providers/wxpay/v2/protocol";
import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";

/** Official and peer vectors of reference/protocols.md §1 (V2-1, V2-2, V2-3, §1.6). */

const V2_1 = { appid: "wxd930ea5d5a258f4f", mch_id: "10000100", device_info: "1000", body: "test", nonce_str: "ibuaiVcKdpRxkhJA" };
const V2_1_KEY = "192006250b4c09247ec02edce69f6a2d";

describe("V2-1: the classic sign example (pay.weixin.qq.com 安全规范)", () => {
  it("builds stringA sorted by name", () => {
    expect(buildV2SignString(V2_1)).toBe("appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA");
  });

  it("signs MD5 as 9A0A8659F005D6984697E2CA0A9CF3B7", () => {
    expect(signV2(V2_1, V2_1_KEY)).toBe("9A0A8659F005D6984697E2CA0A9CF3B7");
    expect(signV2(V2_1, V2_1_KEY, "MD5")).toBe("9A0A8659F005D6984697E2CA0A9CF3B7");
  });

  it("signs HMAC-SHA256 as 6A9AE165…70DACD6", () => {
    expect(signV2(V2_1, V2_1_KEY, "HMAC-SHA256")).toBe("6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
  });

  it("drops sign and empty values, keeps unknown fields", () => {
    expect(signV2({ ...V2_1, sign: "ANYTHING", attach: "" }, V2_1_KEY)).toBe("9A0A8659F005D6984697E2CA0A9CF3B7");
    expect(signV2({ ...V2_1, new_field: "x" }, V2_1_KEY)).not.toBe("9A0A8659F005D6984697E2CA0A9CF3B7");
  });

  it("verifies both algorithms, picked by sign_type or by length, and refuses any change", () => {
    expect(verifyV2Signature({ ...V2_1, sign: "9A0A8659F005D6984697E2CA0A9CF3B7" }, V2_1_KEY)).toBe(true);
    expect(verifyV2Signature({ ...V2_1, sign: "9a0a8659f005d6984697e2ca0a9cf3b7" }, V2_1_KEY)).toBe(true);
    expect(verifyV2Signature({ ...V2_1, sign: "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6" }, V2_1_KEY)).toBe(true);
    expect(verifyV2Signature({ ...V2_1, body: "tesT", sign: "9A0A8659F005D6984697E2CA0A9CF3B7" }, V2_1_KEY)).toBe(false);
    expect(verifyV2Signature({ ...V2_1, sign: "9A0A8659F005D6984697E2CA0A9CF3B7" }, "192006250b4c09247ec02edce69f6a2e")).toBe(false);
    expect(verifyV2Signature({ ...V2_1, sign: "9A0A8659F005D6984697E2CA0A9CF3B" }, V2_1_KEY)).toBe(false);
    expect(verifyV2Signature({ ...V2_1 }, V2_1_KEY)).toBe(false);
  });

  it("a named sign_type is signed and decides the algorithm; an unknown one verifies nothing", () => {
    const hmac = { ...V2_1, sign_type: "HMAC-SHA256" };
    const sign = signV2(hmac, V2_1_KEY, "HMAC-SHA256");
    expect(sign).not.toBe("6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
    expect(verifyV2Signature({ ...hmac, sign }, V2_1_KEY)).toBe(true);
    expect(signTypeOf({ sign_type: "SHA1", sign })).toBeUndefined();
    expect(verifyV2Signature({ ...V2_1, sign_type: "SHA1", sign }, V2_1_KEY)).toBe(false);
    // The MD5 of the same fields under sign_type=HMAC-SHA256 does not pass: the named algorithm wins.
    expect(verifyV2Signature({ ...hmac, sign: signV2(hmac, V2_1_KEY, "MD5") }, V2_1_KEY)).toBe(false);
  });
});

describe("V2-2: yansongda's response verification", () => {
  it("verifies {name, age, foo:''} under key yansongda", () => {
    const fields = { name: "yansongda", age: "29", foo: "", sign: "3213848AED2C380749FD1D559555881D" };
    expect(buildV2SignString(fields)).toBe("age=29&name=yansongda");
    expect(verifyV2Signature(fields, "yansongda")).toBe(true);
    expect(verifyV2Signature({ ...fields, age: "30" }, "yansongda")).toBe(false);
  });
});

describe("V2-3: req_info (gopay's refund notification)", () => {
  const vector = JSON.parse(readFileSync(join(__dirname, "fixtures", "gopay_refund_notify_req_info.json"), "utf8")) as Record<string, string>;

  it("derives the AES key as the lowercase hex MD5 of the API key", () => {
    expect(reqInfoKeyOf(vector.apiKeyV2!).toString("ascii")).toBe(vector.aesKeyAscii);
  });

  it("decrypts to the expected plaintext and its fields", () => {
    expect(decryptReqInfo(vector.req_info!, vector.apiKeyV2!)).toBe(vector.expectedPlaintextXml);
    expect(decryptReqInfoFields(vector.req_info!, vector.apiKeyV2!)).toMatchObject({
      out_refund_no: "50fd012ed1b311e7af7800163e32c503",
      refund_status: "SUCCESS",
      refund_fee: "6",
      transaction_id: "4200000015201711256947025404",
      success_time: "2017-11-25 15:36:17",
      refund_recv_accout: "支付用户零钱",
    });
  });

  it("refuses a wrong key, a truncated or non-base64 ciphertext as SignatureError", () => {
    expect(() => decryptReqInfo(vector.req_info!, "ziR0QKsTUfMOuochC9RfCdmfHECorQAX")).toThrow(SignatureError);
    expect(() => decryptReqInfo(vector.req_info!.slice(0, 64), vector.apiKeyV2!)).toThrow(SignatureError);
    expect(() => decryptReqInfo("not base64!", vector.apiKeyV2!)).toThrow(SignatureError);
  });

  it("round-trips what it encrypts", () => {
    const cipher = encryptReqInfo(vector.expectedPlaintextXml!, vector.apiKeyV2!);
    expect(cipher).toBe(vector.req_info);
  });
});

describe("§1.6 client pay parameters [D]", () => {
  const common = {
    appId: "wxd930ea5d5a258f4f",
    prepayId: "wx201410272009395522657a690389285100",
    key: V2_1_KEY,
    nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    timeStamp: "1414561699",
  };

  it("JSAPI MD5 and HMAC-SHA256 paySign", () => {
    expect(buildV2JsapiPayParams({ ...common, signType: "MD5" })).toEqual({
      appId: "wxd930ea5d5a258f4f",
      timeStamp: "1414561699",
      nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
      package: "prepay_id=wx201410272009395522657a690389285100",
      signType: "MD5",
      paySign: "FD19D752A746E5F238A6E53BD99EEBD0",
    });
    expect(buildV2JsapiPayParams({ ...common, signType: "HMAC-SHA256" }).paySign).toBe("FC7A79E4918B4FFA96E836F5AD4A510F31241FB46C14C971D6D7B4F8E15AF262");
  });

  it("APP sign", () => {
    expect(
      buildV2AppPayParams({
        appId: common.appId,
        mchId: "10000100",
        prepayId: common.prepayId,
        key: V2_1_KEY,
        nonceStr: common.nonceStr,
        timestamp: common.timeStamp,
      }),
    ).toEqual({
      appid: "wxd930ea5d5a258f4f",
      partnerid: "10000100",
      prepayid: "wx201410272009395522657a690389285100",
      package: "Sign=WXPay",
      noncestr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
      timestamp: "1414561699",
      sign: "1F88CC0F1B0560FF6D5EED1FBB7AE9C0",
    });
  });
});

describe("nonce_str", () => {
  it("is 32 alphanumerics and not repeated", () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createV2Nonce()));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
