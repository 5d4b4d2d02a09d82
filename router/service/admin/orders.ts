import { baseDao } from "vk-unicloud";
import { parseListQuery } from "../../admin-query";
import { failure, success } from "../../replies";
import type { RouteReply, RouteRequest } from "../../types";

export const access = "admin";

const FIELDS = ["out_trade_no", "user_id", "status", "type", "provider", "pay_type", "transaction_id", "create_date", "pay_date", "total_fee", "user_order_success"];

/**
 * Orders for the back office: a page of the list (`where`, `orderBy`, `pageIndex`, `pageSize`), or,
 * with `out_trade_no`, one order with its refunds (the ABNORMAL ones also apart) and every notification received for it.
 */
export async function main({ data }: RouteRequest): Promise<RouteReply> {
  if (data.out_trade_no !== undefined) {
    if (typeof data.out_trade_no !== "string") return failure(1001, "out-trade-no-invalid", "out_trade_no必须是string类型，且不能为空");
    const order = await baseDao.findByWhereJson({ dbName: "vk-pay-orders", whereJson: { out_trade_no: data.out_trade_no } });
    if (!order) return failure(2001, "order-not-found", "订单不存在");
    const refunds = await baseDao.select({ dbName: "vk-pay-refunds", whereJson: { out_trade_no: data.out_trade_no }, orderBy: "create_date asc", pageSize: 100, getMain: true });
    const notifications = await baseDao.select({ dbName: "vk-pay-notify-log", whereJson: { out_trade_no: data.out_trade_no }, orderBy: "create_date asc", pageSize: 100, getMain: true });
    // Refunds WeChat held (or holds) as ABNORMAL: their money waits on the merchant (admin/applyAbnormalRefund).
    const abnormal_refunds = (refunds as Array<Record<string, unknown>>).filter((refund) => refund.status === "ABNORMAL" || refund.abnormal_date !== undefined);
    return success({ order, refunds, abnormal_refunds, notifications });
  }
  const query = parseListQuery(data, FIELDS, "create_date desc");
  if ("code" in query) return query;
  const page = await baseDao.select({ dbName: "vk-pay-orders", where: query.where, orderBy: query.orderBy, pageIndex: query.pageIndex, pageSize: query.pageSize, getCount: true });
  return success({ rows: page.rows, total: page.total, hasMore: page.hasMore, pagination: page.pagination });
}
