import { readStateFile, sandboxStateBase, type SandboxStateBase } from "../state-file";

export interface VkspayTrade {
  out_trade_no: string;
  trade_no: string;
  pid: string;
  type: "wxpay" | "alipay";
  name: string;
  money: string;
  notify_url: string;
  return_url?: string;
  param?: string;
  /** 0 unpaid, 1 paid (api.php's `status`). */
  status: 0 | 1;
  refunded: string;
  addtime: number;
  endtime?: number;
}

/** A notification as sent: the URL with its query, redelivered unchanged. */
export interface StoredNotify {
  url: string;
}

interface Data {
  version: 1;
  clockOffsetSeconds: number;
  notifications: Record<string, StoredNotify>;
  trades: Record<string, VkspayTrade>;
  sequence: number;
}

export interface VkspaySandboxState extends SandboxStateBase<StoredNotify> {
  trade(outTradeNo: string): VkspayTrade | undefined;
  putTrade(trade: VkspayTrade): void;
  nextSequence(): number;
}

export function createVkspayState(options: { file?: string; now: () => number }): VkspaySandboxState {
  const data = readStateFile<Data>(options.file, () => ({ version: 1, clockOffsetSeconds: 0, notifications: {}, trades: {}, sequence: 0 }));
  const base = sandboxStateBase(data, options.file, options.now);
  return Object.assign(base, {
    trade: (no: string) => data.trades[no],
    putTrade(trade: VkspayTrade) {
      data.trades[trade.out_trade_no] = trade;
      base.save();
    },
    nextSequence() {
      data.sequence += 1;
      base.save();
      return data.sequence;
    },
  });
}
