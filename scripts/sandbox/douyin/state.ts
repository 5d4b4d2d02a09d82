import { readStateFile, sandboxStateBase, writeStateFile, type SandboxStateBase } from "../state-file";
import type { SandboxOrder, SandboxRefund, SandboxSettle, StoredNotification } from "./types";

interface PersistedState {
  version: 1;
  clockOffsetSeconds: number;
  orders: Record<string, SandboxOrder>;
  refunds: Record<string, SandboxRefund>;
  /** client_token → { app_id, expires_at } */
  tokens: Record<string, { app_id: string; expires_at: number }>;
  notifications: Record<string, StoredNotification>;
  /** Added after version 1 was first written: absent in older state files. */
  settles?: Record<string, SandboxSettle>;
  counter: number;
}

export interface DouyinSandboxState extends SandboxStateBase<StoredNotification> {
  order(appId: string, outOrderNo: string): SandboxOrder | undefined;
  orderById(orderId: string): SandboxOrder | undefined;
  orders(): SandboxOrder[];
  putOrder(order: SandboxOrder): void;
  refund(appId: string, outRefundNo: string): SandboxRefund | undefined;
  refunds(): SandboxRefund[];
  putRefund(refund: SandboxRefund): void;
  token(token: string): { app_id: string; expires_at: number } | undefined;
  putToken(token: string, appId: string, expiresAt: number): void;
  settle(appId: string, outSettleNo: string): SandboxSettle | undefined;
  settles(): SandboxSettle[];
  putSettle(settle: SandboxSettle): void;
  /** A fresh number for Douyin's own ids (order_id, refund_id…), unique within this data directory. */
  nextId(prefix: string): string;
}

const emptyState = (): PersistedState => ({ version: 1, clockOffsetSeconds: 0, orders: {}, refunds: {}, tokens: {}, notifications: {}, counter: 0 });

export function createDouyinSandboxState(options: { file?: string; now: () => number }): DouyinSandboxState {
  const data = readStateFile(options.file, emptyState);
  const save = () => writeStateFile(options.file, data);
  const own: Omit<DouyinSandboxState, keyof SandboxStateBase<StoredNotification>> = {
    order: (appId, outOrderNo) => data.orders[`${appId}:${outOrderNo}`],
    orderById: (orderId) => Object.values(data.orders).find((order) => order.order_id === orderId),
    orders: () => Object.values(data.orders),
    putOrder(order) {
      data.orders[`${order.app_id}:${order.out_order_no}`] = order;
      save();
    },
    refund: (appId, outRefundNo) => data.refunds[`${appId}:${outRefundNo}`],
    refunds: () => Object.values(data.refunds),
    putRefund(refund) {
      data.refunds[`${refund.app_id}:${refund.out_refund_no}`] = refund;
      save();
    },
    settle: (appId, outSettleNo) => data.settles?.[`${appId}:${outSettleNo}`],
    settles: () => Object.values(data.settles ?? {}),
    putSettle(settle) {
      (data.settles ??= {})[`${settle.app_id}:${settle.out_settle_no}`] = settle;
      save();
    },
    token: (token) => data.tokens[token],
    putToken(token, appId, expiresAt) {
      data.tokens[token] = { app_id: appId, expires_at: expiresAt };
      save();
    },
    nextId(prefix) {
      data.counter += 1;
      save();
      return `${prefix}${String(options.now()).slice(-10)}${String(data.counter).padStart(6, "0")}`;
    },
  };
  return Object.assign(sandboxStateBase(data, options.file, options.now), own);
}
