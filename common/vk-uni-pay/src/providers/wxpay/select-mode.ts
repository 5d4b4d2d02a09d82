import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/**
 * WeChat Pay's modes as vk-uni-pay chooses them (vk-pay.md §2.2): a pay code → codepay; a QR code asked for
 * → Native (`h5`); a mini program or an app → JSAPI or APP; the web → JSAPI inside WeChat's browser, Native
 * on a PC, MWEB in other mobile browsers. JSAPI names its payer by an openid.
 */
export function selectWxpayMode(situation: PaymentSituation): SelectedMode | undefined {
  const { platform } = situation;
  if (situation.payCode) return mode("codepay");
  if (situation.needQRcode) return mode("h5", { qrcode: true });
  if (platform === "mp-weixin") return mode("mp-weixin", { needsOpenid: true });
  if (platform === "app-plus") return mode("app-plus");
  if (platform !== "h5") return undefined;
  if (situation.isPC) return mode("h5", { qrcode: true });
  if (/MicroMessenger/i.test(situation.userAgent ?? "")) return mode("h5-weixin", { needsOpenid: true });
  return mode("mweb");
}
