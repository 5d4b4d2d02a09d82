import type { RefundState, TradeState } from "../../kernel/contract";

/**
 * Huawei's order and refund states in the library's terms. TRX_APPLY / TRX_PROC are pending (an unknown
 * state too: never SUCCESS); TRX_FAILED is a failed payment.
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-merc-query-order (orderStatus)
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-sys-query-refund (refundOrderStatus)
 */
export function tradeStateOf(orderStatus: unknown): TradeState {
  if (orderStatus === "TRX_SUCCESS") return "SUCCESS";
  if (orderStatus === "TRX_FAILED") return "PAYERROR";
  if (orderStatus === "TRX_PROC") return "USERPAYING";
  return "NOTPAY";
}

export function refundStateOf(refundOrderStatus: unknown): RefundState {
  if (refundOrderStatus === "REFUND_SUCCESS") return "SUCCESS";
  if (refundOrderStatus === "REFUND_FAILED") return "CLOSED";
  return "PROCESSING";
}

/** An amount field (Long, fen) as Huawei writes it: a JSON integer, or its digits as a string. */
export function fenOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * A Huawei time: `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2023-02-23T10:05:17.000+0800` in the callback example), or
 * the callback's `yyyy-MM-dd HH:mm:ss` (taken as Beijing time). Undefined when it cannot be read.
 */
export function timeOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,3})?([+-]\d{2}):?(\d{2})$/.exec(value);
  if (iso) {
    const ms = Date.parse(`${iso[1]}T${iso[2]}${iso[3] ?? ""}${iso[4]}:${iso[5]}`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const plain = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  if (plain) {
    const ms = Date.parse(`${plain[1]}T${plain[2]}+08:00`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSS+0800`, the form the preorder's `expireTime` takes. */
export function huaweiTime(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 23)}+0800`;
}
