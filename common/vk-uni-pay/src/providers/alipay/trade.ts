import { NetworkError, ProviderRejectedError, RefundNotFoundError, SignatureError } from "../../core/errors";
import { realCodepayWait, type CodepayWait } from "../codepay-loop";
import type { CreateRequest, CreateResult, PaymentStatus, ProviderRuntime, RefundRequest, RefundStatus, TradeState } from "../../kernel/contract";
import { buildSignedParams, callAlipay, callAlipayOk, isOutcomeUnknown, rejectionOf, type AlipayCall } from "./client";
import { settleAlipayCodepay } from "./codepay";
import type { AlipayMerchant } from "./merchant";
import { buildTradeRequest } from "./modes";
import { malformed, parseAlipayTime, text, toPaymentStatus, toQueriedRefund } from "./normalize";
import { buildAlipayOrderString, formatAlipayAmount, isAlipayTradeNotExist, mapAlipayRefundResponse, parseAlipayAmount, parseAlipayError } from "./protocol";

/**
 * The provider verbs over the Alipay gateway: create (per mode), query, close, refund, refund query.
 * Each reads the merchant once, calls through client.ts (signed, verified) and maps Alipay's answer.
 *
 * @see https://docs.open.alipay.com/api_1 (统一收单 trade APIs)
 */

/** A verified answer about another order is a protocol failure; using it would bind the wrong order. */
function sameNumber(expected: string, actual: unknown, what: string): void {
  if (actual !== undefined && actual !== expected) throw new NetworkError(`支付宝返回的${what}与请求不一致，请稍后再试`);
}

function field(body: Record<string, unknown>, name: string): string {
  const value = text(body[name]);
  // A verified success without its one field: Alipay misbehaved, and asking again with the same number is safe.
  if (!value) throw new NetworkError(`支付宝下单应答缺少 ${name}，请稍后再试`);
  return value;
}

function codepayResult(state: TradeState, description: string, body: Record<string, unknown>): CreateResult {
  const result: CreateResult = { orderInfo: { tradeState: state, tradeStateDesc: description }, state, raw: body };
  const tradeNo = text(body.trade_no);
  if (tradeNo) result.transactionId = tradeNo;
  return result;
}

/**
 * `alipay.trade.pay`: `10000` paid, `10003` waiting for the buyer to confirm, `20000` / ACQ.SYSTEM_ERROR
 * unknown (the client polls and the query settles it: USERPAYING), `40004` a business failure the client
 * shows (PAYERROR; the order stays unpaid). Anything else is a refusal.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.pay
 */
function toCodepayResult(request: CreateRequest, body: Record<string, unknown>): CreateResult {
  const error = parseAlipayError(body);
  if (!error) {
    sameNumber(request.outTradeNo, body.out_trade_no, "订单号");
    let paid: number;
    try {
      paid = parseAlipayAmount(body.total_amount, "total_amount");
    } catch {
      throw malformed("total_amount");
    }
    if (paid !== request.totalFee) throw new NetworkError("支付宝返回的支付金额与订单不一致，请稍后再试");
    return codepayResult("SUCCESS", "支付成功", body);
  }
  if (error.code === "10003" || isOutcomeUnknown(error)) return codepayResult("USERPAYING", "等待用户付款", body);
  if (error.code === "40004") return codepayResult("PAYERROR", error.subMsg || error.msg || "支付失败", body);
  throw rejectionOf(error, "付款码支付失败");
}

/**
 * `alipay.trade.pay`, then, while the outcome is open (10003, 20000, ACQ.SYSTEM_ERROR, a lost or
 * unverifiable answer), the query-then-cancel procedure of codepay.ts.
 *
 * @see https://opendocs.alipay.com/open/194/106039
 */
async function payByCode(
  request: CreateRequest,
  call: AlipayCall,
  merchant: AlipayMerchant,
  runtime: ProviderRuntime,
  wait: CodepayWait,
): Promise<CreateResult> {
  let body: Record<string, unknown> | undefined;
  try {
    body = await callAlipay(merchant, runtime, call);
  } catch (error) {
    // The answer was lost or cannot be trusted: the trade may exist, so it is queried, then cancelled.
    if (!(error instanceof NetworkError) && !(error instanceof SignatureError)) throw error;
  }
  if (body) {
    const answered = toCodepayResult(request, body);
    if (answered.state !== "USERPAYING") return answered;
  }
  return settleAlipayCodepay(
    request.outTradeNo,
    merchant,
    runtime,
    wait,
    () => queryAlipayPayment(request.outTradeNo, merchant, runtime),
    (status) =>
      status.state === "SUCCESS"
        ? codepayResult("SUCCESS", "支付成功", status.raw as Record<string, unknown>)
        : codepayResult(status.state, status.state === "CLOSED" ? "已关闭" : status.state, status.raw as Record<string, unknown>),
  );
}

export async function createAlipayPayment(
  request: CreateRequest,
  merchant: AlipayMerchant,
  runtime: ProviderRuntime,
  wait: CodepayWait = realCodepayWait,
): Promise<CreateResult> {
  const { product, call } = buildTradeRequest(request, merchant);
  switch (product) {
    case "app": {
      // No HTTP call: the App SDK sends the signed order string itself (vk-pay.md §2.3).
      const signed = buildSignedParams(merchant, call, runtime.now());
      return { orderInfo: buildAlipayOrderString(signed), raw: { method: signed.method, biz_content: signed.biz_content } };
    }
    case "create": {
      const body = await callAlipayOk(merchant, runtime, call, "获取支付信息失败，请稍后再试");
      sameNumber(request.outTradeNo, body.out_trade_no, "订单号");
      // The mini program's my.tradePay takes the trade number (vk-uni-pay's orderInfo for mp-alipay).
      return { orderInfo: field(body, "trade_no"), raw: body };
    }
    case "precreate": {
      const body = await callAlipayOk(merchant, runtime, call, "获取支付信息失败，请稍后再试");
      sameNumber(request.outTradeNo, body.out_trade_no, "订单号");
      const codeUrl = field(body, "qr_code");
      return { orderInfo: { codeUrl }, codeUrl, raw: body };
    }
    case "pay":
      return payByCode(request, call, merchant, runtime, wait);
    default:
      return assertNever(product);
  }
}

/** Calls about an existing order carry the config's service-provider token (the contract has no per-order one). */
function tokenParams(merchant: AlipayMerchant): Record<string, string | undefined> {
  return { app_auth_token: merchant.appAuthToken };
}

/** @see https://opendocs.alipay.com/open/82ea786a_alipay.trade.query */
export async function queryAlipayPayment(outTradeNo: string, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<PaymentStatus> {
  const body = await callAlipay(merchant, runtime, { method: "alipay.trade.query", bizContent: { out_trade_no: outTradeNo }, params: tokenParams(merchant) });
  const error = parseAlipayError(body);
  // Alipay creates the trade when the buyer opens it (or on trade.create/precreate): none yet means unpaid.
  if (isAlipayTradeNotExist(error)) return { state: "NOTPAY", outTradeNo, raw: body };
  if (error) throw rejectionOf(error, "查询支付结果失败，请稍后再试");
  const status = toPaymentStatus(body);
  sameNumber(outTradeNo, status.outTradeNo, "订单号");
  return status;
}

/**
 * Modes whose trade Alipay creates only when the buyer acts: the 当面付 QR code when it is scanned, the App
 * order string when the Alipay app opens it. Until then `alipay.trade.close` finds no trade, yet the QR code
 * or order string can still be paid until it expires.
 */
const CREATED_BY_BUYER = new Set(["h5", "app-plus"]);

/**
 * A paid trade (ACQ.TRADE_STATUS_ERROR) stays a refusal, so the core never closes a paid order. An unknown
 * trade is as good as closed only where the trade was created with the order (mini program, pay-code); for a
 * QR code nobody scanned yet (or an App order not yet opened) it is a refusal too: calling the order closed
 * would turn the buyer's later payment into money taken for a closed order.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.close
 */
export async function closeAlipayPayment(outTradeNo: string, mode: string, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<void> {
  const body = await callAlipay(merchant, runtime, { method: "alipay.trade.close", bizContent: { out_trade_no: outTradeNo }, params: tokenParams(merchant) });
  const error = parseAlipayError(body);
  if (!error) return;
  if (isAlipayTradeNotExist(error)) {
    if (!CREATED_BY_BUYER.has(mode)) return;
    throw new ProviderRejectedError(error.subCode ?? error.code, error.subMsg ?? error.msg, "买家尚未打开这笔支付宝交易，过期前仍可支付，暂时无法关闭");
  }
  throw rejectionOf(error, "关闭订单失败，请稍后再试");
}

/** @see https://opendocs.alipay.com/open/357441a2_alipay.trade.fastpay.refund.query */
export async function queryAlipayRefund(outTradeNo: string, outRefundNo: string, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const body = await callAlipayOk(
    merchant,
    runtime,
    {
      method: "alipay.trade.fastpay.refund.query",
      bizContent: { out_trade_no: outTradeNo, out_request_no: outRefundNo, query_options: ["gmt_refund_pay"] },
      params: tokenParams(merchant),
    },
    "查询退款结果失败，请稍后再试",
  );
  return toQueriedRefund(body, outTradeNo, outRefundNo);
}

/**
 * Alipay refunds are synchronous: `fund_change=Y` means the money moved now. `N` is also what a repeated
 * `out_request_no` answers (the refund was applied before), so the refund query then gives the refund's own
 * state and amount: a retried refund reports the same result as the first one.
 *
 * @see https://docs.open.alipay.com/api_1/alipay.trade.refund
 */
export async function refundAlipayPayment(request: RefundRequest, merchant: AlipayMerchant, runtime: ProviderRuntime): Promise<RefundStatus> {
  const bizContent: Record<string, unknown> = {
    out_trade_no: request.outTradeNo,
    refund_amount: formatAlipayAmount(request.refundFee),
    out_request_no: request.outRefundNo,
  };
  if (request.reason) bizContent.refund_reason = request.reason;
  const body = await callAlipayOk(merchant, runtime, { method: "alipay.trade.refund", bizContent, params: tokenParams(merchant) }, "退款申请失败");
  sameNumber(request.outTradeNo, body.out_trade_no, "订单号");
  if (mapAlipayRefundResponse(body.fund_change) === "SUCCESS") {
    const status: RefundStatus = {
      state: "SUCCESS",
      outTradeNo: request.outTradeNo,
      outRefundNo: request.outRefundNo,
      refundFee: request.refundFee,
      raw: body,
    };
    const settledAt = parseAlipayTime(body.gmt_refund_pay);
    if (settledAt !== undefined) status.settledAt = settledAt;
    return status;
  }
  let queried: RefundStatus;
  try {
    queried = await queryAlipayRefund(request.outTradeNo, request.outRefundNo, merchant, runtime);
  } catch (error) {
    // Alipay accepted the refund yet does not list it (yet): the reservation is kept, reconciliation settles it.
    if (!(error instanceof RefundNotFoundError)) throw error;
    return { state: "PROCESSING", outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: request.refundFee, raw: { refund: body } };
  }
  const raw = { refund: body, query: queried.raw };
  if (queried.state === "PROCESSING")
    return { state: "PROCESSING", outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: request.refundFee, raw };
  return { ...queried, raw };
}

function assertNever(value: never): never {
  throw new Error(`unhandled Alipay product ${String(value)}`);
}
