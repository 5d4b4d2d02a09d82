/**
 * Where a payment stopped, as vk-uni-pay's component reports it: `create` (the server refused or could not
 * be reached), `request` (the native payment failed or the user cancelled it), `result` (paid nothing:
 * closed, failed, or no result within the polling time). Calls other than `pay` fail with `call`.
 */
export type FailType = "create" | "request" | "result" | "call";

export interface VkPayFailure {
  failType: FailType;
  /** The server's code, or the platform's own (`6001`, `-2`, `tradeState`…), or `cancel` / `timeout`. */
  code: number | string;
  /** For people, in Chinese. */
  msg: string;
  /** The server's stable error code, when the server answered. */
  errCode?: string;
  /** The user stopped the payment (cancelled the cashier, said they had not paid). */
  cancelled?: boolean;
  out_trade_no?: string;
  /** What the platform or the server answered, unchanged, for the log. */
  raw?: unknown;
}

export class VkPayClientError extends Error implements VkPayFailure {
  readonly failType: FailType;
  readonly code: number | string;
  readonly msg: string;
  readonly errCode?: string;
  readonly cancelled?: boolean;
  readonly out_trade_no?: string;
  readonly raw?: unknown;

  constructor(failure: VkPayFailure) {
    super(failure.msg);
    this.name = "VkPayClientError";
    this.failType = failure.failType;
    this.code = failure.code;
    this.msg = failure.msg;
    if (failure.errCode !== undefined) this.errCode = failure.errCode;
    if (failure.cancelled) this.cancelled = true;
    if (failure.out_trade_no !== undefined) this.out_trade_no = failure.out_trade_no;
    if (failure.raw !== undefined) this.raw = failure.raw;
  }
}

export function cancelled(outTradeNo: string | undefined, raw: unknown, msg = "用户取消支付"): VkPayClientError {
  return new VkPayClientError({ failType: "request", code: "cancel", msg, cancelled: true, out_trade_no: outTradeNo, raw });
}

export function requestFailed(outTradeNo: string | undefined, raw: unknown, code: number | string = "fail", msg = "支付失败"): VkPayClientError {
  return new VkPayClientError({ failType: "request", code, msg, out_trade_no: outTradeNo, raw });
}
