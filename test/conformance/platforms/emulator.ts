import { secretsOfSpace } from "../secrets";
import type { DatabaseReader, LibraryCalls, NotifyMessage, NotifyReply, PlatformSession } from "../fake-platform";

/**
 * What every sandboxed provider's session shares: the library called through the built vk-pay in the
 * emulator, as a uni-app client (the user `u1`) and an admin call it, so the order type's hooks run as in
 * production; notifications posted over HTTP to the notify URL the order stores; the sandbox driven
 * through its control API.
 */

type Call = (url: string, data: Record<string, unknown>) => Promise<any>;

export interface EmulatorParts {
  /** The provider's name in `pay/createPayment`, and what else it needs to pay by QR code or cashier link. */
  provider: string;
  createExtra?: Record<string, unknown>;
  /** The sandbox's name under `/__sandbox/`. */
  sandbox: string;
  /** The control action by which the buyer opens an order without paying, where the sandbox has one (Alipay creates its trade then). */
  scan?: string;
  db: DatabaseReader;
  /** The space's UNICLOUD_DATA_DIR: its generated config names the secrets. */
  dataDir: string;
  client: Call;
  asAdmin: Call;
  control(action: string, body: Record<string, unknown>): Promise<Record<string, any>>;
  /** Resolves once the sandbox has no notification in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function emulatorLibrary(parts: EmulatorParts): LibraryCalls {
  return {
    createPayment: (totalFee) => parts.client("pay/createPayment", { provider: parts.provider, type: "recharge", total_fee: totalFee, ...parts.createExtra }),
    queryPayment: (outTradeNo) => parts.client("pay/queryPayment", { out_trade_no: outTradeNo }),
    closeOrder: (outTradeNo) => parts.client("pay/closeOrder", { out_trade_no: outTradeNo }),
    refund: (outTradeNo, refundFee) =>
      parts.asAdmin("admin/refund", { out_trade_no: outTradeNo, ...(refundFee === undefined ? {} : { refund_fee: refundFee }), refund_desc: "一致性测试退款" }),
    queryRefund: (outTradeNo, outRefundNo) => parts.asAdmin("admin/queryRefund", { out_trade_no: outTradeNo, out_refund_no: outRefundNo }),
  };
}

/** A control action that must succeed, followed by the notifications it set off. */
async function act(parts: EmulatorParts, action: string, body: Record<string, unknown>): Promise<void> {
  const answer = await parts.control(action, body);
  if (answer.ok !== true) throw new Error(`${parts.sandbox} sandbox refused ${action}: ${JSON.stringify(answer)}`);
  await parts.idle();
}

/** The session parts that are the same for every sandbox; the caller adds `forge` and `settleRefund`. */
export function emulatorSession(parts: EmulatorParts): Omit<PlatformSession, "forge" | "settleRefund"> {
  return {
    library: emulatorLibrary(parts),
    db: parts.db,
    secrets: () => secretsOfSpace(parts.dataDir, parts.db),
    userId: "u1",
    open: (outTradeNo) => (parts.scan ? act(parts, parts.scan, { out_trade_no: outTradeNo }) : Promise.resolve()),
    pay: (outTradeNo) => act(parts, "pay", { out_trade_no: outTradeNo }),
    drop: (count) => act(parts, "drop", { count }),
    redeliver: (outTradeNo) => act(parts, "redeliver", { out_trade_no: outTradeNo }),
    async post(outTradeNo: string, message: NotifyMessage): Promise<NotifyReply> {
      const order = (await parts.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as { notify_url: string };
      const url = message.query ? `${order.notify_url}?${new URLSearchParams(message.query)}` : order.notify_url;
      const response = await fetch(url, { method: "POST", headers: message.headers, body: message.body });
      return { status: response.status, body: await response.text() };
    },
    stop: () => parts.close(),
  };
}
