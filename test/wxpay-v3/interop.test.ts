import { generateKeyPairSync } from "node:crypto";
import { Aes, Formatter, Rsa } from "wechatpay-axios-plugin";
import type { WechatpayAxiosPlugin } from "wechatpay-axios-plugin";
import {
  buildAppPayParams,
  buildJsapiPayParams,
  createPlatformKeyRing,
  decryptResourceJson,
  decryptSensitiveField,
  encryptResource,
  encryptSensitiveField,
  loadPrivateKey,
  loadWxpayPublicKey,
  parseAuthorization,
  signRequest,
  signResponse,
  verifyWxpayV3Message,
  WxpayV3CryptoError,
  WxpayV3ValidationError,
} from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";

/**
 * Interop with wechatpay-axios-plugin (TheNorthMemory), an independent implementation used here only as an
 * oracle: its own message formatters, RSA and AES-GCM helpers against ours, on freshly generated keys.
 */
const AesGcm = (Aes as unknown as typeof WechatpayAxiosPlugin.Aes).AesGcm;

const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
const merchantPrivatePem = merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const platformPublicPem = platform.publicKey.export({ type: "spki", format: "pem" }) as string;
const PUB_KEY_ID = "PUB_KEY_ID_0116571234562024052000123400000000";
const API_V3_KEY = "0123456789ABCDEFghijklmnopqrstuv";

describe("our request signature, checked by wechatpay-axios-plugin", () => {
  const cases = [
    { method: "GET", canonicalUrl: "/v3/pay/transactions/out-trade-no/T-20261125-1?mchid=1230000109", body: undefined },
    {
      method: "POST",
      canonicalUrl: "/v3/pay/transactions/jsapi",
      body: JSON.stringify({ appid: "wx8888888888888888", description: "测试商品", amount: { total: 1 } }),
    },
    { method: "POST", canonicalUrl: "/v3/pay/transactions/out-trade-no/T1/close", body: '{"mchid":"1230000109"}' },
  ];

  it.each(cases)("$method $canonicalUrl verifies with Rsa.verify over Formatter.request", ({ method, canonicalUrl, body }) => {
    const signed = signRequest({
      mchid: "1230000109",
      serialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
      privateKey: loadPrivateKey(merchantPrivatePem),
      method,
      canonicalUrl,
      body,
    });
    const params = parseAuthorization(signed.authorization);
    const theirMessage = Formatter.request(method, canonicalUrl, params.timestamp, params.nonceStr, body ?? "");
    expect(theirMessage).toBe(signed.message);
    expect(Rsa.verify(theirMessage, params.signature, merchant.publicKey)).toBe(true);
    // And a different URL must not verify: the check above is not vacuous.
    expect(Rsa.verify(Formatter.request(method, `${canonicalUrl}x`, params.timestamp, params.nonceStr, body ?? ""), params.signature, merchant.publicKey)).toBe(
      false,
    );
  });

  it("parses the header wechatpay-axios-plugin formats (its own parameter order)", () => {
    const message = Formatter.request("GET", "/v3/certificates", "1624523846", "A1B2C3D4E5F6G7", "");
    const signature = Rsa.sign(message, merchant.privateKey);
    const header = Formatter.authorization("1230000109", "A1B2C3D4E5F6G7", signature, "1624523846", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");
    expect(parseAuthorization(header)).toEqual({
      mchid: "1230000109",
      nonceStr: "A1B2C3D4E5F6G7",
      timestamp: "1624523846",
      serialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
      signature,
    });
  });

  it("our JSAPI and APP pay signatures verify with Rsa.verify over joinedByLineFeed", () => {
    const privateKey = loadPrivateKey(merchantPrivatePem);
    const jsapi = buildJsapiPayParams({ appId: "wx8888888888888888", prepayId: "wx201410272009395522657a690389285100", privateKey });
    expect(Rsa.verify(Formatter.joinedByLineFeed(jsapi.appId, jsapi.timeStamp, jsapi.nonceStr, jsapi.package), jsapi.paySign, merchant.publicKey)).toBe(true);
    const app = buildAppPayParams({ appid: "wx8888888888888888", mchid: "1900000109", prepayId: "WX1217752501201407033233368018", privateKey });
    expect(Rsa.verify(Formatter.joinedByLineFeed(app.appid, app.timestamp, app.noncestr, app.prepayid), app.sign, merchant.publicKey)).toBe(true);
  });
});

describe("a notification built by wechatpay-axios-plugin, verified and decrypted by us", () => {
  const transaction = {
    mchid: "1230000109",
    appid: "wx8888888888888888",
    out_trade_no: "T-20261125-1",
    transaction_id: "4200000000000000000000000001",
    trade_state: "SUCCESS",
    amount: { total: 1, payer_total: 1, currency: "CNY" },
  };
  const timestamp = "1764095200";
  const nonce = "fdasflkja484w8e4fa84e8f1ea4f8ea4";
  const resourceNonce = "Kj7QIyUiYx1q";
  const body = JSON.stringify({
    id: "EV-2018022511223320873",
    create_time: "2026-11-25T18:26:40+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: {
      original_type: "transaction",
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: AesGcm.encrypt(JSON.stringify(transaction), API_V3_KEY, resourceNonce, "transaction"),
      associated_data: "transaction",
      nonce: resourceNonce,
    },
  });
  const headers = {
    "wechatpay-timestamp": timestamp,
    "wechatpay-nonce": nonce,
    "wechatpay-signature": Rsa.sign(Formatter.response(timestamp, nonce, body), platform.privateKey),
    "wechatpay-serial": PUB_KEY_ID,
    "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  };
  const keys = createPlatformKeyRing({ publicKeys: [loadWxpayPublicKey(PUB_KEY_ID, platformPublicPem)] });
  const nowMs = Number(timestamp) * 1000 + 30_000;

  it("verifies the signature and decrypts the resource", () => {
    expect(verifyWxpayV3Message({ headers, body, keys, nowMs })).toEqual({ serial: PUB_KEY_ID });
    const envelope = JSON.parse(body) as { resource: unknown };
    expect(decryptResourceJson(envelope.resource, API_V3_KEY)).toEqual(transaction);
  });

  it("refuses it signed by the merchant key instead of the platform key", () => {
    const forged = { ...headers, "wechatpay-signature": Rsa.sign(Formatter.response(timestamp, nonce, body), merchant.privateKey) };
    expect(() => verifyWxpayV3Message({ headers: forged, body, keys, nowMs })).toThrow(expect.objectContaining({ reason: "wxpay-v3-signature-invalid" }));
  });
});

describe("our signed response (the sandbox playing WeChat Pay), checked by wechatpay-axios-plugin", () => {
  it("verifies with Rsa.verify over Formatter.response, also for an empty 204 body", () => {
    for (const body of ['{"prepay_id":"wx201410272009395522657a690389285100"}', ""]) {
      const headers = signResponse({ body, privateKey: platform.privateKey, serial: PUB_KEY_ID });
      expect(
        Rsa.verify(Formatter.response(headers["Wechatpay-Timestamp"]!, headers["Wechatpay-Nonce"]!, body), headers["Wechatpay-Signature"]!, platform.publicKey),
      ).toBe(true);
      const keys = createPlatformKeyRing({ publicKeys: [loadWxpayPublicKey(PUB_KEY_ID, platformPublicPem)] });
      expect(verifyWxpayV3Message({ headers, body, keys, nowMs: Date.now() }).serial).toBe(PUB_KEY_ID);
    }
  });
});

describe("our AES-GCM and OAEP output, opened by wechatpay-axios-plugin (and back)", () => {
  it("decrypts our encryptResource output with AesGcm.decrypt", () => {
    const plaintext = JSON.stringify({
      out_refund_no: "R1",
      refund_status: "SUCCESS",
      amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100 },
    });
    const resource = encryptResource({ plaintext, apiV3Key: API_V3_KEY, associatedData: "refund" });
    expect(AesGcm.decrypt(resource.ciphertext, API_V3_KEY, resource.nonce, resource.associated_data)).toBe(plaintext);
  });

  it("matches AesGcm.encrypt byte for byte for the same nonce", () => {
    const resource = encryptResource({ plaintext: "message", apiV3Key: API_V3_KEY, associatedData: "certificate", nonce: "14b16c03dc1b" });
    expect(resource.ciphertext).toBe(AesGcm.encrypt("message", API_V3_KEY, "14b16c03dc1b", "certificate"));
  });

  it("RSA-OAEP: our encryptSensitiveField decrypts with Rsa.decrypt, and Rsa.encrypt decrypts with ours", () => {
    const ours = encryptSensitiveField("张三", platform.publicKey);
    expect(Rsa.decrypt(ours, platform.privateKey)).toBe("张三");
    const theirs = Rsa.encrypt("李四", platform.publicKey);
    expect(decryptSensitiveField(theirs, platform.privateKey)).toBe("李四");
  });

  it("refuses to decrypt with the wrong key and to encrypt more than OAEP-SHA1 can hold", () => {
    expect(() => decryptSensitiveField(encryptSensitiveField("张三", platform.publicKey), merchant.privateKey)).toThrow(WxpayV3CryptoError);
    expect(() => encryptSensitiveField("x".repeat(215), platform.publicKey)).toThrow(WxpayV3ValidationError);
    expect(encryptSensitiveField("x".repeat(214), platform.publicKey)).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });
});
