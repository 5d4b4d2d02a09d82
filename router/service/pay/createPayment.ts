import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "user";

/**
 * A client's payment: the library prices it with the order type's `create` hook (the client's
 * `total_fee`, when sent, must agree), for the token's user, and creates the order.
 */
export async function main({ data, uid, context }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().createClientPayment({ context, uid: uid!, data });
}
