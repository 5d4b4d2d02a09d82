import { readStateFile, sandboxStateBase, writeStateFile, type SandboxStateBase } from "../state-file";
import type { SandboxRefund, SandboxTrade, StoredNotification } from "./types";

interface PersistedState {
  version: 1;
  clockOffsetSeconds: number;
  trades: Record<string, SandboxTrade>;
  refunds: Record<string, SandboxRefund>;
  notifications: Record<string, StoredNotification>;
}

/** The business clock's advances move expiries and `gmt_*` times. */
export interface AlipaySandboxState extends SandboxStateBase<StoredNotification> {
  trade(appId: string, outTradeNo: string): SandboxTrade | undefined;
  tradeByTradeNo(appId: string, tradeNo: string): SandboxTrade | undefined;
  trades(): SandboxTrade[];
  putTrade(trade: SandboxTrade): void;
  refund(appId: string, outTradeNo: string, outRequestNo: string): SandboxRefund | undefined;
  refunds(): SandboxRefund[];
  putRefund(refund: SandboxRefund): void;
}

const emptyState = (): PersistedState => ({ version: 1, clockOffsetSeconds: 0, trades: {}, refunds: {}, notifications: {} });

/** Trades, refunds and the last notifications, in memory and in `state.json` so `npm start` restarts keep them. */
export function createSandboxState(options: { file?: string; now: () => number }): AlipaySandboxState {
  const data = readStateFile(options.file, emptyState);

  const save = () => writeStateFile(options.file, data);

  const own: Omit<AlipaySandboxState, keyof SandboxStateBase<StoredNotification>> = {
    trade: (appId, outTradeNo) => data.trades[`${appId}:${outTradeNo}`],
    tradeByTradeNo: (appId, tradeNo) => Object.values(data.trades).find((t) => t.app_id === appId && t.trade_no === tradeNo),
    trades: () => Object.values(data.trades),
    putTrade(trade) {
      data.trades[`${trade.app_id}:${trade.out_trade_no}`] = trade;
      save();
    },
    // out_request_no is unique within its trade only, as at Alipay.
    refund: (appId, outTradeNo, outRequestNo) => data.refunds[`${appId}:${outTradeNo}:${outRequestNo}`],
    refunds: () => Object.values(data.refunds),
    putRefund(refund) {
      data.refunds[`${refund.app_id}:${refund.out_trade_no}:${refund.out_request_no}`] = refund;
      save();
    },
  };
  return Object.assign(sandboxStateBase(data, options.file, options.now), own);
}
