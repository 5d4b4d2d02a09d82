import { createHash } from "node:crypto";
import { epaySign, epaySignContent, epayVerify } from "../../common/vk-uni-pay/src/providers/vkspay/sign";

describe("易支付 MD5 signature (VksPay)", () => {
  const params = {
    pid: "1001",
    type: "alipay",
    out_trade_no: "20260001",
    notify_url: "https://shop.example.com/notify?a=1&b=2",
    name: "充值 1+1",
    money: "1.00",
    param: "",
    sign: "ignored",
    sign_type: "MD5",
  };

  it("signs the sorted non-empty fields, without sign and sign_type, not URL-encoded, with the key appended directly", () => {
    const content = "money=1.00&name=充值 1+1&notify_url=https://shop.example.com/notify?a=1&b=2&out_trade_no=20260001&pid=1001&type=alipay";
    expect(epaySignContent(params)).toBe(content);
    expect(epaySign(params, "K3y")).toBe(createHash("md5").update(`${content}K3y`, "utf8").digest("hex"));
    expect(epaySign(params, "K3y")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("verifies its own signature (case-insensitively) and refuses another key, the `&key=` variant and a changed field", () => {
    const signed = { ...params, sign: epaySign(params, "K3y") };
    expect(epayVerify(signed, "K3y")).toBe(true);
    expect(epayVerify({ ...signed, sign: signed.sign.toUpperCase() }, "K3y")).toBe(true);
    expect(epayVerify(signed, "K3y2")).toBe(false);
    expect(epayVerify({ ...params, sign: epaySign(params, "&key=K3y") }, "K3y")).toBe(false);
    expect(epayVerify({ ...signed, money: "0.01" }, "K3y")).toBe(false);
    expect(epayVerify({ ...signed, sign: "not-hex" }, "K3y")).toBe(false);
  });
});
