import { failures } from "../core/errors";
import { findOrder } from "../core/orders";
import { OPEN_REFUND_STATUSES, type RefundRecord } from "../core/refunds";
import { followUpRefund } from "./refund-follow-up";
import { respond, type Result } from "../core/result";
import { checkOutTradeNo, productionDeps, type ApiDeps } from "./shared";
import { COLLECTIONS } from "../core/repository";

export interface QueryRefundData {
  out_trade_no: string;
  total_fee: number;
  refund_fee: number;
  refunds: Array<Pick<RefundRecord, "out_refund_no" | "refund_fee" | "status" | "refund_desc" | "create_date" | "settle_date" | "refund_id">>;
}

async function queryRefunds(params: { out_trade_no: string; out_refund_no?: string }, deps: ApiDeps): Promise<QueryRefundData> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  const order = await findOrder(outTradeNo, deps.db);
  if (!order) throw failures.orderNotFound();
  const where: Record<string, unknown> = { out_trade_no: outTradeNo };
  if (params.out_refund_no !== undefined) where.out_refund_no = checkOutTradeNo(params.out_refund_no);
  let { data } = await deps.db.collection(COLLECTIONS.refunds).where(where).orderBy("create_date", "asc").limit(1000).get();
  if (data.length === 0) throw failures.orderNotRefunded();
  // Refunds still open are asked about, and settled here if the provider has an answer. One the provider
  // does not know is left to the timer, which sends it again.
  const open = (data as unknown as RefundRecord[]).filter((record) => OPEN_REFUND_STATUSES.includes(record.status));
  for (const record of open) await followUpRefund(order, record, deps, { resend: false });
  if (open.length > 0) data = (await deps.db.collection(COLLECTIONS.refunds).where(where).orderBy("create_date", "asc").limit(1000).get()).data;
  const refreshed = (await findOrder(outTradeNo, deps.db)) ?? order;
  return {
    out_trade_no: outTradeNo,
    total_fee: refreshed.total_fee,
    refund_fee: refreshed.refund_fee ?? 0,
    refunds: (data as unknown as RefundRecord[]).map(({ out_refund_no, refund_fee, status, refund_desc, create_date, settle_date, refund_id }) => ({
      out_refund_no,
      refund_fee,
      status,
      refund_desc,
      create_date,
      settle_date,
      refund_id,
    })),
  };
}

/** `vkPay.queryRefund`: the order's refunds, settling those the provider has finished. */
export function queryRefund(params: { out_trade_no: string; out_refund_no?: string }, deps: ApiDeps = productionDeps()): Promise<Result<QueryRefundData>> {
  return respond("queryRefund", () => queryRefunds(params, deps), deps.log);
}
