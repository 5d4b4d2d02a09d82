import type { PaymentSituation, SelectedMode } from "../../kernel/contract";
import { mode } from "../select-mode";

/** WeChat virtual payment runs only in a WeChat mini program, for the openid that logged in (vk-pay.md §1.8). */
export function selectWxpayVirtualMode(situation: PaymentSituation): SelectedMode | undefined {
  return situation.platform === "mp-weixin" && !situation.needQRcode && !situation.payCode ? mode("mp-weixin", { needsOpenid: true }) : undefined;
}
