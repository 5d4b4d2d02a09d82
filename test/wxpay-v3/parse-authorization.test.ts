import { parseAuthorization, WxpayV3SignatureError } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";

// V3-2's expected header (yansongda AddPayloadSignaturePluginTest.php).
const V3_2 =
  'WECHATPAY2-SHA256-RSA2048 mchid="1600314069",nonce_str="QqtzdVzxavZeXag9G5mtfzbfzFMf89p6",timestamp="1626493236",serial_no="25F8AA5452D55497C24BA57DC81B1E5915DC2E77",signature="KzIgMgiop3nQJNdBVR2Xah/JUwVBLDFFajyXPiSN8b8YAYEA4FuWfaCgFJ52+WFed+PhOYWx/ZPih4RaEuuSdYB8eZwYUx7RZGMQZk0bKCctAjjPuf4pJN+f/WsXKjPIy3diqF5x7gyxwSCaKWP4/KjsHNqgQpiC8q1uC5xmElzuhzSwj88LIoLtkAuSmtUVvdAt0Nz41ECHZgHWSGR32TfBo902r8afdaVKkFde8IoqcEJJcp6sMxdDO5l9R5KEWxrJ1SjsXVrb0IPH8Nj7e6hfhq7pucxojPpzsC+ZWAYvufZkAQx3kTiFmY87T+QhkP9FesOfWvkIRL4E6MP6ug=="';

describe("parseAuthorization", () => {
  it("reads the five parameters of the V3-2 header", () => {
    const params = parseAuthorization(V3_2);
    expect(params).toEqual({
      mchid: "1600314069",
      nonceStr: "QqtzdVzxavZeXag9G5mtfzbfzFMf89p6",
      timestamp: "1626493236",
      serialNo: "25F8AA5452D55497C24BA57DC81B1E5915DC2E77",
      signature: expect.stringMatching(/^KzIgMgiop3nQ.*==$/),
    });
  });

  it("accepts any parameter order, as the docs allow (official doc order here)", () => {
    const params = parseAuthorization(
      'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="c2ln",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"',
    );
    expect(params.serialNo).toBe("1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");
    expect(params.signature).toBe("c2ln");
  });

  const valid = 'mchid="1",nonce_str="n",timestamp="1554208460",serial_no="AB",signature="c2ln"';
  const malformed: Array<[string, unknown]> = [
    ["not a string", 42],
    ["empty", ""],
    ["wrong schema", `WECHATPAY2-SHA256-RSA4096 ${valid}`],
    ["lowercase schema", `wechatpay2-sha256-rsa2048 ${valid}`],
    ["no parameters", "WECHATPAY2-SHA256-RSA2048 "],
    ["missing signature", 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1554208460",serial_no="AB"'],
    ["repeated mchid", `WECHATPAY2-SHA256-RSA2048 ${valid},mchid="2"`],
    ["unknown parameter", `WECHATPAY2-SHA256-RSA2048 ${valid},extra="x"`],
    ["unquoted value", 'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",timestamp="1554208460",serial_no="AB",signature="c2ln"'],
    ["empty value", 'WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="n",timestamp="1554208460",serial_no="AB",signature="c2ln"'],
    ["trailing comma", `WECHATPAY2-SHA256-RSA2048 ${valid},`],
    ["trailing garbage", `WECHATPAY2-SHA256-RSA2048 ${valid} x`],
    ["semicolon separator", `WECHATPAY2-SHA256-RSA2048 ${valid.replace(/,/g, ";")}`],
    ["timestamp not seconds", 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="2019-04-02",serial_no="AB",signature="c2ln"'],
    ["signature not base64", 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1554208460",serial_no="AB",signature="WECHATPAY/SIGNTEST/x!"'],
    ["too long", `WECHATPAY2-SHA256-RSA2048 ${valid.replace('"n"', `"${"n".repeat(5000)}"`)}`],
  ];

  it.each(malformed)("refuses a header that is %s", (_why, header) => {
    let caught: unknown;
    try {
      parseAuthorization(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WxpayV3SignatureError);
    expect((caught as WxpayV3SignatureError).reason).toBe("wxpay-v3-authorization-malformed");
  });

  it("accepts the valid base of the table above, so each refusal is about its one defect", () => {
    expect(parseAuthorization(`WECHATPAY2-SHA256-RSA2048 ${valid}`).mchid).toBe("1");
  });
});
