import { createCipheriv, createHmac } from "node:crypto";
import {
  decryptMessage,
  encryptMessage,
  encryptReply,
  MessagePushError,
  messageSignature,
  sameMessageSignature,
} from "../../common/vk-uni-pay/src/providers/wxpay-virtual/protocol/message-crypto";
import {
  requestVirtualPaymentPaySig,
  sameHexSignature,
  xpayPaySig,
  xpayUserSignature,
} from "../../common/vk-uni-pay/src/providers/wxpay-virtual/protocol/sign";
import { PUSH, XP1, XP2 } from "./vectors";

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof MessagePushError) return error.reason;
    throw error;
  }
  return undefined;
}

describe("XP-1: the official virtual-payment signature script", () => {
  it("signs pay_sig over /xpay/<api>&<body> with the AppKey", () => {
    expect(xpayPaySig(XP1.appKey, XP1.api, XP1.body)).toBe(XP1.paySig);
  });

  it("signs the user signature with the session key as a UTF-8 string", () => {
    expect(xpayUserSignature(XP1.sessionKey, XP1.body)).toBe(XP1.signature);
    // Base64-decoding the session key (a common mistake) gives another value.
    expect(createHmac("sha256", Buffer.from(XP1.sessionKey, "base64")).update(XP1.body).digest("hex")).not.toBe(XP1.signature);
  });

  it("refuses the no-slash pay_sig (xpay/<api>) that WeChat rejects", () => {
    expect(xpayPaySig(XP1.appKey, XP1.api, XP1.body)).not.toBe(XP1.noSlashPaySig);
    expect(sameHexSignature(xpayPaySig(XP1.appKey, XP1.api, XP1.body), XP1.noSlashPaySig)).toBe(false);
    expect(sameHexSignature(xpayPaySig(XP1.appKey, XP1.api, XP1.body), XP1.paySig)).toBe(true);
    expect(sameHexSignature(xpayPaySig(XP1.appKey, XP1.api, XP1.body), XP1.paySig.toUpperCase())).toBe(true);
  });

  it("covers the exact body: one space less is another signature", () => {
    expect(xpayPaySig(XP1.appKey, XP1.api, '{"openid":"xxx","user_ip":"127.0.0.1","env":0}')).not.toBe(XP1.paySig);
  });

  it("signs the client's paySig over requestVirtualPayment&<signData> (no slash)", () => {
    const signData =
      '{"offerId":"123","buyQuantity":1,"env":0,"currencyType":"CNY","productId":"testproductId","goodsPrice":10,"outTradeNo":"xxxxxx","attach":"testdata"}';
    expect(requestVirtualPaymentPaySig("12345", signData)).toBe(createHmac("sha256", "12345").update(`requestVirtualPayment&${signData}`).digest("hex"));
    expect(requestVirtualPaymentPaySig("12345", signData)).not.toBe(xpayPaySig("12345", "requestVirtualPayment", signData));
  });
});

describe("message push: the official examples (Token AAAAA)", () => {
  it("verifies the GET check's signature over token, timestamp and nonce", () => {
    const expected = messageSignature(PUSH.token, PUSH.get.timestamp, PUSH.get.nonce);
    expect(expected).toBe(PUSH.get.signature);
    expect(sameMessageSignature(expected, PUSH.get.signature)).toBe(true);
    expect(sameMessageSignature(expected, PUSH.get.signature.replace(/^f/, "e"))).toBe(false);
  });

  it("verifies a plain-mode push's signature", () => {
    expect(messageSignature(PUSH.token, PUSH.plain.timestamp, PUSH.plain.nonce)).toBe(PUSH.plain.signature);
  });

  it("verifies a safe-mode msg_signature over the four sorted strings", () => {
    const { timestamp, nonce, msg_signature } = PUSH.safe.query;
    expect(messageSignature(PUSH.token, timestamp, nonce, PUSH.safe.body.Encrypt)).toBe(msg_signature);
    // The plain `signature` of the same push is a different value, not to be used in safe mode.
    expect(messageSignature(PUSH.token, timestamp, nonce)).not.toBe(msg_signature);
  });

  it("decrypts the safe-mode push with 32-byte PKCS#7 padding and checks the app id", () => {
    expect(decryptMessage(PUSH.encodingAESKey, PUSH.safe.body.Encrypt, PUSH.appId)).toBe(PUSH.safe.message);
    const raw = Buffer.from(PUSH.safe.body.Encrypt, "base64");
    expect(raw.length).toBe(224);
  });

  it("refuses the push when the app id inside the ciphertext is not ours", () => {
    expect(reasonOf(() => decryptMessage(PUSH.encodingAESKey, PUSH.safe.body.Encrypt, "wx0000000000000000"))).toBe("appid-mismatch");
  });

  it("encrypts the reply exactly as the page's example", () => {
    const reply = encryptReply({ token: PUSH.token, encodingAESKey: PUSH.encodingAESKey, appId: PUSH.appId }, PUSH.reply.message, {
      timestamp: PUSH.reply.timestamp,
      nonce: PUSH.reply.nonce,
      random: Buffer.from(PUSH.reply.random, "utf8"),
    });
    expect(reply).toEqual({ Encrypt: PUSH.reply.Encrypt, MsgSignature: PUSH.reply.MsgSignature, TimeStamp: PUSH.reply.timestamp, Nonce: PUSH.reply.nonce });
    expect(decryptMessage(PUSH.encodingAESKey, reply.Encrypt, PUSH.appId)).toBe(PUSH.reply.message);
  });
});

describe("XP-2 (regression): message crypto round trip", () => {
  it("encrypts to the recorded ciphertext and signatures", () => {
    expect(encryptMessage(XP2.encodingAESKey, XP2.appId, XP2.message, Buffer.from(XP2.random))).toBe(XP2.Encrypt);
    expect(decryptMessage(XP2.encodingAESKey, XP2.Encrypt, XP2.appId)).toBe(XP2.message);
    expect(messageSignature(XP2.token, XP2.timestamp, XP2.nonce, XP2.Encrypt)).toBe(XP2.msgSignature);
    expect(messageSignature(XP2.token, XP2.timestamp, XP2.nonce)).toBe(XP2.plainSignature);
  });
});

describe("message push: what must be refused", () => {
  it("a forged msg_signature", () => {
    const { timestamp, nonce } = PUSH.safe.query;
    const expected = messageSignature(PUSH.token, timestamp, nonce, PUSH.safe.body.Encrypt);
    expect(sameMessageSignature(expected, "046e02f8204d34f8ba5fa3b1db94908f3df2e9b4")).toBe(false);
    expect(sameMessageSignature(expected, messageSignature("BBBBB", timestamp, nonce, PUSH.safe.body.Encrypt))).toBe(false);
    expect(sameMessageSignature(expected, undefined)).toBe(false);
  });

  it("16-byte AES padding (the block WeChat does not use)", () => {
    const key = Buffer.from(`${PUSH.encodingAESKey}=`, "base64");
    const message = Buffer.from("{}");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(message.length);
    const content = Buffer.concat([Buffer.alloc(16, 7), length, message, Buffer.from(PUSH.appId)]);
    const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)); // default PKCS#7 with 16-byte blocks
    const sixteen = Buffer.concat([cipher.update(content), cipher.final()]).toString("base64");
    expect(reasonOf(() => decryptMessage(PUSH.encodingAESKey, sixteen, PUSH.appId))).toMatch(/encrypt-malformed|padding-invalid/);
  });

  it("a tampered ciphertext, a malformed one and a bad EncodingAESKey", () => {
    const bytes = Buffer.from(PUSH.safe.body.Encrypt, "base64");
    bytes[bytes.length - 1] ^= 0xff;
    expect(reasonOf(() => decryptMessage(PUSH.encodingAESKey, bytes.toString("base64"), PUSH.appId))).toBeDefined();
    expect(reasonOf(() => decryptMessage(PUSH.encodingAESKey, "not base64!", PUSH.appId))).toBe("encrypt-malformed");
    expect(reasonOf(() => decryptMessage("short", PUSH.safe.body.Encrypt, PUSH.appId))).toBe("aes-key-invalid");
    expect(reasonOf(() => decryptMessage("B".repeat(43), PUSH.safe.body.Encrypt, PUSH.appId))).toBeDefined();
  });
});
