import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ecpayMsgSignature, ecpaySigningString, signEcpayRequest, verifyEcpayMsgSignature } from "../../common/vk-uni-pay/src/providers/douyin/ecpay/sign";

/**
 * 担保支付's published vectors:
 * - DY-1, the official settle example (developer.open-douyin.com "签名 DEMO", as reproduced at
 *   blog.csdn.net/qq_29130645/article/details/116205904);
 * - DY-2, yansongda/pay tests/Plugin/Douyin/V1/Pay/AddPayloadSignaturePluginTest.php @45f1b1fe;
 * - DY-3, yansongda/pay tests/Plugin/Douyin/V1/Pay/CallbackPluginTest.php @45f1b1fe (fixtures/ holds its raw body).
 */

describe("ecpay request signature (salt MD5)", () => {
  it("DY-1: the official settle example, its intermediate string and its sign", () => {
    const params = {
      settle_params: '[{"merchant_uid":"123345","amount":1}]',
      thirdparty_id: "tt_thirdparty",
      settle_desc: "开始结算与分账",
      out_settle_no: "mock_settle_no",
      out_order_no: "mock_settle_no",
      notify_url: "https://callback.com",
      app_id: "tt_app",
    };
    expect(ecpaySigningString(params, "your_payment_salt")).toBe(
      '[{"merchant_uid":"123345","amount":1}]&https://callback.com&mock_settle_no&mock_settle_no&your_payment_salt&开始结算与分账',
    );
    expect(signEcpayRequest(params, "your_payment_salt")).toBe("3c9421d0268a974138f4b36e9cefa1f1");
  });

  const SALT = "oDxWDBr4U7FAAQ8hnGDm29i4A6pbTMDKme4WLLvA";
  const order = {
    total_amount: 1,
    subject: "闫嵩达 - test - subject - 01",
    body: "闫嵩达 - test - body - 01",
    valid_time: 600,
    notify_url: "https://yansongda.cn/douyin/notify",
    app_id: "tt226e54d3bd581bf801",
  };

  it("DY-2: a create_order payload, app_id left out of the signature", () => {
    const params = { ...order, out_order_no: "202406100423024876" };
    expect(ecpaySigningString(params, SALT)).toBe(
      `1&202406100423024876&600&https://yansongda.cn/douyin/notify&${SALT}&闫嵩达 - test - body - 01&闫嵩达 - test - subject - 01`,
    );
    expect(signEcpayRequest(params, SALT)).toBe("771c1952ffb5e0744fc0ad1337aafa6a");
  });

  it("DY-2: an object field is signed as its JSON text", () => {
    const params = { ...order, out_order_no: "202406101307142575", expand_order_info: { original_delivery_fee: 15, actual_delivery_fee: 10 } };
    expect(signEcpayRequest(params, SALT)).toBe("259702d0e950991b0bd494c9357f3ca4");
    expect(signEcpayRequest({ ...params, expand_order_info: JSON.stringify(params.expand_order_info) }, SALT)).toBe("259702d0e950991b0bd494c9357f3ca4");
  });

  it("skips empty and null values, strips quotes and spaces, and never signs sign, thirdparty_id or other_settle_params", () => {
    const base = signEcpayRequest({ out_order_no: "A1", total_amount: 5 }, "salt");
    expect(signEcpayRequest({ out_order_no: ' "A1" ', total_amount: 5, cp_extra: "", x: "null", y: null, sign: "z", other_settle_params: "q" }, "salt")).toBe(
      base,
    );
    expect(signEcpayRequest({ out_order_no: "A1", total_amount: 6 }, "salt")).not.toBe(base);
  });
});

describe("ecpay callback msg_signature (SHA1 of the sorted token, timestamp, nonce, msg)", () => {
  const vector = JSON.parse(readFileSync(join(__dirname, "fixtures", "yansongda-ecpay-payment-callback.json"), "utf8")) as { token: string; rawBody: string };
  const body = JSON.parse(vector.rawBody) as { timestamp: string; nonce: string; msg: string; msg_signature: string };

  it("DY-3: yansongda's payment callback", () => {
    expect(ecpayMsgSignature(vector.token, body.timestamp, body.nonce, body.msg)).toBe("840bdf067c1d6056becfe88735c8ebb7e1ab809c");
    expect(verifyEcpayMsgSignature(vector.token, body)).toBe(true);
  });

  it("refuses another token, another msg and a truncated signature", () => {
    expect(verifyEcpayMsgSignature("other_token", body)).toBe(false);
    expect(verifyEcpayMsgSignature(vector.token, { ...body, msg: body.msg.replace('"total_amount":1', '"total_amount":2') })).toBe(false);
    expect(verifyEcpayMsgSignature(vector.token, { ...body, msg_signature: body.msg_signature.slice(0, 39) })).toBe(false);
  });
});
