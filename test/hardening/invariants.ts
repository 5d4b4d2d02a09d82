import type { CloudDatabase } from "../../scripts/uni-cloud-mock/src/database";
import type { WxpaySandboxState } from "../../scripts/sandbox/wxpay/state";

/**
 * What must hold after any crash, once the platform has re-delivered and the library has queried
 * (SPEC §7): every order the platform took money for is paid here with its hook's credit once; nothing
 * the platform did not take money for is paid; refunds never exceed their order and match what the
 * platform refunded; every balance is the sum of its ledger. Each broken rule is one line.
 */
export async function invariantViolations(db: CloudDatabase, platform: WxpaySandboxState, mchId: string): Promise<string[]> {
  const violations: string[] = [];
  const all = async (collection: string) => (await db.collection(collection).limit(100_000).get()).data as Array<Record<string, any>>;
  const orders = await all("vk-pay-orders");
  const refunds = await all("vk-pay-refunds");
  const ledger = await all("vk-pay-balance-log");
  const users = await all("uni-id-users");

  for (const order of orders) {
    const at = platform.order(mchId, order.out_trade_no);
    const paidThere = at !== undefined && (at.trade_state === "SUCCESS" || at.trade_state === "REFUND");
    const paidHere = order.status === "SUCCESS" || order.status === "REFUND";
    const credits = ledger.filter((row) => row.out_trade_no === order.out_trade_no && row.amount > 0);
    if (paidThere !== paidHere) violations.push(`${order.out_trade_no}: ${paidThere ? "paid" : "unpaid"} at the platform, ${order.status} here`);
    if (paidHere && order.user_order_success !== true) violations.push(`${order.out_trade_no}: paid, but its hook has not run`);
    if (credits.length !== (paidHere ? 1 : 0)) violations.push(`${order.out_trade_no}: ${credits.length} credits for a ${order.status} order`);
    if (credits[0] && credits[0].amount !== order.total_fee) violations.push(`${order.out_trade_no}: credited ${credits[0].amount} for ${order.total_fee}`);

    const settled = refunds.filter((refund) => refund.out_trade_no === order.out_trade_no && refund.status === "SUCCESS");
    const settledFee = settled.reduce((sum, refund) => sum + refund.refund_fee, 0);
    if (settledFee > order.total_fee) violations.push(`${order.out_trade_no}: refunds of ${settledFee} exceed ${order.total_fee}`);
    if ((order.refund_fee ?? 0) !== settledFee) violations.push(`${order.out_trade_no}: refund_fee ${order.refund_fee ?? 0}, settled refunds ${settledFee}`);
    const refundedThere = platform
      .refundsOf(mchId, order.out_trade_no)
      .filter((refund) => refund.status === "SUCCESS")
      .reduce((sum, refund) => sum + refund.refund, 0);
    if (refundedThere !== settledFee) violations.push(`${order.out_trade_no}: the platform refunded ${refundedThere}, ${settledFee} settled here`);
    const debits = ledger.filter((row) => row.out_trade_no === order.out_trade_no && row.amount < 0).reduce((sum, row) => sum - row.amount, 0);
    if (debits !== settledFee) violations.push(`${order.out_trade_no}: ${debits} taken back from the balance for ${settledFee} refunded`);
  }
  for (const user of users) {
    const sum = ledger.filter((row) => row.user_id === user._id).reduce((total, row) => total + row.amount, 0);
    if ((user.balance ?? 0) !== sum) violations.push(`${user._id}: balance ${user.balance ?? 0}, ledger ${sum}`);
  }
  return violations;
}
