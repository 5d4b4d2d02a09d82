/**
 * Pay-code payments over API v3 (付款码支付, 撤销), direct and service-provider, on the same trades as v2's
 * micropay (micropay.ts says what each auth_code does). A paid code answers 200 with the transaction; a
 * payer still confirming answers 202 with only `trade_state: USERPAYING`, as WeChat's v3 codepay does; a
 * refusal answers 4xx with its code. No notification follows: the merchant queries, then reverses.
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html
 * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/reverse.html
 * @see https://pay.weixin.qq.com/docs/partner/apis/partner-code-payment-v3/partner/partner-code-pay.html
 * @see https://pay.weixin.qq.com/docs/partner/apis/partner-code-payment-v3/partner/partner-reverse.html
 */
import type { ApiContext, Route } from "./api";
import { MicropayRefusal } from "./micropay";
import { checkSubMerchant } from "./partner";
import { type OrderOrigin, WxpayApiError, paramError } from "./types";
import { parseCodepay } from "./validate";

/** v3 speaks HTTP statuses: a refused code (余额不足, expired) is 403, a malformed or reused request 400. */
function asApiError(error: unknown): never {
  if (!(error instanceof MicropayRefusal)) throw error;
  const status = error.code === "NOTENOUGH" || error.code === "AUTHCODEEXPIRE" ? 403 : 400;
  throw new WxpayApiError(status, error.code === "ORDERPAID" ? "ORDER_PAID" : error.code, error.des);
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw paramError(`/${field}`, "is required");
  return value;
}

function pay(ctx: ApiContext, body: Record<string, unknown>, payee: { mchid: string; appid: string }, origin: OrderOrigin) {
  const request = parseCodepay({ ...body, ...payee });
  try {
    const { order, outcome } = ctx.micropay.pay(
      {
        mchid: payee.mchid,
        appid: payee.appid,
        out_trade_no: request.out_trade_no,
        body: request.description,
        total: request.total,
        currency: request.currency,
        auth_code: request.auth_code,
        attach: request.attach,
      },
      origin,
    );
    if (outcome.kind === "userpaying") return { status: 202, body: { trade_state: "USERPAYING" } };
    if (outcome.kind === "failed") throw new MicropayRefusal(outcome.code, outcome.des);
    return { status: 200, body: ctx.ledger.transactionView(order) };
  } catch (error) {
    asApiError(error);
  }
}

function reverse(ctx: ApiContext, mchid: string, outTradeNo: string) {
  try {
    return ctx.micropay.reverse(ctx.ledger.findOrder(mchid, outTradeNo));
  } catch (error) {
    asApiError(error);
  }
}

export const CODEPAY_ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/v3\/pay\/transactions\/codepay$/,
    run(ctx, call) {
      const body = call.body();
      if (body.mchid !== call.merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的mchid与Authorization中的mchid不一致");
      if (typeof body.appid !== "string" || !call.merchant.appids.includes(body.appid))
        throw new WxpayApiError(400, "APPID_MCHID_NOT_MATCH", "appid和mchid不匹配");
      return pay(ctx, body, { mchid: body.mchid, appid: body.appid }, {});
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/pay\/partner\/transactions\/codepay$/,
    run(ctx, call) {
      const body = call.body();
      const spMchid = text(body, "sp_mchid");
      const spAppid = text(body, "sp_appid");
      const subMchid = text(body, "sub_mchid");
      const subAppid = typeof body.sub_appid === "string" && body.sub_appid ? body.sub_appid : undefined;
      const subAppids = checkSubMerchant(call.merchant, spMchid, subMchid);
      if (!call.merchant.appids.includes(spAppid)) throw new WxpayApiError(400, "APPID_MCHID_NOT_MATCH", "sp_appid和sp_mchid不匹配");
      if (subAppid && !subAppids.includes(subAppid)) throw new WxpayApiError(400, "INVALID_REQUEST", "sub_appid和sub_mchid不匹配");
      return pay(ctx, body, { mchid: subMchid, appid: spAppid }, { sp_mchid: spMchid, sp_appid: spAppid, sub_appid: subAppid });
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/reverse$/,
    run(ctx, call) {
      const body = call.body();
      if (body.mchid !== call.merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的mchid与Authorization中的mchid不一致");
      const order = reverse(ctx, body.mchid, call.params[0]);
      return { status: 200, body: { appid: order.appid, mchid: order.mchid, out_trade_no: order.out_trade_no } };
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/pay\/partner\/transactions\/out-trade-no\/([^/]+)\/reverse$/,
    run(ctx, call) {
      const body = call.body();
      const subMchid = text(body, "sub_mchid");
      checkSubMerchant(call.merchant, text(body, "sp_mchid"), subMchid);
      const order = reverse(ctx, subMchid, call.params[0]);
      return { status: 200, body: { sp_mchid: order.sp_mchid, sub_mchid: order.mchid, out_trade_no: order.out_trade_no } };
    },
  },
];
