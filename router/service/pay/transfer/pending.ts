import type { RouteReply, RouteRequest } from "../../../types";
import { loadVkPay } from "../../../vk-pay";

export const access = "user";

/** The caller's unconfirmed transfers (SPEC §5); the payee is the token's user, never `data`. */
export async function main({ uid }: RouteRequest): Promise<RouteReply> {
  return loadVkPay().pendingTransfers({ user_id: uid });
}
