import { maskSecrets } from "../core/config";
import type { Database, Doc } from "../core/database";
import { failures } from "../core/errors";
import { parseListQuery, type ListQuery } from "../core/list-query";
import { COLLECTIONS } from "../core/repository";
import { respond, type Result } from "../core/result";
import { checkOutTradeNo, optionalObject, productionDeps, type ApiDeps } from "./shared";

/**
 * The back office's views of the library's collections (admin/orders, admin/notifications): the router
 * forwards the caller's list form and never names a collection itself.
 */

export interface ListPage {
  rows: Doc[];
  total: number;
  hasMore: boolean;
  pagination: { pageIndex: number; pageSize: number };
}

const ORDER_FIELDS = [
  "out_trade_no",
  "user_id",
  "status",
  "type",
  "provider",
  "pay_type",
  "transaction_id",
  "create_date",
  "pay_date",
  "total_fee",
  "user_order_success",
];
/** Fields a list may also filter by a `{ gte, lt }` window. */
const DATE_FIELDS = ["create_date", "pay_date"];
const NOTIFICATION_FIELDS = ["out_trade_no", "out_refund_no", "provider", "pay_type", "outcome", "kind", "create_date"];
/** What a detail view lists of an order's refunds and notifications at the most. */
const DETAIL_ROWS = 100;

/**
 * What the back office is shown of a stored document: a service provider's `app_auth_token`, a session key or
 * any other secret-looking field is masked, since the page may be open on a shared screen or pasted in a ticket.
 */
const masked = (doc: Doc): Doc => maskSecrets(doc) as Doc;

/** The list's `where` for the database: plain equalities, and each date window as `gte`/`lt` commands. */
function conditionsOf(db: Database, query: ListQuery): Record<string, unknown> {
  const conditions: Record<string, unknown> = { ...query.where };
  const _ = db.command;
  for (const [field, range] of Object.entries(query.ranges ?? {})) {
    const bounds = [...(range.gte !== undefined ? [_.gte(range.gte)] : []), ...(range.lt !== undefined ? [_.lt(range.lt)] : [])];
    if (bounds.length) conditions[field] = bounds.length === 1 ? bounds[0] : _.and(...bounds);
  }
  return conditions;
}

async function page(db: Database, collection: string, query: ListQuery): Promise<ListPage> {
  const where = conditionsOf(db, query);
  let cursor = db.collection(collection).where(where);
  for (const part of query.orderBy.split(",")) {
    const [field, direction = "asc"] = part.trim().split(/\s+/);
    cursor = cursor.orderBy(field!, direction.toLowerCase() as "asc" | "desc");
  }
  const offset = (query.pageIndex - 1) * query.pageSize;
  const [{ data }, { total }] = await Promise.all([cursor.skip(offset).limit(query.pageSize).get(), db.collection(collection).where(where).count()]);
  return { rows: data.map(masked), total, hasMore: offset + data.length < total, pagination: { pageIndex: query.pageIndex, pageSize: query.pageSize } };
}

/** A page of any of the library's collections, masked as above (the transfer ledger's list uses it too). */
export const listPage = page;

/** `admin/orders`: a page of orders (`where`, `orderBy`, `pageIndex`, `pageSize` on the listed fields). */
export function listOrders(params: Record<string, unknown>, deps: ApiDeps = productionDeps()): Promise<Result<ListPage>> {
  return respond(
    "listOrders",
    async () => page(deps.db, COLLECTIONS.orders, parseListQuery(optionalObject(params, "data") ?? {}, ORDER_FIELDS, "create_date desc", DATE_FIELDS)),
    deps.log,
  );
}

/** `admin/notifications`: a page of the notification log, accepted and refused alike, with the reason. */
export function listNotifications(params: Record<string, unknown>, deps: ApiDeps = productionDeps()): Promise<Result<ListPage>> {
  return respond(
    "listNotifications",
    async () =>
      page(deps.db, COLLECTIONS.notifyLog, parseListQuery(optionalObject(params, "data") ?? {}, NOTIFICATION_FIELDS, "create_date desc", DATE_FIELDS)),
    deps.log,
  );
}

export interface OrderDetail {
  order: Doc;
  refunds: Doc[];
  /** Refunds WeChat held (or holds) as ABNORMAL: their money waits on the merchant (applyAbnormalRefund). */
  abnormal_refunds: Doc[];
  notifications: Doc[];
}

/** One order with its refunds and every notification received for it. */
export function orderDetail(params: { out_trade_no: string }, deps: ApiDeps = productionDeps()): Promise<Result<OrderDetail>> {
  return respond(
    "orderDetail",
    async () => {
      const outTradeNo = checkOutTradeNo(params?.out_trade_no);
      const { data: orders } = await deps.db.collection(COLLECTIONS.orders).where({ out_trade_no: outTradeNo }).limit(1).get();
      const order = orders[0];
      if (!order) throw failures.orderNotFound();
      const related = (collection: string) =>
        deps.db.collection(collection).where({ out_trade_no: outTradeNo }).orderBy("create_date", "asc").limit(DETAIL_ROWS).get();
      const [{ data: refunds }, { data: notifications }] = await Promise.all([related(COLLECTIONS.refunds), related(COLLECTIONS.notifyLog)]);
      const abnormal_refunds = refunds.filter((refund) => refund.status === "ABNORMAL" || refund.abnormal_date !== undefined);
      return { order: masked(order), refunds: refunds.map(masked), abnormal_refunds: abnormal_refunds.map(masked), notifications: notifications.map(masked) };
    },
    deps.log,
  );
}
