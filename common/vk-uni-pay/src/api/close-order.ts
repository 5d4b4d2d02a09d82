import { isPaid } from "../core/repository";
import { failures, NetworkError, ProviderRejectedError, SignatureError } from "../core/errors";
import { findOrder, findOrderFor, markClosed, OPEN_STATUSES } from "../core/orders";
import { respond, type Result } from "../core/result";
import { reconcileWithProvider } from "./query-payment";
import { checkOutTradeNo, orderMerchant, productionDeps, requireProvider, type ApiDeps } from "./shared";

/**
 * Closes at the provider, then asks it whether the buyer paid first. A close does not settle that by
 * itself: WeChat v2 refuses a paid order (ORDERPAID), while v3's close is reported to answer 204 for any
 * order number, paid ones included, and the official page does not say which. So a refused close and a
 * succeeded one alike are followed by the provider's query: a payment found is applied (the hook runs
 * once) and the caller hears "already paid" instead of a CLOSED that would make the shop take a second
 * payment for the same goods.
 *
 * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556398 (v3 关闭订单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3 (v2 关闭订单: ORDERPAID)
 */
async function close(params: { out_trade_no: string; user_id?: string }, deps: ApiDeps): Promise<{ out_trade_no: string; trade_state: "CLOSED" }> {
  const outTradeNo = checkOutTradeNo(params?.out_trade_no);
  const order = await findOrderFor(outTradeNo, params.user_id, deps.db);
  if (!order) throw failures.orderNotFound();
  if (order.status === "CLOSED") return { out_trade_no: outTradeNo, trade_state: "CLOSED" };
  if (!OPEN_STATUSES.includes(order.status)) throw failures.orderAlreadyPaid();
  const provider = requireProvider(deps, order.provider);
  let refusal: ProviderRejectedError | undefined;
  if (provider.capabilities.close) {
    const merchant = await orderMerchant(order, deps);
    try {
      await provider.closePayment({ ...merchant, outTradeNo }, deps.runtime);
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error;
      refusal = error;
    }
  }
  try {
    await reconcileWithProvider(order, deps);
  } catch (error) {
    // The provider closed it and cannot be asked now: a payment it reports later still moves CLOSED to SUCCESS.
    if (refusal || !(error instanceof NetworkError || error instanceof SignatureError)) throw refusal ?? error;
    deps.log(`vk-uni-pay: ${outTradeNo} closed at ${order.provider}; the confirming query failed (${(error as Error).message})`);
  }
  const current = (await findOrder(outTradeNo, deps.db)) ?? order;
  if (isPaid(current.status)) throw failures.orderAlreadyPaid();
  if (refusal) throw refusal;
  if (current.status === "CLOSED") return { out_trade_no: outTradeNo, trade_state: "CLOSED" };
  // If a payment slipped in meanwhile, the conditional write leaves it paid.
  if (!(await markClosed(order._id, deps.now(), deps.db))) throw failures.orderAlreadyPaid();
  return { out_trade_no: outTradeNo, trade_state: "CLOSED" };
}

/** `vkPay.closeOrder`: closes at the provider, then the order is CLOSED; a paid order is never closed. */
export function closeOrder(
  params: { out_trade_no: string; user_id?: string },
  deps: ApiDeps = productionDeps(),
): Promise<Result<{ out_trade_no: string; trade_state: "CLOSED" }>> {
  return respond("closeOrder", () => close(params, deps), deps.log);
}
