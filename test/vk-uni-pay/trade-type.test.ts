import { selectTradeType } from "../../common/vk-uni-pay/src/core/trade-type";

const WECHAT_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.40";
const SAFARI_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";

describe("trade type selection (vk-pay.md §2.2)", () => {
  it.each([
    [{ provider: "wxpay", platform: "mp-weixin" }, "wxpay_mp-weixin", false],
    [{ provider: "wxpay", platform: "app" }, "wxpay_app-plus", false],
    [{ provider: "wxpay", platform: "app-plus" }, "wxpay_app-plus", false],
    [{ provider: "wxpay", platform: "web", userAgent: WECHAT_UA }, "wxpay_h5-weixin", false],
    [{ provider: "wxpay", platform: "h5", userAgent: SAFARI_UA }, "wxpay_mweb", false],
    [{ provider: "wxpay", platform: "h5", isPC: true }, "wxpay_h5", true],
    [{ provider: "wxpay", platform: "h5", userAgent: WECHAT_UA, needQRcode: true }, "wxpay_h5", true],
    [{ provider: "wxpay", platform: "mp-weixin", needQRcode: "image" as const }, "wxpay_h5", true],
    [{ provider: "wxpay", platform: "h5", authCode: "134567890123456789" }, "wxpay_codepay", false],
    [{ provider: "alipay", platform: "mp-alipay" }, "alipay_mp-alipay", false],
    [{ provider: "alipay", platform: "app" }, "alipay_app-plus", false],
    [{ provider: "alipay", platform: "app", alipayAppPayToH5Pay: true }, "alipay_h5", true],
    [{ provider: "alipay", platform: "web" }, "alipay_h5", true],
    [{ provider: "alipay", platform: "web", authCode: "280000000000000000" }, "alipay_codepay", false],
    [{ provider: "appleiap", platform: "app-ios" }, "appleiap_app-plus", false],
    [{ provider: "vkspay", platform: "h5" }, "vkspay_h5", true],
    [{ provider: "vkspay", platform: "mp-weixin" }, "vkspay_mp-weixin", false],
    [{ provider: "wxpay-virtual", platform: "mp-weixin" }, "wxpay-virtual_mp-weixin", false],
    [{ provider: "douyin", platform: "mp-toutiao" }, "douyin_mp-toutiao", false],
    [{ provider: "huawei", platform: "mp-harmony" }, "huawei_mp-harmony", false],
    [{ provider: "huawei", platform: "app-harmony" }, "huawei_app-plus", false],
  ])("%o → %s", (input, payType, qrcode) => {
    expect(selectTradeType(input)).toMatchObject({ payType, qrcode });
  });

  it("keys huawei's app config as app-harmony, everything else by its mode", () => {
    expect(selectTradeType({ provider: "huawei", platform: "app" }).configKey).toBe("app-harmony");
    expect(selectTradeType({ provider: "wxpay", platform: "h5", isPC: true }).configKey).toBe("h5");
  });

  it.each([
    [{ provider: "paypal", platform: "h5" }, 1005],
    [{ provider: "", platform: "h5" }, 1005],
    [{ provider: "wxpay" }, 1011],
    [{ provider: "wxpay", platform: "mp-alipay" }, 1020],
    [{ provider: "appleiap", platform: "h5" }, 1020],
    [{ provider: "appleiap", platform: "app", authCode: "x" }, 1020],
    [{ provider: "douyin", platform: "mp-toutiao", needQRcode: true }, 1020],
    [{ provider: "constructor", platform: "h5" }, 1005],
  ])("refuses %o with code %i", (input, code) => {
    expect(() => selectTradeType(input)).toThrow(expect.objectContaining({ code }));
  });
});
