import { selectTradeType } from "../../common/vk-uni-pay/src/core/trade-type";
import type { PaymentProvider, PaymentSituation, SelectedMode } from "../../common/vk-uni-pay/src/kernel/contract";
import { alipay } from "../../common/vk-uni-pay/src/providers/alipay";
import { selectAppleiapMode } from "../../common/vk-uni-pay/src/providers/appleiap/select-mode";
import { selectDouyinMode } from "../../common/vk-uni-pay/src/providers/douyin/select-mode";
import { huaweiConfigPath, selectHuaweiMode } from "../../common/vk-uni-pay/src/providers/huawei/select-mode";
import { selectVkspayMode, vkspayConfigPath } from "../../common/vk-uni-pay/src/providers/vkspay/select-mode";
import { wxpay } from "../../common/vk-uni-pay/src/providers/wxpay";
import { selectWxpayVirtualMode } from "../../common/vk-uni-pay/src/providers/wxpay-virtual/select-mode";

const WECHAT_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.40";
const SAFARI_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";

/** The providers still to land keep their mode rules in their folders; here they stand as providers of those rules alone. */
function rulesOnly(
  name: string,
  selectMode: (situation: PaymentSituation) => SelectedMode | undefined,
  configPath?: (mode: string) => readonly string[],
): PaymentProvider {
  return {
    name,
    capabilities: { modes: ["app-plus", "h5", "mp-weixin", "mp-toutiao", "mp-harmony"], query: false, close: false, refund: false, refundNotify: false },
    selectMode,
    configPath,
  } as unknown as PaymentProvider;
}

const PROVIDERS: Record<string, PaymentProvider> = {
  wxpay,
  alipay,
  appleiap: rulesOnly("appleiap", selectAppleiapMode),
  vkspay: rulesOnly("vkspay", selectVkspayMode, vkspayConfigPath),
  "wxpay-virtual": rulesOnly("wxpay-virtual", selectWxpayVirtualMode),
  douyin: rulesOnly("douyin", selectDouyinMode),
  huawei: rulesOnly("huawei", selectHuaweiMode, huaweiConfigPath),
};

const select = ({ provider, ...input }: { provider: string } & Parameters<typeof selectTradeType>[1]) => selectTradeType(PROVIDERS[provider]!, input);

describe("trade type selection (vk-pay.md §2.2): each provider picks its mode", () => {
  it.each([
    [{ provider: "wxpay", platform: "mp-weixin" }, "wxpay_mp-weixin", false, true],
    [{ provider: "wxpay", platform: "app" }, "wxpay_app-plus", false, false],
    [{ provider: "wxpay", platform: "app-plus" }, "wxpay_app-plus", false, false],
    [{ provider: "wxpay", platform: "web", userAgent: WECHAT_UA }, "wxpay_h5-weixin", false, true],
    [{ provider: "wxpay", platform: "h5", userAgent: SAFARI_UA }, "wxpay_mweb", false, false],
    [{ provider: "wxpay", platform: "h5", isPC: true }, "wxpay_h5", true, false],
    [{ provider: "wxpay", platform: "h5", userAgent: WECHAT_UA, needQRcode: true }, "wxpay_h5", true, false],
    [{ provider: "wxpay", platform: "mp-weixin", needQRcode: "image" as const }, "wxpay_h5", true, false],
    [{ provider: "wxpay", platform: "h5", authCode: "134567890123456789" }, "wxpay_codepay", false, false],
    [{ provider: "wxpay", authCode: "134567890123456789" }, "wxpay_codepay", false, false],
    [{ provider: "alipay", platform: "mp-alipay" }, "alipay_mp-alipay", false, true],
    [{ provider: "alipay", platform: "app" }, "alipay_app-plus", false, false],
    [{ provider: "alipay", platform: "app", switches: { alipayAppPayToH5Pay: true } }, "alipay_h5", true, false],
    [{ provider: "alipay", platform: "web" }, "alipay_h5", true, false],
    [{ provider: "alipay", platform: "web", authCode: "280000000000000000" }, "alipay_codepay", false, false],
    [{ provider: "appleiap", platform: "app-ios" }, "appleiap_app-plus", false, false],
    [{ provider: "vkspay", platform: "h5" }, "vkspay_h5", true, false],
    [{ provider: "vkspay", platform: "mp-weixin" }, "vkspay_mp-weixin", false, false],
    [{ provider: "wxpay-virtual", platform: "mp-weixin" }, "wxpay-virtual_mp-weixin", false, true],
    [{ provider: "douyin", platform: "mp-toutiao" }, "douyin_mp-toutiao", false, false],
    [{ provider: "huawei", platform: "mp-harmony" }, "huawei_mp-harmony", false, false],
    [{ provider: "huawei", platform: "app-harmony" }, "huawei_app-plus", false, false],
  ])("%o → %s", (input, payType, qrcode, needsOpenid) => {
    expect(select(input)).toMatchObject({ payType, qrcode, needsOpenid });
  });

  it("finds each mode's sub-config where the provider keeps it: huawei's app under app-harmony, vkspay's one flat block", () => {
    expect(select({ provider: "huawei", platform: "app" }).configPath).toEqual(["huawei", "app-harmony"]);
    expect(select({ provider: "vkspay", platform: "h5" }).configPath).toEqual(["vkspay"]);
    expect(select({ provider: "wxpay", platform: "h5", isPC: true }).configPath).toEqual(["wxpay", "h5"]);
  });

  it.each([
    [{ provider: "wxpay" }, 1011],
    [{ provider: "wxpay", platform: "mp-alipay" }, 1020],
    [{ provider: "appleiap", platform: "h5" }, 1020],
    [{ provider: "appleiap", platform: "app", authCode: "x" }, 1020],
    [{ provider: "douyin", platform: "mp-toutiao", needQRcode: true }, 1020],
  ])("refuses %o with code %i", (input, code) => {
    expect(() => select(input)).toThrow(expect.objectContaining({ code }));
  });

  it("refuses a mode the provider chose but does not declare", () => {
    const liar = { ...rulesOnly("liar", () => ({ mode: "secret", qrcode: false, needsOpenid: false })) };
    expect(() => selectTradeType(liar, { platform: "h5" })).toThrow(expect.objectContaining({ code: 1020 }));
  });
});
