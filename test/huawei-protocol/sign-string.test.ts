import { huaweiSignString } from "../../common/vk-uni-pay/src/providers/huawei/protocol";

describe("Huawei Payment Kit string to sign", () => {
  it("builds the official example of the 公共说明 page (protocols.md §6.2), a list of objects included", () => {
    // https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-rest-overview (签名规则示例)
    const body = {
      tradeSummary: "test",
      totalAmount: 5,
      subOrders: [
        { mercOrderNo: "abcxxx1", mercNo: "101723200xxx" },
        { mercNo: "101723201xxx", mercOrderNo: "abcxxx2" },
      ],
      payload: "shop|h8ahnJA8xxRXVw",
      mercOrderNo: "2405171027547xxx",
      mercNo: "101723200xxx",
      currency: "CNY",
      callbackUrl: "https://www.xxx.com/hw_notify",
      appId: "5765880207854262xxx",
    };
    expect(huaweiSignString(body)).toBe(
      "appId=5765880207854262xxx&callbackUrl=https://www.xxx.com/hw_notify&currency=CNY&mercNo=101723200xxx&mercOrderNo=2405171027547xxx&payload=shop|h8ahnJA8xxRXVw&subOrders=mercNo=101723200xxx&mercOrderNo=abcxxx1,mercNo=101723201xxx&mercOrderNo=abcxxx2&totalAmount=5&tradeSummary=test",
    );
  });

  it("leaves out sign and null values, keeps empty strings, and keeps signType (the SM2 rule)", () => {
    expect(huaweiSignString({ sign: "x", b: "", a: null, signType: "SM2", c: undefined })).toBe("b=&signType=SM2");
  });
});
