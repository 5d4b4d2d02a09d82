import { buildAppPayParams, buildJsapiPayParams, loadPrivateKey, WxpayV3ValidationError } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { GO_KEY } from "./fixtures";

// protocols.md §2.5 [D]: wechatpay-go test key with the official doc sample values.
describe("client pay parameters (§2.5)", () => {
  const privateKey = loadPrivateKey(GO_KEY());

  it("JSAPI / mini-program: signs appId, timeStamp, nonceStr and prepay_id=…", () => {
    expect(
      buildJsapiPayParams({
        appId: "wx8888888888888888",
        prepayId: "wx201410272009395522657a690389285100",
        privateKey,
        nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        timeStamp: "1624523846",
      }),
    ).toEqual({
      appId: "wx8888888888888888",
      timeStamp: "1624523846",
      nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
      package: "prepay_id=wx201410272009395522657a690389285100",
      signType: "RSA",
      paySign:
        "r3GzfFIMR4U7dfjgCpOIDma9Sh7E1CyKNrFSCaVABdL5cXcZ3jtTzxaj7SzwQWjZ74oc9LFKTcjCSxEDAE/QGBx5ATLd/Pcm+UL2/2m2idYc2gxQ3bgRNyhZppqV58+DDEeXyhGZYeqQLA5VUqbK8luM8K2vcxR9HP/dPl1RksaHCB5y1GyUz9+H3P5B9fJ1zSl12nFWa+C5npvwkhic8fP8j1C5KI/2gAFBqOK+NcO+A+sYwg/IrnKtapeNaBvNGscQBLHTVPbQFYyJeLhB1IbpyzQ7HW4xflWmNC7IDPOWN31Kriq9kMM8Mli7kOzuWe9KOd02SZ9NCUIJoMcs5Q==",
    });
  });

  it("APP: signs appid, timestamp, noncestr and the bare prepayid", () => {
    expect(
      buildAppPayParams({
        appid: "wx8888888888888888",
        mchid: "1900000109",
        prepayId: "WX1217752501201407033233368018",
        privateKey,
        nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        timestamp: "1624523846",
      }),
    ).toEqual({
      appid: "wx8888888888888888",
      partnerid: "1900000109",
      prepayid: "WX1217752501201407033233368018",
      package: "Sign=WXPay",
      noncestr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
      timestamp: "1624523846",
      sign: "Va3E3d43y0zxQTFAsKRRjJO76aOEibptJ1cvg4ZRM9QQC6phBbdptTMVy0drwOCzdQFbaQSBQLyOKCiS1hlmIAoSdQk/UeLRX3qOkmpw0AhHVdLlEG0OYfp/E/U6+H5z+0jwv3BGUyYjJoGnDk5EszszXz6+rszmZPIh221Ot6TR4kkIBe9MIcBQxRsAOkLy7C0Si1YvFWQS/eDsi9AKU6qZu+rDou8jt+J4BbCypCpjwJwzoM1oI9S9HItsWiQKnlGl19NydDbg9CC62StnfdvHLyBHgyA7Q5HgdBVTa4vqcYUdkhDrif+g2Y1PXXDpNC0oSKpIkk6EiPnO5eX+5A==",
    });
  });

  it("fills in a nonce and the current time when not injected", () => {
    const params = buildJsapiPayParams({ appId: "wx8888888888888888", prepayId: "wx2014", privateKey });
    expect(params.nonceStr).toMatch(/^[0-9A-F]{32}$/);
    expect(Math.abs(Number(params.timeStamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("refuses fields with newlines (they would shift the signed lines) and millisecond timestamps", () => {
    expect(() => buildJsapiPayParams({ appId: "wx88\n88", prepayId: "p", privateKey })).toThrow(WxpayV3ValidationError);
    expect(() => buildAppPayParams({ appid: "wx", mchid: "1", prepayId: "", privateKey })).toThrow(WxpayV3ValidationError);
    expect(() => buildJsapiPayParams({ appId: "wx", prepayId: "p", privateKey, timeStamp: "1624523846000" })).toThrow(WxpayV3ValidationError);
  });
});
