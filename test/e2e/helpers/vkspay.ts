import { createHash } from "node:crypto";
import type { VkspaySandbox } from "../../../scripts/sandbox/vkspay";
import { startProviderSpace } from "./provider-space";

/**
 * What the VksPay end-to-end files share: the product as `npm start` runs it, and 易支付 notifications built
 * and MD5-signed here from the community documents (not with the library's or the sandbox's code).
 */
export function epayNotification(
  mchId: string,
  key: string,
  outTradeNo: string,
  money: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const params: Record<string, string> = {
    pid: mchId,
    trade_no: `2026${Date.now()}`,
    out_trade_no: outTradeNo,
    type: "alipay",
    name: "充值 1+1",
    money,
    trade_status: "TRADE_SUCCESS",
    ...overrides,
  };
  const content = Object.keys(params)
    .filter((name) => params[name] !== "")
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
  return {
    ...params,
    sign: createHash("md5")
      .update(content + key)
      .digest("hex"),
    sign_type: "MD5",
  };
}

export async function startVkspaySpace() {
  const space = await startProviderSpace<VkspaySandbox>("vkspay", "web");
  return { ...space, vkspay: space.sandbox };
}

export type VkspaySpace = Awaited<ReturnType<typeof startVkspaySpace>>;
