import type { TransferRecord } from "../core/transfers";
import type { TransferState } from "../kernel/contract";

/** What the transfer calls answer (`data`): vk-uni-pay's `result` (the provider's answer) and `options`, beside the ledger's view. */
export interface TransferData {
  out_bill_no: string;
  provider: string;
  state: TransferState;
  transfer_amount: number;
  transfer_bill_no?: string;
  fail_reason?: string;
  user_id?: string;
  create_date: number;
  update_date: number;
  final_date?: number;
  /** What the payee's client passes to `requestMerchantTransfer` to confirm, while the provider waits for them. */
  options?: Readonly<Record<string, unknown>>;
  /** The provider's answer to this call, as vk-uni-pay returns it. */
  result?: unknown;
}

export function transferView(record: TransferRecord, raw?: unknown): TransferData {
  const waiting = record.status === "WAIT_USER_CONFIRM" || record.status === "TRANSFERING";
  return {
    out_bill_no: record.out_bill_no,
    provider: record.provider,
    state: record.status,
    transfer_amount: record.transfer_amount,
    ...(record.transfer_bill_no ? { transfer_bill_no: record.transfer_bill_no } : {}),
    ...(record.fail_reason ? { fail_reason: record.fail_reason } : {}),
    ...(record.user_id ? { user_id: record.user_id } : {}),
    create_date: record.create_date,
    update_date: record.update_date,
    ...(record.final_date ? { final_date: record.final_date } : {}),
    ...(waiting && record.confirm_info ? { options: record.confirm_info } : {}),
    ...(raw !== undefined ? { result: raw } : {}),
  };
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** `yyyyMMdd` in Beijing time: the day a transfer counts against, whatever the cloud's time zone. */
export function beijingDay(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
}
