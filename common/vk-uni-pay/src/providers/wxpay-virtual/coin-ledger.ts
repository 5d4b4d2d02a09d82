import { isDuplicateKey, type Database } from "../../core/database";
import { ProviderRejectedError, ValidationError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import type { XpayMerchant } from "./merchant";
import { databaseOf } from "./stores";

/**
 * The coin operations this library sent to xpay (currency_pay, cancel_currency_pay, present_currency), one
 * document per merchant order id under a unique `ledger_key`: a retry with the same id answers what the
 * first call did and never moves coins twice, and the same id for another user, amount or kind is refused.
 */
export const XPAY_COIN_ORDERS = "vk-pay-xpay-coin-orders";

/** xpay's answer to an order id it has already applied (赠送和代币支付相关接口的重复操作). */
export const XPAY_DUPLICATE = "268490004";

export type CoinKind = "pay" | "cancel" | "present";

export interface CoinEntry {
  kind: CoinKind;
  /** The merchant's order id sent to xpay (`order_id`). */
  orderId: string;
  openid: string;
  amount: number;
  /** A cancel's spend (`pay_order_id`). */
  payOrderId?: string;
  operator?: string;
}

export interface CoinRow {
  ledger_key: string;
  appid: string;
  env: number;
  kind: CoinKind;
  order_id: string;
  openid: string;
  amount: number;
  pay_order_id?: string;
  status: "PENDING" | "SUCCESS";
  result?: Record<string, unknown>;
}

function ledgerKey(merchant: XpayMerchant, orderId: string): string {
  return `${merchant.appId}:${merchant.env}:${orderId}`;
}

export async function findCoinRow(merchant: XpayMerchant, orderId: string, db: Database): Promise<CoinRow | undefined> {
  const { data } = await db
    .collection(XPAY_COIN_ORDERS)
    .where({ ledger_key: ledgerKey(merchant, orderId) })
    .limit(1)
    .get();
  return data[0] as unknown as CoinRow | undefined;
}

function sameOperation(row: CoinRow, entry: CoinEntry): boolean {
  return row.kind === entry.kind && row.openid === entry.openid && row.amount === entry.amount && (row.pay_order_id ?? "") === (entry.payOrderId ?? "");
}

async function finish(merchant: XpayMerchant, base: Record<string, unknown>, result: Record<string, unknown>, now: number, db: Database): Promise<void> {
  const key = ledgerKey(merchant, base.order_id as string);
  const { updated } = await db
    .collection(XPAY_COIN_ORDERS)
    .where({ ledger_key: key, status: "PENDING" })
    .update({ status: "SUCCESS", result, update_date: now });
  if (updated === 1) return;
  // A concurrent attempt that xpay refused removed the claim before this one's answer came: xpay did apply it.
  try {
    await db.collection(XPAY_COIN_ORDERS).add({ ...base, status: "SUCCESS", result, update_date: now });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/**
 * Sends one coin operation at most once in effect. The claim is written first; then xpay is asked, which
 * itself refuses a known order id with 268490004 (so a retry after a lost answer is safe: `recover` says
 * what stands then). A definite refusal drops the claim, so the merchant may try again once the cause is
 * gone (say, the user topped up); a network failure keeps it, and the retry sends the same id again.
 *
 * @see https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html (currency_pay, present_currency: 268490004)
 */
export async function sendCoinOperationOnce(
  merchant: XpayMerchant,
  entry: CoinEntry,
  send: () => Promise<Record<string, unknown>>,
  recover: () => Promise<Record<string, unknown>>,
  runtime: ProviderRuntime,
): Promise<Record<string, unknown> & { applied: boolean }> {
  const db = databaseOf(runtime);
  const now = runtime.now();
  const base = {
    ledger_key: ledgerKey(merchant, entry.orderId),
    appid: merchant.appId,
    env: merchant.env,
    kind: entry.kind,
    order_id: entry.orderId,
    openid: entry.openid,
    amount: entry.amount,
    ...(entry.payOrderId ? { pay_order_id: entry.payOrderId } : {}),
    ...(entry.operator ? { operator: entry.operator } : {}),
    create_date: now,
  };
  try {
    await db.collection(XPAY_COIN_ORDERS).add({ ...base, status: "PENDING" });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = await findCoinRow(merchant, entry.orderId, db);
    if (existing && !sameOperation(existing, entry)) {
      throw new ValidationError(
        -1,
        "wxpay-virtual-order-reused",
        "该单号已用于另一笔代币操作，请换一个单号",
        `order_id ${entry.orderId} is a ${existing.kind} of ${existing.amount}`,
      );
    }
    if (existing?.status === "SUCCESS") return { ...(existing.result ?? {}), applied: false };
    // Still PENDING: an earlier attempt whose answer was lost, or one in flight. Sending the same id again is safe.
  }
  let result: Record<string, unknown>;
  let applied = true;
  try {
    result = await send();
  } catch (error) {
    if (!(error instanceof ProviderRejectedError)) throw error;
    if (error.providerCode !== XPAY_DUPLICATE) {
      await db.collection(XPAY_COIN_ORDERS).where({ ledger_key: base.ledger_key, status: "PENDING" }).remove();
      throw error;
    }
    result = await recover();
    applied = false;
  }
  await finish(merchant, base, result, now, db);
  return { ...result, applied };
}
