import { callRoute, envelopeFailure } from "./cloud";
import { checkPayment } from "./check-payment";
import type { ClientContext } from "./context";
import { cancelled, requestFailed, VkPayClientError } from "./errors";
import { callUni, type IapChannelLike } from "./host";
import type { CreatedPayment, PayParams, PayResult } from "./types";

/** Transactions bought but not yet verified, by transaction id → out_trade_no (vk-uni-pay's storage key). */
export const IAP_CACHE_KEY = "vk-uni-pay-appleiap-order";
/** StoreKit's SKErrorPaymentCancelled, as uni-app reports it. */
const APPLE_CANCEL = 2;

/** @see https://uniapp.dcloud.net.cn/api/plugins/payment.html#iap */
export function iapChannel(context: ClientContext): Promise<IapChannelLike> {
  const payment = context.host.plus?.payment;
  return new Promise((resolve, reject) => {
    if (!payment) return reject(requestFailed(undefined, undefined, "no-iap", "当前环境不支持苹果内购"));
    payment.getChannels(
      (channels) => {
        const channel = channels.find((one) => one.id === "appleiap");
        if (channel) resolve(channel);
        else reject(requestFailed(undefined, channels, "no-iap", "当前环境不支持苹果内购"));
      },
      (error) => reject(requestFailed(undefined, error, "no-iap", "获取苹果内购通道失败")),
    );
  });
}

function channelCall<T>(
  channel: IapChannelLike,
  name: "requestProduct" | "requestOrder" | "finishTransaction" | "restoreCompletedTransactions",
  arg: unknown,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const api = channel[name] as ((arg: unknown, success: (res: T) => void, fail: (error: unknown) => void) => void) | undefined;
    if (typeof api !== "function") return reject(new Error(`appleiap ${name} missing`));
    api.call(channel, arg, resolve, reject);
  });
}

interface AppleProduct {
  productid: string;
  price: string | number;
  title?: string;
  description?: string;
}

interface AppleTransaction {
  payment?: { productid?: string; username?: string; quantity?: number };
  transactionIdentifier?: string;
  transactionReceipt?: string;
  /** "1" purchased, "2" failed, "3" restored. */
  transactionState?: string | number;
}

function cache(context: ClientContext): Record<string, string> {
  const value = context.host.uni?.getStorageSync?.(IAP_CACHE_KEY);
  return typeof value === "object" && value !== null ? { ...(value as Record<string, string>) } : {};
}

function saveCache(context: ClientContext, entries: Record<string, string>): void {
  if (Object.keys(entries).length === 0) context.host.uni?.removeStorageSync?.(IAP_CACHE_KEY);
  else context.host.uni?.setStorageSync?.(IAP_CACHE_KEY, entries);
}

/** The server checks the receipt with Apple and binds it to the order; only then is the transaction finished. */
async function verifyReceipt(context: ClientContext, channel: IapChannelLike, outTradeNo: string, transaction: AppleTransaction) {
  const reply = await callRoute(context.host, context.options, "pay/appleiap/verifyReceipt", {
    out_trade_no: outTradeNo,
    transaction_receipt: transaction.transactionReceipt,
    transaction_identifier: transaction.transactionIdentifier,
  });
  if (reply.code !== 0) return reply;
  await channelCall(channel, "finishTransaction", transaction).catch(() => undefined);
  const entries = cache(context);
  delete entries[transaction.transactionIdentifier ?? ""];
  saveCache(context, entries);
  return reply;
}

/**
 * An iOS in-app purchase: the price comes from Apple, the order from our server, the purchase from
 * StoreKit (with the order number as `username`, finished by hand), and the receipt goes back to the server
 * before the transaction is finished, so that an interrupted purchase is verified by appleiapRestore.
 */
export async function payWithAppleIap(
  context: ClientContext,
  params: PayParams,
  createOrder: (fields: Record<string, unknown>) => Promise<CreatedPayment | undefined>,
): Promise<PayResult> {
  const productid = params.productid ?? (params.data?.productid as string | undefined);
  if (!productid) throw new VkPayClientError({ failType: "create", code: "productid", msg: "缺少苹果内购商品id（productid）" });
  const channel = await iapChannel(context);
  const products = await channelCall<AppleProduct[]>(channel, channel.requestProduct ? "requestProduct" : "requestOrder", [productid]).catch((error) => {
    throw requestFailed(undefined, error, "product", "获取苹果内购商品信息失败");
  });
  const product = products.find((one) => one.productid === productid) ?? products[0];
  if (!product) throw requestFailed(undefined, products, "product", "获取苹果内购商品信息失败");
  const created = await createOrder({ total_fee: Math.round(Number(product.price) * 100), subject: product.title || product.description || productid });
  if (!created) return { out_trade_no: "", provider: "appleiap", pay_type: "appleiap_app-plus", total_fee: 0, orderPaid: false, stopped: true };
  const bought = await callUni(context.host.uni, "requestPayment", {
    provider: "appleiap",
    orderInfo: { productid, username: created.out_trade_no, quantity: 1, manualFinishTransaction: true },
  });
  if (!bought.ok) {
    if (Number(bought.res?.errCode ?? bought.res?.code) === APPLE_CANCEL) throw cancelled(created.out_trade_no, bought.res);
    throw requestFailed(created.out_trade_no, bought.res);
  }
  const transaction = bought.res as AppleTransaction;
  const entries = cache(context);
  if (transaction.transactionIdentifier) entries[transaction.transactionIdentifier] = created.out_trade_no;
  saveCache(context, entries);
  const reply = await verifyReceipt(context, channel, created.out_trade_no, transaction);
  if (reply.code !== 0) throw envelopeFailure("result", reply, created.out_trade_no);
  return checkPayment(context, created, { awaitNotify: params.awaitNotify, firstDelay: 0, pollingTime: params.pollingTime, pollingTimes: params.pollingTimes });
}

export interface RestoreReport {
  /** Orders whose receipts the server accepted now. */
  verified: string[];
  /** Transactions the server refused (kept unfinished, to try again later). */
  refused: string[];
  /** Transactions with no order number anywhere, finished so they stop coming back. */
  lost: number;
  /** Failed purchases, finished. */
  failed: number;
}

/**
 * Unfinished purchases (an app killed between paying and verifying): each bought or restored one is
 * verified for its order (from `username` or the cache) and finished; failed ones and ones with no order
 * are finished.
 */
export async function appleiapRestore(context: ClientContext): Promise<RestoreReport> {
  const channel = await iapChannel(context);
  const transactions = await channelCall<AppleTransaction[]>(channel, "restoreCompletedTransactions", { manualFinishTransaction: true }).catch((error) => {
    throw new VkPayClientError({ failType: "call", code: "restore", msg: "恢复购买失败", raw: error });
  });
  const report: RestoreReport = { verified: [], refused: [], lost: 0, failed: 0 };
  const entries = cache(context);
  for (const transaction of transactions ?? []) {
    const state = String(transaction.transactionState);
    if (state !== "1" && state !== "3") {
      if (state === "2") {
        report.failed += 1;
        await channelCall(channel, "finishTransaction", transaction).catch(() => undefined);
      }
      continue;
    }
    const outTradeNo = transaction.payment?.username || entries[transaction.transactionIdentifier ?? ""];
    if (!outTradeNo) {
      report.lost += 1;
      await channelCall(channel, "finishTransaction", transaction).catch(() => undefined);
      continue;
    }
    const reply = await verifyReceipt(context, channel, outTradeNo, transaction);
    (reply.code === 0 ? report.verified : report.refused).push(outTradeNo);
  }
  return report;
}
