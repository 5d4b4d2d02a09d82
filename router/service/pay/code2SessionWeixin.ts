import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "public";

/** A mini-program login code → the user's openid (the session key stays on the server). */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().code2SessionWeixinMP({ code: data.code as string });
}
