import { appleiapRestore, type RestoreReport } from "./apple-iap";
import { callRoute, envelopeFailure, type Envelope } from "./cloud";
import { createContext } from "./context";
import { globalHost } from "./host";
import { getOpenid, type GetOpenidParams } from "./openid";
import { pay } from "./pay";
import { confirmReturn, type ConfirmReturnParams } from "./redirect";
import type { ActionTarget, PaymentState, PayParams, PayResult, VkPayClientOptions } from "./types";

export { VkPayClientError, type FailType, type VkPayFailure } from "./errors";
export type { ClientHost, UniLike, UniCloudLike, BrowserLike, PlusLike, IapChannelLike } from "./host";
export type { ActionTarget, CreatedPayment, PaymentState, PayParams, PayResult, QrcodeInfo, VkPayClientOptions } from "./types";
export type { RestoreReport } from "./apple-iap";
export type { ConfirmReturnParams } from "./redirect";
export type { GetOpenidParams } from "./openid";

export interface QueryPaymentParams {
  out_trade_no: string;
  /** Wait (bounded, on the server) until the order type's hook has run. */
  await_notify?: boolean;
  action?: string | ActionTarget;
}

export interface VkPayClient {
  pay(params: PayParams): Promise<PayResult>;
  queryPayment(params: QueryPaymentParams): Promise<PaymentState>;
  getOpenid(params?: GetOpenidParams): Promise<string | undefined>;
  /** On the page a web cashier (WeChat's MWEB, vkspay's) returns to: queries, asks the payer if still unpaid; null when not a return. */
  confirmReturn(params?: ConfirmReturnParams): Promise<PayResult | null>;
  /** Verifies and finishes unfinished Apple purchases; call it when the App starts. */
  appleiapRestore(): Promise<RestoreReport>;
  /** Call from the page's onShow / onHide: polling pauses while the page is hidden. */
  setPageVisible(visible: boolean): void;
  /** Stops every poll in progress (e.g. the QR popup was closed); their promises fail as cancelled. */
  stopPolling(): void;
  /** Any route of the vk-pay function, answering its envelope unchanged. */
  call(route: string | ActionTarget, data?: Record<string, unknown>): Promise<Envelope>;
}

/** A client of the vk-pay function; `vkPay` is the one a uni-app project imports, on its globals. */
export function createVkPay(options: VkPayClientOptions = {}): VkPayClient {
  const context = createContext(options.host ?? globalHost(), options);
  return {
    pay: (params) => pay(context, params),
    async queryPayment(params) {
      const reply = await callRoute(context.host, options, params.action ?? "pay/queryPayment", {
        out_trade_no: params.out_trade_no,
        await_notify: params.await_notify === true,
      });
      if (reply.code !== 0) throw envelopeFailure("call", reply, params.out_trade_no);
      return reply.data as PaymentState;
    },
    getOpenid: (params) => getOpenid(context, params),
    confirmReturn: (params) => confirmReturn(context, params),
    appleiapRestore: () => appleiapRestore(context),
    setPageVisible(visible) {
      context.pageVisible = visible;
    },
    stopPolling() {
      context.generation += 1;
    },
    call: (route, data = {}) => callRoute(context.host, options, route, data),
  };
}

export const vkPay: VkPayClient = createVkPay();
export default vkPay;
