import { ValidationError } from "./errors";

/** The providers of SPEC section 4, by the name a caller passes as `provider`. */
export const PROVIDERS = ["wxpay", "alipay", "appleiap", "vkspay", "wxpay-virtual", "douyin", "huawei"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface TradeTypeInput {
  provider: string;
  /** For a provider outside the built-in seven (a plugged-in one): the modes it declares. */
  modes?: readonly string[];
  /** `context.PLATFORM`, old (`app-plus`, `h5`) or new (`app`, `web`) uni platform names. */
  platform?: string;
  /** `context.CLIENTUA`, to tell the WeChat browser from other mobile browsers. */
  userAgent?: string;
  isPC?: boolean;
  needQRcode?: boolean | "image";
  authCode?: string;
  alipayAppPayToH5Pay?: boolean;
}

export interface TradeType {
  provider: string;
  /** The sub-mode: the `pay_type` suffix. */
  mode: string;
  /** `<provider>_<mode>`, vk-uni-pay's name, stored on the order. */
  payType: string;
  /** The key of the provider's sub-config in uni-pay/config.js (differs for huawei's app). */
  configKey: string;
  /** The client shows a QR code (or opens the cashier) rather than invoking a native payment. */
  qrcode: boolean;
}

const PLATFORM_ALIASES: Record<string, string> = {
  app: "app-plus",
  "app-plus": "app-plus",
  "app-android": "app-plus",
  "app-ios": "app-plus",
  web: "h5",
  h5: "h5",
};

function normalizePlatform(platform: string | undefined): string | undefined {
  if (!platform) return undefined;
  return PLATFORM_ALIASES[platform] ?? platform;
}

function isProvider(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}

function unsupported(provider: string, platform: string | undefined): ValidationError {
  return new ValidationError(1020, "pay-mode-unsupported", `${provider}不支持在${platform ?? "未知"}平台支付`);
}

/**
 * The key of a mode's sub-config in uni-pay/config.js: the mode itself, except HarmonyOS apps, whose
 * mode vk-uni-pay names `app-plus` while keying the config `app-harmony`.
 */
export function configKeyFor(provider: string, mode: string): string {
  return provider === "huawei" && mode === "app-plus" ? "app-harmony" : mode;
}

function make(provider: string, mode: string, qrcode = false): TradeType {
  return { provider, mode, payType: `${provider}_${mode}`, configKey: configKeyFor(provider, mode), qrcode };
}

/** WeChat's H5 family: JSAPI inside the WeChat browser, Native QR on PC or when asked, else MWEB. */
function wxpayWeb(input: TradeTypeInput): TradeType {
  if (input.needQRcode || input.isPC) return make("wxpay", "h5", true);
  if (/MicroMessenger/i.test(input.userAgent ?? "")) return make("wxpay", "h5-weixin");
  return make("wxpay", "mweb");
}

/** A plugged-in provider: pay-code, QR for PC or when asked, otherwise the client's platform, if it declares that mode. */
function selectDeclaredMode(input: TradeTypeInput, platform: string | undefined): TradeType {
  const modes = input.modes ?? [];
  const wanted = input.authCode ? "codepay" : input.needQRcode || input.isPC ? "h5" : platform;
  if (!wanted || !modes.includes(wanted)) throw unsupported(input.provider, platform);
  return make(input.provider, wanted, wanted === "h5");
}

/**
 * Chooses the trade type the way vk-uni-pay does (reference: vk-pay.md §2.2): the client platform
 * decides, `needQRcode` forces QR mode, and a pay-code (`auth_code`) forces codepay.
 */
export function selectTradeType(input: TradeTypeInput): TradeType {
  const { provider } = input;
  const platform = normalizePlatform(input.platform);
  if (!isProvider(provider)) {
    if (input.modes) return selectDeclaredMode(input, platform);
    throw new ValidationError(1005, "provider-invalid", `provider必须是以下之一：${PROVIDERS.join("、")}`);
  }

  if (input.authCode) {
    if (provider === "wxpay" || provider === "alipay") return make(provider, "codepay");
    throw unsupported(provider, "付款码");
  }
  switch (provider) {
    case "wxpay":
      if (input.needQRcode) return make("wxpay", "h5", true);
      if (platform === "mp-weixin" || platform === "app-plus") return make("wxpay", platform);
      if (platform === "h5") return wxpayWeb(input);
      break;
    case "alipay":
      if (input.needQRcode || platform === "h5") return make("alipay", "h5", true);
      if (platform === "mp-alipay") return make("alipay", "mp-alipay");
      if (platform === "app-plus") return input.alipayAppPayToH5Pay ? make("alipay", "h5", true) : make("alipay", "app-plus");
      break;
    case "vkspay":
      if (input.needQRcode || platform === "h5") return make("vkspay", "h5", true);
      if (platform === "mp-weixin" || platform === "app-plus") return make("vkspay", platform);
      break;
    case "appleiap":
      if (platform === "app-plus" && !input.needQRcode) return make("appleiap", "app-plus");
      break;
    case "wxpay-virtual":
      if (platform === "mp-weixin" && !input.needQRcode) return make("wxpay-virtual", "mp-weixin");
      break;
    case "douyin":
      if (platform === "mp-toutiao" && !input.needQRcode) return make("douyin", "mp-toutiao");
      break;
    case "huawei":
      if (input.needQRcode) break;
      if (platform === "mp-harmony") return make("huawei", "mp-harmony");
      // HarmonyOS apps report `app-harmony` or the generic app platform.
      if (platform === "app-harmony" || platform === "app-plus") return make("huawei", "app-plus");
      break;
    default: {
      const exhaustive: never = provider;
      throw unsupported(exhaustive, platform);
    }
  }
  if (!platform) throw new ValidationError(1011, "platform-missing", "platform不能为空");
  throw unsupported(provider, platform);
}
