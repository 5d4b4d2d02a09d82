import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import {
  AlipayConfigError,
  AlipaySignatureError,
  buildAlipaySignContent,
  loadAlipayPublicKey,
  loadAppPrivateKey,
  signAlipayRequest,
  signRsa2,
  verifyRsa2,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { alipaySdkUtil, bareBody, fixtureText, freshKeyPair, vector, vectorKey, YANSONGDA_APP_KEY_PKCS1 } from "./fixtures";

// AL-1: yansongda AddPayloadSignaturePluginTest (certificate mode request).
const AL1_PARAMS = {
  app_id: "9021000122682882",
  method: "alipay.trade.query",
  format: "JSON",
  return_url: "http://hk.ysdor.cn/index.php",
  charset: "utf-8",
  sign_type: "RSA2",
  timestamp: "2023-12-21 06:54:37",
  version: "1.0",
  notify_url: "http://hk.ysdor.cn/index.php",
  app_auth_token: "",
  app_cert_sn: "e90dd23a37c5c7b616e003970817ff82",
  alipay_root_cert_sn: "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6",
  biz_content: { out_trade_no: "1703141270" },
};
const AL1_STRING =
  'alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6&app_cert_sn=e90dd23a37c5c7b616e003970817ff82&app_id=9021000122682882&biz_content={"out_trade_no":"1703141270"}&charset=utf-8&format=JSON&method=alipay.trade.query&notify_url=http://hk.ysdor.cn/index.php&return_url=http://hk.ysdor.cn/index.php&sign_type=RSA2&timestamp=2023-12-21 06:54:37&version=1.0';
const AL1_SIGN =
  "FrzUwXziVWK2x5glZkGoQ6dGR87O33APv3D/lWjVqPrFnMwcYjOYyln1B1bw5VuOwokLRmqcwWuTumBg8Q+n4FkVR3DMCvL8ywTBp5+6pRAETfhFop4m+r6jI+dgOavwyoZ69CWCzCcEyb0vMjgrV2eoSI4bgLjJyPcGpZ+iDBTSvE6eVxs05bUjainAOB5NnAvME06nkaxGLB4qwF9c3SQoiZt7QcMRdyy6mRItZxRaEjMm6qX8dfPuuquJC4wpTRk8PQeu5EMR4yyc1atxso3CMovjkGr5LzDtqLNseyqqorYW+Gfu3ugHSs9aqkwAAysg79O6TsvuFa9OHq64Tg==";

describe("AL-1: request signing (yansongda, certificate mode)", () => {
  it("builds the sorted string: empty values dropped, sign_type kept, biz_content as JSON text", () => {
    expect(buildAlipaySignContent(AL1_PARAMS)).toBe(AL1_STRING);
  });

  it("signs to the published value with the PKCS#1 key", () => {
    expect(signRsa2(AL1_STRING, YANSONGDA_APP_KEY_PKCS1())).toBe(AL1_SIGN);
    const signed = signAlipayRequest(AL1_PARAMS, YANSONGDA_APP_KEY_PKCS1());
    expect(signed.sign).toBe(AL1_SIGN);
    expect(signed.biz_content).toBe('{"out_trade_no":"1703141270"}');
    expect(signed).not.toHaveProperty("app_auth_token");
  });

  it("signs identically with the same key as PKCS#8 PEM and as bare base64 (PKCS#1 and PKCS#8 bodies)", () => {
    const key = createPrivateKey(YANSONGDA_APP_KEY_PKCS1());
    const pkcs8 = key.export({ type: "pkcs8", format: "pem" }).toString();
    const pkcs1Bare = bareBody(YANSONGDA_APP_KEY_PKCS1());
    expect(signRsa2(AL1_STRING, pkcs8)).toBe(AL1_SIGN);
    expect(signRsa2(AL1_STRING, bareBody(pkcs8))).toBe(AL1_SIGN);
    expect(signRsa2(AL1_STRING, pkcs1Bare)).toBe(AL1_SIGN);
    expect(signRsa2(AL1_STRING, Buffer.from(pkcs8))).toBe(AL1_SIGN);
  });

  it("verifies with the app public key and fails after one changed byte", () => {
    const publicPem = createPublicKey(createPrivateKey(YANSONGDA_APP_KEY_PKCS1())).export({ type: "spki", format: "pem" }).toString();
    expect(verifyRsa2(AL1_STRING, AL1_SIGN, publicPem)).toBe(true);
    expect(verifyRsa2(AL1_STRING.replace("1703141270", "1703141271"), AL1_SIGN, publicPem)).toBe(false);
  });

  it("drops a caller-supplied sign and refuses sign_type other than RSA2", () => {
    expect(buildAlipaySignContent({ ...AL1_PARAMS, sign: "x" })).toBe(AL1_STRING);
    expect(signAlipayRequest({ ...AL1_PARAMS, sign: "stale" }, YANSONGDA_APP_KEY_PKCS1()).sign).toBe(AL1_SIGN);
    expect(() => signAlipayRequest({ ...AL1_PARAMS, sign_type: "RSA" }, YANSONGDA_APP_KEY_PKCS1())).toThrow(AlipaySignatureError);
  });
});

describe("AL-4: verify (gopay TestSyncVerifySign)", () => {
  const v = vector("AL-4");

  it("verifies the signed string with the PEM key and with its bare base64 body", () => {
    expect(verifyRsa2(v.signedString!, v.sign!, vectorKey("AL-4"))).toBe(true);
    expect(verifyRsa2(v.signedString!, v.sign!, bareBody(vectorKey("AL-4")))).toBe(true);
  });

  it("refuses a changed byte, another key, a missing or malformed sign", () => {
    expect(verifyRsa2(v.signedString!.replace('"0.01"', '"0.02"'), v.sign!, vectorKey("AL-4"))).toBe(false);
    expect(verifyRsa2(v.signedString!, v.sign!, fixtureText("alipay-sdk-nodejs-all__alipay-public-key.pem"))).toBe(false);
    expect(verifyRsa2(v.signedString!, "", vectorKey("AL-4"))).toBe(false);
    expect(verifyRsa2(v.signedString!, undefined, vectorKey("AL-4"))).toBe(false);
    expect(verifyRsa2(v.signedString!, `${v.sign!.slice(0, -4)}!!==`, vectorKey("AL-4"))).toBe(false);
    const flipped = (v.sign!.startsWith("a") ? "b" : "a") + v.sign!.slice(1);
    expect(verifyRsa2(v.signedString!, flipped, vectorKey("AL-4"))).toBe(false);
  });
});

describe("AL-5: verify with the key inside an Alipay public certificate (yansongda)", () => {
  it("verifies", () => {
    const v = vector("AL-5");
    expect(verifyRsa2(v.signedString!, v.sign!, vectorKey("AL-5"))).toBe(true);
    expect(verifyRsa2(`${v.signedString!} `, v.sign!, vectorKey("AL-5"))).toBe(false);
  });
});

describe("keys", () => {
  it("caches parsed keys by content", () => {
    const pem = YANSONGDA_APP_KEY_PKCS1();
    expect(loadAppPrivateKey(pem)).toBe(loadAppPrivateKey(pem));
    expect(loadAlipayPublicKey(vectorKey("AL-4"))).toBe(loadAlipayPublicKey(vectorKey("AL-4")));
  });

  it("refuses garbage and non-RSA keys as configuration errors", () => {
    expect(() => loadAppPrivateKey("not a key")).toThrow(AlipayConfigError);
    expect(() => loadAlipayPublicKey("QUJD")).toThrow(AlipayConfigError);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(() => loadAppPrivateKey(ec.privateKey.export({ type: "pkcs8", format: "pem" }))).toThrow(AlipayConfigError);
  });
});

describe("interop: alipay-sdk request signing", () => {
  const { sign } = alipaySdkUtil();

  // Empty values are left out of the input: alipay-sdk signs `app_auth_token=` while Alipay's documented rule
  // (and its Java SDK) drops empty values; we follow the documented rule, which the AL-1 vector confirms.
  it.each([
    ["PKCS1", "pkcs1"],
    ["PKCS8", "pkcs8"],
  ] as const)("its sign() and ours agree on the same input (%s key)", (keyType, type) => {
    const keys = freshKeyPair();
    const privateKey = type === "pkcs1" ? keys.privatePkcs1 : keys.privatePkcs8;
    const sdk = sign(
      "alipay.trade.precreate",
      {
        bizContent: { out_trade_no: "vk-20260101-001", total_amount: "0.01", subject: "会员 1+1 月 & 年" },
        notifyUrl: "https://example.com/notify?a=1&b=2",
      },
      { appId: "2021000000000000", charset: "utf-8", version: "1.0", signType: "RSA2", privateKey, keyType },
    );
    const { sign: sdkSign, ...sdkParams } = sdk;
    const ours = signAlipayRequest(sdkParams, privateKey);
    expect(ours.sign).toBe(sdkSign);
    expect(verifyRsa2(buildAlipaySignContent(sdkParams), sdkSign, keys.publicSpki)).toBe(true);
  });
});
