import type { RouteTable } from "./types";
import type { VkUniPay } from "./vk-pay";

/**
 * The client-proof routes, one per proof a registered provider accepts (`pay/appleiap/verifyReceipt`):
 * a logged-in client sends what the platform gave it, for its own orders only (the token's uid, never one
 * from `data`).
 */
export function clientProofRouteTable(vkPay: VkUniPay): RouteTable {
  const table: RouteTable = {};
  for (const proof of vkPay.clientProofRoutes()) {
    table[proof.route] = () => ({
      access: "user",
      main: async ({ data, uid }) => {
        const { user_id: _ignored, ...fields } = data;
        return vkPay.verifyClientProof(proof.name, { ...fields, user_id: uid ?? "" });
      },
    });
  }
  return table;
}
