import { ValidationError } from "./errors";
import type { PaymentProvider, PaymentSituation } from "../kernel/contract";

export interface TradeTypeInput {
  /** `context.PLATFORM`, old (`app-plus`, `h5`) or new (`app`, `web`) uni platform names. */
  platform?: string;
  /** `context.CLIENTUA`, to tell the WeChat browser from other mobile browsers. */
  userAgent?: string;
  isPC?: boolean;
  needQRcode?: boolean | "image";
  authCode?: string;
  /** The caller's createPayment switches over uni-pay/config.js's top-level keys; see PaymentSituation. */
  switches?: Readonly<Record<string, unknown>>;
}

export interface TradeType {
  provider: string;
  /** The sub-mode: the `pay_type` suffix. */
  mode: string;
  /** `<provider>_<mode>`, vk-uni-pay's name, stored on the order. */
  payType: string;
  /** Where the mode's merchant sub-config sits in uni-pay/config.js. */
  configPath: readonly string[];
  /** The client shows a QR code (or opens the cashier) rather than invoking a native payment. */
  qrcode: boolean;
  needsOpenid: boolean;
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

/** Where a provider's mode is configured: its own answer, else `[name, mode]`. */
export function configPathOf(provider: Pick<PaymentProvider, "name" | "configPath">, mode: string): readonly string[] {
  return provider.configPath?.(mode) ?? [provider.name, mode];
}

/** The situation a provider chooses its mode from, read from what the client and the caller sent. */
export function paymentSituation(input: TradeTypeInput): PaymentSituation {
  return {
    platform: normalizePlatform(input.platform),
    userAgent: input.userAgent,
    isPC: input.isPC === true,
    needQRcode: input.needQRcode === true || input.needQRcode === "image",
    payCode: typeof input.authCode === "string" && input.authCode !== "",
    switches: input.switches ?? {},
  };
}

/** A `provider` the build does not offer; `known` are the registered names, listed for the caller. */
export function providerNotFound(name: string, known: readonly string[]): Error {
  return new ValidationError(1005, "provider-invalid", `provider必须是以下之一：${known.join("、")}`);
}

/**
 * Chooses the trade type the way vk-uni-pay does (reference: vk-pay.md §2.2): the provider picks its mode
 * from the client's platform, `needQRcode` and a pay code; the core only names and checks the result.
 */
export function selectTradeType(provider: PaymentProvider, input: TradeTypeInput): TradeType {
  const situation = paymentSituation(input);
  const selected = provider.selectMode(situation);
  if (!selected || !provider.capabilities.modes.includes(selected.mode)) {
    if (!situation.platform && !situation.payCode) throw new ValidationError(1011, "platform-missing", "platform不能为空");
    throw new ValidationError(1020, "pay-mode-unsupported", `${provider.name}不支持在${situation.payCode ? "付款码" : (situation.platform ?? "未知")}平台支付`);
  }
  return {
    provider: provider.name,
    mode: selected.mode,
    payType: `${provider.name}_${selected.mode}`,
    configPath: configPathOf(provider, selected.mode),
    qrcode: selected.qrcode,
    needsOpenid: selected.needsOpenid,
  };
}
