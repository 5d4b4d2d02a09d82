import type { RouteReply, RouteRequest } from "../../types";
import { loadVkPay } from "../../vk-pay";

export const access = "admin";

/**
 * An admin pays a user (SPEC §5): the seed's or vk-uni-pay 1.16's fields, `payee_user_id` naming the
 * payee's account here (so they see it in pay/transfer/pending; `user_id` is the router's own key and
 * never read from data), recorded with the admin's uid; `force` sends although the payee has an
 * unconfirmed transfer.
 */
export async function main({ data, uid, context }: RouteRequest): Promise<RouteReply> {
  const { payee_user_id: payeeUserId, ...fields } = data;
  return loadVkPay().transfer({
    ...fields,
    ...(typeof payeeUserId === "string" && payeeUserId !== "" ? { user_id: payeeUserId } : {}),
    provider: data.provider as string,
    force: data.force === true,
    operator: uid,
    context: { SPACEINFO: context.SPACEINFO },
  });
}
