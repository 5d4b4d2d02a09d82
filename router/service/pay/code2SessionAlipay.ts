import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "public";

/** An Alipay mini-program auth code → the user's id (the access token stays on the server). */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().code2SessionAlipay({ code: data.code as string, appid: data.appid as string | undefined });
}
