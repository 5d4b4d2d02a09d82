import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/** VksPay (vk-pay.md §2.2): a QR code on the web or when asked, otherwise the mini program or the app. */
export function selectVkspayMode(situation: PaymentSituation): SelectedMode | undefined {
  if (situation.payCode) return undefined;
  if (situation.needQRcode || situation.platform === "h5") return mode("h5", { qrcode: true });
  if (situation.platform === "mp-weixin" || situation.platform === "app-plus") return mode(situation.platform);
  return undefined;
}

/** VksPay keeps one flat block for every mode (`vkspay: { mchId, key }`), not one per mode. */
export function vkspayConfigPath(): readonly string[] {
  return ["vkspay"];
}
