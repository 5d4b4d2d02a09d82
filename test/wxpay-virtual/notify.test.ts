import { SignatureError } from "../../common/vk-uni-pay/src/core/errors";
import type { RawNotification } from "../../common/vk-uni-pay/src/kernel/contract";
import { acknowledgeXpayNotify, verifyXpayNotify } from "../../common/vk-uni-pay/src/providers/wxpay-virtual/notify";
import { PUSH } from "./vectors";

/** The message-push page's mini program (Token AAAAA, EncodingAESKey A×43), as a wxpay-virtual sub-config. */
const config = (overrides: Record<string, unknown> = {}) =>
  Object.freeze({ appId: PUSH.appId, secret: "s", offerId: "o", appKey: "k", token: PUSH.token, encodingAESKey: PUSH.encodingAESKey, ...overrides });
const runtime = { now: Date.now, request: () => Promise.reject(new Error("no network")) };
const raw = (method: string, query: Record<string, string>, body = ""): RawNotification => ({
  method,
  path: "/vk-pay-notify/wxpay-virtual_mp-weixin",
  headers: {},
  body: Buffer.from(body),
  query,
});

describe("wxpay-virtual message pushes, on the message-push page's vectors", () => {
  it("answers the GET check with echostr verbatim, and refuses a wrong signature", async () => {
    const get = raw("GET", PUSH.get);
    expect(await verifyXpayNotify(get, config(), runtime)).toEqual({ kind: "ignored", eventType: "echostr" });
    expect(acknowledgeXpayNotify(true, { notification: get })).toMatchObject({ statusCode: 200, body: PUSH.get.echostr });
    const forged = raw("GET", { ...PUSH.get, signature: "0".repeat(40) });
    await expect(verifyXpayNotify(forged, config(), runtime)).rejects.toBeInstanceOf(SignatureError);
    expect(acknowledgeXpayNotify(false, { notification: forged }).body).not.toBe(PUSH.get.echostr);
  });

  it("accepts the safe-mode push (msg_signature, decryption, app id) and replies success", async () => {
    const push = raw("POST", PUSH.safe.query, JSON.stringify(PUSH.safe.body));
    expect(await verifyXpayNotify(push, config(), runtime)).toEqual({ kind: "ignored", eventType: "debug_demo" });
    expect(acknowledgeXpayNotify(true, { notification: push, config: config() })).toMatchObject({ statusCode: 200, body: "success" });
  });

  it("refuses a forged msg_signature and a ciphertext for another app id", async () => {
    const forged = raw("POST", { ...PUSH.safe.query, msg_signature: "046e02f8204d34f8ba5fa3b1db94908f3df2e9b4" }, JSON.stringify(PUSH.safe.body));
    await expect(verifyXpayNotify(forged, config(), runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-virtual-msg-signature-invalid" });
    const push = raw("POST", PUSH.safe.query, JSON.stringify(PUSH.safe.body));
    await expect(verifyXpayNotify(push, config({ appId: "wx0000000000000000" }), runtime)).rejects.toMatchObject({
      errCode: "vk-pay-wxpay-virtual-appid-mismatch",
    });
  });

  it("refuses a plain push when safe mode is configured, and answers a refusal with ErrCode not 0 in the push's format", async () => {
    const plain = raw("POST", PUSH.plain, '{"ToUserName":"gh_97417a04a28d","MsgType":"event","Event":"debug_demo"}');
    await expect(verifyXpayNotify(plain, config(), runtime)).rejects.toMatchObject({ errCode: "vk-pay-wxpay-virtual-plain-refused" });
    expect(await verifyXpayNotify(plain, config({ encodingAESKey: "" }), runtime)).toEqual({ kind: "ignored", eventType: "debug_demo" });
    expect(acknowledgeXpayNotify(true, { notification: plain }).body).toBe('{"ErrCode":0,"ErrMsg":"success"}');
    expect(JSON.parse(acknowledgeXpayNotify(false, { notification: plain }).body).ErrCode).not.toBe(0);
    const xml = raw("POST", PUSH.plain, "<xml><MsgType>event</MsgType></xml>");
    expect(acknowledgeXpayNotify(true, { notification: xml }).body).toBe("<xml><ErrCode>0</ErrCode><ErrMsg><![CDATA[success]]></ErrMsg></xml>");
  });
});
