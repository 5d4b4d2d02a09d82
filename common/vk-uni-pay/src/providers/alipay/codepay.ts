import { NetworkError, SignatureError } from "../../core/errors";
import { cancelCodepay, pollCodepay, type CodepayWait } from "../codepay-loop";
import type { CreateResult, PaymentStatus, ProviderRuntime } from "../../kernel/contract";
import { callAlipay, isOutcomeUnknown } from "./client";
import type { AlipayMerchant } from "./merchant";
import { parseAlipayError } from "./protocol";

/**
 * What follows an `alipay.trade.pay` whose outcome is open (10003 WAIT_BUYER_PAY, 20000, ACQ.SYSTEM_ERROR, a
 * lost or unverifiable answer): query until the trade is final or the configured wait runs out, then
 * `alipay.trade.cancel`, asked again while `retry_flag=Y`. A cancelled unpaid trade is closed for good, so
 * a buyer the cashier turned away can never be charged later; a paid one is refunded by Alipay.
 *
 * @see https://opendocs.alipay.com/open/194/106039 (条码支付: 轮询查询, 超时撤销)
 * @see https://opendocs.alipay.com/open/02ekfr (alipay.trade.cancel)
 */

/** Alipay asks for another cancel while `retry_flag=Y`; a few, a second apart, then the query path decides. */
const CANCEL_ATTEMPTS = 3;
const CANCEL_RETRY_MS = 1_000;

/**
 * One `alipay.trade.cancel`: done on success (action close or refund), retry on `retry_flag=Y`, an
 * unknown outcome or no answer; anything else stops (the order then stays in the query path).
 *
 * @see https://opendocs.alipay.com/open/02ekfr
 */
async function cancelOnce(outTradeNo: string, merchant: AlipayMerchant, runtime: ProviderRuntime) {
  try {
    const body = await callAlipay(merchant, runtime, {
      method: "alipay.trade.cancel",
      bizContent: { out_trade_no: outTradeNo },
      params: { app_auth_token: merchant.appAuthToken },
    });
    const error = parseAlipayError(body);
    if (!error) return body.retry_flag === "Y" ? "retry" : "done";
    return body.retry_flag === "Y" || isOutcomeUnknown(error) ? "retry" : "stop";
  } catch (error) {
    // A config problem will not fix itself between attempts; a lost answer may.
    if (error instanceof NetworkError || error instanceof SignatureError) return "retry";
    throw error;
  }
}

/** Cancels a pay-code trade; true once Alipay confirms. @see https://opendocs.alipay.com/open/02ekfr */
export async function cancelAlipayCodepay(outTradeNo: string, merchant: AlipayMerchant, runtime: ProviderRuntime, wait: CodepayWait): Promise<boolean> {
  return cancelCodepay(CANCEL_ATTEMPTS, CANCEL_RETRY_MS, wait, () => cancelOnce(outTradeNo, merchant, runtime));
}

/**
 * Settles an open pay-code payment: the paid or closed status the queries reach, else cancelled (CLOSED),
 * else still USERPAYING for later queries.
 *
 * @see https://opendocs.alipay.com/open/194/106039
 */
export async function settleAlipayCodepay(
  outTradeNo: string,
  merchant: AlipayMerchant,
  runtime: ProviderRuntime,
  wait: CodepayWait,
  query: () => Promise<PaymentStatus>,
  toResult: (status: PaymentStatus) => CreateResult,
): Promise<CreateResult> {
  const queryOnce = async () => {
    try {
      return await query();
    } catch (error) {
      if (error instanceof NetworkError || error instanceof SignatureError) return undefined;
      throw error;
    }
  };
  const { final, last } = await pollCodepay(
    merchant.codepay,
    runtime.now,
    wait,
    queryOnce,
    (status) => status.state !== "NOTPAY" && status.state !== "USERPAYING",
  );
  if (final) return toResult(final);
  const raw = last?.raw ?? {};
  if (await cancelAlipayCodepay(outTradeNo, merchant, runtime, wait))
    return { orderInfo: { tradeState: "CLOSED", tradeStateDesc: "已撤销" }, state: "CLOSED", raw };
  return { orderInfo: { tradeState: "USERPAYING", tradeStateDesc: "等待用户付款" }, state: "USERPAYING", raw };
}
