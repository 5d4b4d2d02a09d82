import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/** Douyin pays only inside a Douyin mini program (vk-pay.md §2.2). */
export function selectDouyinMode(situation: PaymentSituation): SelectedMode | undefined {
  return situation.platform === "mp-toutiao" && !situation.needQRcode && !situation.payCode ? mode("mp-toutiao") : undefined;
}
