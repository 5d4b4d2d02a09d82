import { baseDao } from "vk-unicloud";
import { parseListQuery } from "../../admin-query";
import { success } from "../../replies";
import type { RouteReply, RouteRequest } from "../../types";

export const access = "admin";

const FIELDS = ["out_trade_no", "out_refund_no", "provider", "pay_type", "outcome", "kind", "create_date"];

/** The notification log: every notification received, accepted or refused, with the reason. */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  const query = parseListQuery(data, FIELDS, "create_date desc");
  if ("code" in query) return query;
  const page = await baseDao.select({ dbName: "vk-pay-notify-log", where: query.where, orderBy: query.orderBy, pageIndex: query.pageIndex, pageSize: query.pageSize, getCount: true });
  return success({ rows: page.rows, total: page.total, hasMore: page.hasMore, pagination: page.pagination });
}
