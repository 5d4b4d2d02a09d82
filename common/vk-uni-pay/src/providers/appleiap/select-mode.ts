import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/**
 * Apple in-app purchase pays only inside an app (vk-pay.md §2.2). The provider itself lands with its
 * issue; its mode rule is kept here, with the provider's folder, so the core never learns it.
 */
export function selectAppleiapMode(situation: PaymentSituation): SelectedMode | undefined {
  return situation.platform === "app-plus" && !situation.needQRcode && !situation.payCode ? mode("app-plus") : undefined;
}
