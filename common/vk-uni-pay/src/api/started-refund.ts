import { VkPayError } from "../core/errors";
import type { Order } from "../core/orders";
import { reserveRefund } from "../core/refunds";
import type { StartedRefund } from "../kernel/contract";
import type { ApiDeps } from "./shared";

/**
 * A refund a provider call set going (a buyer's refund the merchant agreed to), entered in the order's
 * refund ledger as PROCESSING under the provider's number, exactly as a refund of ours is before its
 * answer: the same ceiling, and one record per number, so the call asked again, its refund callback and a
 * query all find this one. Settling it (refund_fee, the refund record, the `refunded` hook) is the
 * callback's or the query's, once. Forced: the money is already on its way back, so the order type's
 * objections (a spent balance) cannot stop it.
 *
 * The provider has already agreed when this runs; a ledger that cannot take it (an amount past the
 * ceiling, a number used by another refund) is logged, and its callback is refused the same way.
 */
export async function recordStartedRefund(order: Order, refund: StartedRefund, deps: ApiDeps): Promise<boolean> {
  try {
    await reserveRefund(
      order._id,
      {
        outRefundNo: refund.outRefundNo,
        refundFee: refund.refundFee,
        desc: refund.desc.slice(0, 80),
        operator: "buyer",
        force: true,
        ...(refund.refundId ? { refundId: refund.refundId } : {}),
        providerInitiated: true,
      },
      deps.now(),
      deps.db,
    );
    return true;
  } catch (error) {
    if (!(error instanceof VkPayError)) throw error;
    deps.log(`vk-uni-pay: refund ${refund.outRefundNo} of ${order.out_trade_no}, started at ${order.provider}, is not in the ledger: ${error.errCode}`);
    return false;
  }
}
