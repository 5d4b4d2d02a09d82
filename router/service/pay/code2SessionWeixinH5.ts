import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "public";

/** An official-account OAuth code → the user's openid (the tokens stay on the server). */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().code2SessionWeixinH5({ code: data.code as string });
}
