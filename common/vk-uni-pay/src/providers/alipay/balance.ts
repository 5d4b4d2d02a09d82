import { NetworkError } from "../../core/errors";
import type { AccountBalance, ProviderRuntime } from "../../kernel/contract";
import { callAlipayOk } from "./client";
import type { AlipayMerchant } from "./merchant";
import { parseAlipayAmount } from "./protocol";

function fen(value: unknown, field: string): number {
  try {
    return parseAlipayAmount(value, field, { allowZero: true });
  } catch {
    throw new NetworkError(`支付宝返回的${field}格式不正确，请稍后再试`);
  }
}

/**
 * The merchant account's balance, in exact fen.
 *
 * @see https://opendocs.alipay.com/open/2acb3c34_alipay.data.bill.balance.query
 */
export async function queryAlipayBalance(merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<AccountBalance> {
  const answer = await callAlipayOk(
    merchant,
    runtime,
    { method: "alipay.data.bill.balance.query", bizContent: {}, params: { app_auth_token: merchant.appAuthToken } },
    "查询账户余额失败",
  );
  return {
    availableFee: fen(answer.available_amount, "available_amount"),
    freezeFee: answer.freeze_amount === undefined ? 0 : fen(answer.freeze_amount, "freeze_amount"),
    ...(answer.total_amount !== undefined ? { totalFee: fen(answer.total_amount, "total_amount") } : {}),
  };
}
