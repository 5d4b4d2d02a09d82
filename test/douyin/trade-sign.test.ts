import { createSign, generateKeyPairSync } from "node:crypto";
import {
  callbackSigningString,
  parseByteAuthorization,
  requestOrderSigningString,
  signDouyinCallback,
  signRequestOrder,
  verifyDouyinCallback,
  verifyRequestOrder,
} from "../../common/vk-uni-pay/src/providers/douyin/trade/sign";

/**
 * 通用交易系统 has no published vectors: these are round trips with our own keys only, checked against
 * an independent SHA256withRSA over the five-line string the official signature page describes
 * (developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/signature-algorithm).
 */
const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });

describe("tt.requestOrder byteAuthorization", () => {
  const data = JSON.stringify({ outOrderNo: "T1", totalAmount: 100, skuList: [{ skuId: "T1", price: 100, quantity: 1, title: "充值" }] });
  const header = signRequestOrder(data, app.privateKey, { appId: "tt123", keyVersion: "2", timestamp: "1700000000", nonceStr: "abc123" });

  it("is the documented header over five lines, each ending in \\n, signed PKCS#1 v1.5 SHA-256 with the app key", () => {
    expect(requestOrderSigningString("1700000000", "abc123", data)).toBe(`POST\n/requestOrder\n1700000000\nabc123\n${data}\n`);
    const expected = createSign("RSA-SHA256").update(`POST\n/requestOrder\n1700000000\nabc123\n${data}\n`).sign(app.privateKey, "base64");
    expect(header).toBe(`SHA256-RSA2048 appid=tt123,nonce_str=abc123,timestamp=1700000000,key_version=2,signature=${expected}`);
  });

  it("reads back with bare or quoted values (the official page leaves this open) and verifies with the app public key", () => {
    const bare = parseByteAuthorization(header)!;
    const quoted = parseByteAuthorization(header.replace(/=([^,]+)/g, '="$1"'))!;
    expect(quoted).toEqual(bare);
    expect(verifyRequestOrder(data, bare, app.publicKey)).toBe(true);
    expect(verifyRequestOrder(data.replace("100", "1"), bare, app.publicKey)).toBe(false);
    expect(verifyRequestOrder(data, bare, platform.publicKey)).toBe(false);
    expect(parseByteAuthorization("SHA256-RSA2048 appid=a,nonce_str=b")).toBeUndefined();
    expect(parseByteAuthorization("WECHATPAY2-SHA256-RSA2048 appid=a")).toBeUndefined();
  });
});

describe("callback signature over <Byte-Timestamp>\\n<Byte-Nonce-Str>\\n<raw body>\\n", () => {
  const body = Buffer.from(JSON.stringify({ version: "3.0", type: "payment", msg: JSON.stringify({ out_order_no: "T1", status: "SUCCESS" }) }));

  it("verifies the whole raw body with the platform key, and nothing else", () => {
    const signature = signDouyinCallback("1700000000", "n1", body, platform.privateKey);
    const independent = createSign("RSA-SHA256").update(`1700000000\nn1\n${body.toString()}\n`).sign(platform.privateKey, "base64");
    expect(signature).toBe(independent);
    expect(callbackSigningString("1700000000", "n1", body).toString()).toBe(`1700000000\nn1\n${body.toString()}\n`);
    expect(verifyDouyinCallback("1700000000", "n1", body, signature, platform.publicKey)).toBe(true);
    expect(verifyDouyinCallback("1700000001", "n1", body, signature, platform.publicKey)).toBe(false);
    expect(verifyDouyinCallback("1700000000", "n2", body, signature, platform.publicKey)).toBe(false);
    expect(verifyDouyinCallback("1700000000", "n1", Buffer.concat([body, Buffer.from(" ")]), signature, platform.publicKey)).toBe(false);
    expect(verifyDouyinCallback("1700000000", "n1", body, signature, app.publicKey)).toBe(false);
    expect(verifyDouyinCallback("1700000000", "n1", body, "not base64!", platform.publicKey)).toBe(false);
  });

  it("does not verify a signature made over msg alone (a known mistake of some integrations)", () => {
    const msg = JSON.parse(body.toString()).msg as string;
    const overMsg = signDouyinCallback("1700000000", "n1", msg, platform.privateKey);
    expect(verifyDouyinCallback("1700000000", "n1", body, overMsg, platform.publicKey)).toBe(false);
  });
});
