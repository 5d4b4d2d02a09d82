import type { DouyinNotifier } from "./notifier";
import type { DouyinSandboxState } from "./state";
import { SandboxRefusal, type DouyinSystem, type SandboxOrder, type SandboxRefund } from "./types";

/**
 * What the sandbox's orders and refunds may do, the same for both systems: an order is paid once, while
 * open and unexpired; refunds are refused past what was paid, counting every refund not failed.
 */
export function createLedger(state: DouyinSandboxState, notifier: DouyinNotifier) {
  const expired = (order: SandboxOrder) => order.status === "PROCESS" && state.businessNow() >= order.expire_at;

  /** Orders whose pay window closed become TIMEOUT; the trade system calls back with CANCEL/TIME_OUT, ecpay sends nothing. */
  function settleDue(): SandboxOrder[] {
    const changed: SandboxOrder[] = [];
    for (const order of state.orders()) {
      if (!expired(order)) continue;
      const closed = { ...order, status: "TIMEOUT" as const };
      state.putOrder(closed);
      if (closed.system === "trade") notifier.payment(closed, "TIME_OUT");
      changed.push(closed);
    }
    return changed;
  }

  function find(appId: string, outOrderNo: string): SandboxOrder {
    settleDue();
    const order = state.order(appId, outOrderNo);
    if (!order) throw new SandboxRefusal(20000, "订单不存在");
    return order;
  }

  function pay(order: SandboxOrder, payChannel: number): SandboxOrder {
    if (order.status === "SUCCESS") throw new SandboxRefusal(20001, "订单已支付");
    if (order.status !== "PROCESS") throw new SandboxRefusal(20002, "订单已关闭");
    const paid: SandboxOrder = { ...order, status: "SUCCESS", pay_channel: payChannel, channel_pay_id: state.nextId("42000"), pay_time: state.businessNow() };
    state.putOrder(paid);
    notifier.payment(paid);
    return paid;
  }

  function cancel(order: SandboxOrder, reason: string): SandboxOrder {
    if (order.status !== "PROCESS") throw new SandboxRefusal(20002, "订单状态不允许取消");
    // Ecpay keeps the order payable (the buyer only closed the cashier) and sends nothing; the trade system cancels it.
    if (order.system === "ecpay") return order;
    const cancelled: SandboxOrder = { ...order, status: "TIMEOUT" };
    state.putOrder(cancelled);
    notifier.payment(cancelled, reason);
    return cancelled;
  }

  function createRefund(
    system: DouyinSystem,
    order: SandboxOrder,
    request: { out_refund_no: string; amount: number; notify_url?: string; cp_extra?: string },
  ): SandboxRefund {
    const existing = state.refund(order.app_id, request.out_refund_no);
    if (existing) {
      if (existing.out_order_no !== order.out_order_no || existing.amount !== request.amount) throw new SandboxRefusal(21001, "退款单号重复");
      const again = { ...existing, requests: existing.requests + 1 };
      state.putRefund(again);
      return again;
    }
    if (order.status !== "SUCCESS") throw new SandboxRefusal(21002, "订单未支付，不能退款");
    const refunded = state
      .refunds()
      .filter((refund) => refund.app_id === order.app_id && refund.out_order_no === order.out_order_no && refund.status !== "FAIL")
      .reduce((sum, refund) => sum + refund.amount, 0);
    if (!Number.isSafeInteger(request.amount) || request.amount <= 0 || refunded + request.amount > order.total_amount)
      throw new SandboxRefusal(21003, "退款金额超过可退金额");
    const refund: SandboxRefund = {
      system,
      app_id: order.app_id,
      out_order_no: order.out_order_no,
      order_id: order.order_id,
      out_refund_no: request.out_refund_no,
      refund_id: state.nextId(system === "trade" ? "ot_refund" : "N"),
      amount: request.amount,
      status: "PROCESSING",
      ...(request.notify_url ? { notify_url: request.notify_url } : {}),
      ...(request.cp_extra ? { cp_extra: request.cp_extra } : {}),
      created_at: state.businessNow(),
      requests: 1,
    };
    state.putRefund(refund);
    return refund;
  }

  function settleRefund(refund: SandboxRefund, status: "SUCCESS" | "FAIL"): SandboxRefund {
    if (refund.status !== "PROCESSING") throw new SandboxRefusal(21004, `退款已是 ${refund.status}`);
    const settled: SandboxRefund = { ...refund, status, refunded_at: state.businessNow() };
    state.putRefund(settled);
    notifier.refund(settled);
    return settled;
  }

  return { settleDue, find, pay, cancel, createRefund, settleRefund };
}

export type DouyinLedger = ReturnType<typeof createLedger>;
