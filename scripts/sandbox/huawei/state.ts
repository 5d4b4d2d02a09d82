import { readStateFile, sandboxStateBase, type SandboxStateBase } from "../state-file";

/** A trade as the sandbox keeps it, in Huawei's own field names and states. */
export interface HuaweiTrade {
  mercOrderNo: string;
  appId: string;
  /** The caller: the merchant itself, or the service provider (`spMercNo`) of a partner trade. */
  mercNo: string;
  /** A partner trade's sub-merchant: it is then served only under `/partner/`. */
  subMercNo?: string;
  /** `app` (HarmonyOS app) or `fa` (atomic service): which preorder API created it. */
  kind: "app" | "fa";
  tradeSummary: string;
  totalAmount: number;
  callbackUrl: string;
  payload?: string;
  prepayId: string;
  orderStatus: "TRX_APPLY" | "TRX_PROC" | "TRX_SUCCESS" | "TRX_FAILED";
  sysTransOrderNo?: string;
  finishTime?: string;
  createdAt: number;
}

export interface HuaweiRefund {
  sysRefundOrderNo: string;
  mercRefundOrderNo: string;
  mercOrderNo: string;
  refundAmount: number;
  callbackUrl: string;
  reason?: string;
  refundOrderStatus: "REFUND_CHL_PROC" | "REFUND_SUCCESS" | "REFUND_FAILED";
  finishTime?: string;
}

/** A callback as sent: its URL and exact body, redelivered unchanged (same callbackId), as Huawei retries. */
export interface StoredCallback {
  url: string;
  body: string;
}

interface Data {
  version: 1;
  clockOffsetSeconds: number;
  notifications: Record<string, StoredCallback>;
  trades: Record<string, HuaweiTrade>;
  refunds: Record<string, HuaweiRefund>;
  sequence: number;
}

export interface HuaweiSandboxState extends SandboxStateBase<StoredCallback> {
  trade(mercOrderNo: string): HuaweiTrade | undefined;
  putTrade(trade: HuaweiTrade): void;
  refund(sysRefundOrderNo: string): HuaweiRefund | undefined;
  refundByMercNo(mercRefundOrderNo: string): HuaweiRefund | undefined;
  refundsOf(mercOrderNo: string): HuaweiRefund[];
  putRefund(refund: HuaweiRefund): void;
  /** A fresh number for the platform's own ids. */
  nextSequence(): number;
}

export function createHuaweiState(options: { file?: string; now: () => number }): HuaweiSandboxState {
  const data = readStateFile<Data>(options.file, () => ({ version: 1, clockOffsetSeconds: 0, notifications: {}, trades: {}, refunds: {}, sequence: 0 }));
  const base = sandboxStateBase(data, options.file, options.now);
  return Object.assign(base, {
    trade: (no: string) => data.trades[no],
    putTrade(trade: HuaweiTrade) {
      data.trades[trade.mercOrderNo] = trade;
      base.save();
    },
    refund: (no: string) => data.refunds[no],
    refundByMercNo: (no: string) => Object.values(data.refunds).find((refund) => refund.mercRefundOrderNo === no),
    refundsOf: (no: string) => Object.values(data.refunds).filter((refund) => refund.mercOrderNo === no),
    putRefund(refund: HuaweiRefund) {
      data.refunds[refund.sysRefundOrderNo] = refund;
      base.save();
    },
    nextSequence() {
      data.sequence += 1;
      base.save();
      return data.sequence;
    },
  });
}
