import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/**
 * Alipay's modes as vk-uni-pay chooses them (vk-pay.md §2.2): a pay code → codepay; the web or a QR code →
 * 当面付 precreate (`h5`); a mini program → trade.create for its buyer id; an app → app pay, or the H5
 * cashier when `alipayAppPayToH5Pay` is set (by the caller or in uni-pay/config.js).
 */
export function selectAlipayMode(situation: PaymentSituation): SelectedMode | undefined {
  const { platform } = situation;
  if (situation.payCode) return mode("codepay");
  if (situation.needQRcode || platform === "h5") return mode("h5", { qrcode: true });
  if (platform === "mp-alipay") return mode("mp-alipay", { needsOpenid: true });
  if (platform === "app-plus") return situation.switches.alipayAppPayToH5Pay === true ? mode("h5", { qrcode: true }) : mode("app-plus");
  return undefined;
}
