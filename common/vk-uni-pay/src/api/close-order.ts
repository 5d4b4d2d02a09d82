import { failures } from "../core/errors";
import { findOrder, markClosed, OPEN_STATUSES } from "../core/orders";
import { respond, type Result } from "../core/result";
import { checkOutTradeNo, orderMerchant, productionDeps, requireProvider, type ApiDeps } from "./shared";

async function close(params: { out_trade_no: string }, deps: ApiDeps): Promise<{ out_trade_no: string; trade_state: "CLOSED" }> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  const order = await findOrder(outTradeNo, deps.db);
  if (!order) throw failures.orderNotFound();
  if (order.status === "CLOSED") return { out_trade_no: outTradeNo, trade_state: "CLOSED" };
  if (!OPEN_STATUSES.includes(order.status)) throw failures.orderAlreadyPaid();
  const provider = requireProvider(deps, order.provider);
  if (provider.capabilities.close) {
    const merchant = await orderMerchant(order, deps);
    await provider.closePayment({ ...merchant, outTradeNo }, deps.runtime);
  }
  // The provider closed it; if a payment slipped in meanwhile, the conditional write leaves it paid.
  if (!(await markClosed(order._id, deps.now(), deps.db))) throw failures.orderAlreadyPaid();
  return { out_trade_no: outTradeNo, trade_state: "CLOSED" };
}

/** `vkPay.closeOrder`: closes at the provider, then the order is CLOSED; a paid order is never closed. */
export function closeOrder(params: { out_trade_no: string }, deps: ApiDeps = productionDeps()): Promise<Result<{ out_trade_no: string; trade_state: "CLOSED" }>> {
  return respond("closeOrder", () => close(params, deps), deps.log);
}
