import { readStateFile, sandboxStateBase, writeStateFile, type SandboxStateBase } from "../state-file";
import type { BillState, ClosePaidAnswer, MerchantSettings, SandboxBill, SandboxOrder, SandboxRefund, SignMode, StoredNotification } from "./types";

interface PersistedState {
  version: 1;
  clockOffsetSeconds: number;
  merchants: Record<string, MerchantSettings>;
  orders: Record<string, SandboxOrder>;
  refunds: Record<string, SandboxRefund>;
  /** 商家转账 bills by `<mchid>:<out_bill_no>`. */
  bills: Record<string, SandboxBill>;
  /** The state new bills start in, as the control API last set it (WAIT_USER_CONFIRM when absent). */
  billInitialState?: BillState;
  notifications: Record<string, StoredNotification>;
}

export interface WxpaySandboxState extends SandboxStateBase<StoredNotification> {
  signMode(mchid: string): SignMode;
  setSignMode(mchid: string, mode: SignMode): void;
  /**
   * How v3 answers a close of a paid order. Its page lists no ORDERPAID for close, and merchants report a
   * 204 for any order number, paid ones included; v2 documents ORDERPAID. The library must cope with both.
   * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556398
   */
  closePaidAnswer(mchid: string): ClosePaidAnswer;
  setClosePaidAnswer(mchid: string, answer: ClosePaidAnswer): void;
  order(mchid: string, outTradeNo: string): SandboxOrder | undefined;
  orderByTransactionId(mchid: string, transactionId: string): SandboxOrder | undefined;
  orders(): SandboxOrder[];
  putOrder(order: SandboxOrder): void;
  refund(mchid: string, outRefundNo: string): SandboxRefund | undefined;
  refunds(): SandboxRefund[];
  refundsOf(mchid: string, outTradeNo: string): SandboxRefund[];
  putRefund(refund: SandboxRefund): void;
  bill(mchid: string, outBillNo: string): SandboxBill | undefined;
  bills(): SandboxBill[];
  /** Stores a new or changed bill (a bill is changed in place, then put again to be written). */
  putBill(bill: SandboxBill): void;
  billInitialState(): BillState;
  setBillInitialState(state: BillState): void;
}

const key = (mchid: string, id: string) => `${mchid}:${id}`;

function emptyState(): PersistedState {
  return { version: 1, clockOffsetSeconds: 0, merchants: {}, orders: {}, refunds: {}, bills: {}, notifications: {} };
}

/**
 * Orders, refunds, transfer bills and the last notifications, in memory and in `state.json` so that `npm start`
 * restarts keep them. The sandbox is one process; the file is only its memory across restarts.
 */
export function createSandboxState(options: { file?: string; now: () => number; defaultSignMode: SignMode }): WxpaySandboxState {
  const data = readStateFile(options.file, emptyState);

  const save = () => writeStateFile(options.file, data);

  const own: Omit<WxpaySandboxState, keyof SandboxStateBase<StoredNotification>> = {
    signMode: (mchid) => data.merchants[mchid]?.signMode ?? options.defaultSignMode,
    setSignMode(mchid, mode) {
      data.merchants[mchid] = { ...data.merchants[mchid], signMode: mode };
      save();
    },
    closePaidAnswer: (mchid) => data.merchants[mchid]?.closePaid ?? "ORDERPAID",
    setClosePaidAnswer(mchid, answer) {
      data.merchants[mchid] = { ...data.merchants[mchid], signMode: data.merchants[mchid]?.signMode ?? options.defaultSignMode, closePaid: answer };
      save();
    },
    order: (mchid, outTradeNo) => data.orders[key(mchid, outTradeNo)],
    orderByTransactionId: (mchid, transactionId) => Object.values(data.orders).find((o) => o.mchid === mchid && o.transaction_id === transactionId),
    orders: () => Object.values(data.orders),
    putOrder(order) {
      data.orders[key(order.mchid, order.out_trade_no)] = order;
      save();
    },
    refund: (mchid, outRefundNo) => data.refunds[key(mchid, outRefundNo)],
    refunds: () => Object.values(data.refunds),
    refundsOf: (mchid, outTradeNo) => Object.values(data.refunds).filter((r) => r.mchid === mchid && r.out_trade_no === outTradeNo),
    putRefund(refund) {
      data.refunds[key(refund.mchid, refund.out_refund_no)] = refund;
      save();
    },
    bill: (mchid, outBillNo) => data.bills[key(mchid, outBillNo)],
    bills: () => Object.values(data.bills),
    putBill(bill) {
      data.bills[key(bill.mch_id, bill.out_bill_no)] = bill;
      save();
    },
    billInitialState: () => data.billInitialState ?? "WAIT_USER_CONFIRM",
    setBillInitialState(state) {
      data.billInitialState = state;
      save();
    },
  };
  return Object.assign(sandboxStateBase(data, options.file, options.now), own);
}
