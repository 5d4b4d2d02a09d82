import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/**
 * Huawei pays in a HarmonyOS meta-service (`mp-harmony`) or a HarmonyOS app, which reports `app-harmony`
 * or the generic app platform; vk-uni-pay names that mode `app-plus` (vk-pay.md §2.2).
 */
export function selectHuaweiMode(situation: PaymentSituation): SelectedMode | undefined {
  if (situation.needQRcode || situation.payCode) return undefined;
  if (situation.platform === "mp-harmony") return mode("mp-harmony");
  if (situation.platform === "app-harmony" || situation.platform === "app-plus") return mode("app-plus");
  return undefined;
}

/** vk-uni-pay keys the HarmonyOS app's sub-config `app-harmony` while naming its mode `app-plus`. */
export function huaweiConfigPath(mode: string): readonly string[] {
  return ["huawei", mode === "app-plus" ? "app-harmony" : mode];
}
