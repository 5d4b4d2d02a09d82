/**
 * Service-provider mode (服务商) of API v3: the provider (`sp_mchid`, `sp_appid`) places and manages orders
 * for its sub-merchants (`sub_mchid`, optional `sub_appid`). Orders live under the sub-merchant and
 * notifications go out signed for, and encrypted with the APIv3 key of, the provider.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_1.shtml (服务商 JSAPI 下单)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_2.shtml (服务商 查询订单)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_3.shtml (服务商 关闭订单)
 */
import type { Route } from "./api";
import type { SandboxMerchant } from "./auth";
import { type TradeType, WxpayApiError, paramError } from "./types";
import { parsePrepay } from "./validate";

const TRADE_TYPES: Record<string, TradeType> = { jsapi: "JSAPI", app: "APP", h5: "MWEB", native: "NATIVE" };

function required(source: Record<string, unknown>, field: string, location: string): string {
  const value = source[field];
  if (typeof value !== "string" || value === "") throw paramError(location === "body" ? `/${field}` : field, "is required", undefined, location);
  return value;
}

/** The provider–sub-merchant relation WeChat checks on every partner call; returns the sub-merchant's appids. */
export function checkSubMerchant(merchant: SandboxMerchant, spMchid: string, subMchid: string): string[] {
  if (spMchid !== merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的sp_mchid与Authorization中的mchid不一致");
  const subAppids = merchant.subMerchants?.get(subMchid);
  if (!subAppids) throw new WxpayApiError(400, "INVALID_REQUEST", "受理关系不存在");
  return subAppids;
}

function queryParties(call: { merchant: SandboxMerchant; query: URLSearchParams }): string {
  const sp = call.query.get("sp_mchid");
  const sub = call.query.get("sub_mchid");
  if (!sp) throw paramError("sp_mchid", "is required", undefined, "query");
  if (!sub) throw paramError("sub_mchid", "is required", undefined, "query");
  checkSubMerchant(call.merchant, sp, sub);
  return sub;
}

export const PARTNER_ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/v3\/pay\/partner\/transactions\/(jsapi|app|h5|native)$/,
    run(ctx, call) {
      const tradeType = TRADE_TYPES[call.params[0]];
      const body = call.body();
      const spAppid = required(body, "sp_appid", "body");
      const spMchid = required(body, "sp_mchid", "body");
      const subMchid = required(body, "sub_mchid", "body");
      const subAppid = typeof body.sub_appid === "string" && body.sub_appid ? body.sub_appid : undefined;
      const subAppids = checkSubMerchant(call.merchant, spMchid, subMchid);
      if (!call.merchant.appids.includes(spAppid)) throw new WxpayApiError(400, "APPID_MCHID_NOT_MATCH", "sp_appid和sp_mchid不匹配");
      if (subAppid && !subAppids.includes(subAppid)) throw new WxpayApiError(400, "INVALID_REQUEST", "sub_appid和sub_mchid不匹配");
      const payer = (body.payer ?? {}) as Record<string, unknown>;
      const spOpenid = typeof payer.sp_openid === "string" && payer.sp_openid ? payer.sp_openid : undefined;
      const subOpenid = typeof payer.sub_openid === "string" && payer.sub_openid ? payer.sub_openid : undefined;
      if (tradeType === "JSAPI" && !spOpenid && !subOpenid) throw paramError("/payer/sp_openid", "sp_openid or sub_openid is required");
      if (subOpenid && !subAppid) throw paramError("/sub_appid", "is required with payer.sub_openid");
      // The direct-merchant rules check everything else; appid/mchid stand in for the partner pair.
      const request = parsePrepay(
        { ...body, appid: spAppid, mchid: subMchid, payer: tradeType === "JSAPI" ? { openid: spOpenid ?? subOpenid } : undefined },
        tradeType,
      );
      const order = ctx.ledger.prepay(
        call.merchant,
        tradeType,
        { ...request, payer_openid: spOpenid },
        { sp_mchid: spMchid, sp_appid: spAppid, sub_appid: subAppid, sub_openid: subOpenid },
      );
      if (tradeType === "NATIVE") return { status: 200, body: { code_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } };
      if (tradeType === "MWEB") return { status: 200, body: { h5_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } };
      return { status: 200, body: { prepay_id: order.prepay_id } };
    },
  },
  {
    method: "GET",
    pattern: /^\/v3\/pay\/partner\/transactions\/out-trade-no\/([^/]+)$/,
    run: (ctx, call) => ({ status: 200, body: ctx.ledger.transactionView(ctx.ledger.poll(ctx.ledger.findOrder(queryParties(call), call.params[0]))) }),
  },
  {
    method: "GET",
    pattern: /^\/v3\/pay\/partner\/transactions\/id\/([^/]+)$/,
    run: (ctx, call) => ({
      status: 200,
      body: ctx.ledger.transactionView(ctx.ledger.poll(ctx.ledger.findOrderByTransactionId(queryParties(call), call.params[0]))),
    }),
  },
  {
    method: "POST",
    pattern: /^\/v3\/pay\/partner\/transactions\/out-trade-no\/([^/]+)\/close$/,
    run(ctx, call) {
      const body = call.body();
      const sub = required(body, "sub_mchid", "body");
      checkSubMerchant(call.merchant, required(body, "sp_mchid", "body"), sub);
      ctx.ledger.close(sub, call.params[0]);
      return { status: 204 };
    },
  },
];
