import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord, readRawBody, sendJson } from "../http";
import type { HuaweiSandboxKeys } from "./keys";
import { partiesView } from "./parties";
import { merchantKey, platformSigned, signingString, verifiesPss } from "./sign";
import type { HuaweiRefund, HuaweiSandboxState, HuaweiTrade } from "./state";

/**
 * Huawei Payment Kit's server API as the sandbox serves it, for the merchant directly and, under `/partner/`,
 * as a service provider for its sub-merchant (`spAppId`, `spMercNo`, `subMercNo`; a trade answers only
 * under the paths it was created under). Every request's PayMercAuth
 * is checked (merchant, certificate id, time, `bodySign` over the sorted body or the GET path and query,
 * `headerSign` over the other header fields), and every answer, refusals included, is SM2-signed.
 * The result and sub codes of refusals are the sandbox's own (Huawei's error-code table is not read here).
 *
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-model (PayMercAuth)
 * @see https://developer.huawei.com/consumer/cn/doc/harmonyos-references/payment-prepay
 * @see https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/payment-partner-pas-prepay
 */

export interface ApiContext {
  state: HuaweiSandboxState;
  keys: HuaweiSandboxKeys;
  log: (line: string) => void;
}

/** How far a PayMercAuth `time` may be from the sandbox's clock (Huawei publishes no window; 5 minutes like WeChat's). */
const TIME_WINDOW_MS = 5 * 60_000;

/** Huawei's one not-found code, for orders and refunds alike (Payment Kit error table, petalpay_api_5656_error_code). */
const ORDER_NOT_EXIST = "TRX100010";

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly subCode: string,
    message: string,
  ) {
    super(message);
  }
}

function answer(ctx: ApiContext, res: ServerResponse, status: number, fields: Record<string, unknown>): void {
  sendJson(res, status, platformSigned(fields, ctx.keys.platformPrivateKeyHex));
}

function checkAuth(ctx: ApiContext, header: unknown, signed: string): void {
  if (typeof header !== "string") throw new Refusal(401, "AUTH_MISSING", "PayMercAuth header is missing");
  let auth: unknown;
  try {
    auth = JSON.parse(header);
  } catch {
    throw new Refusal(401, "AUTH_INVALID", "PayMercAuth is not JSON");
  }
  if (!isRecord(auth)) throw new Refusal(401, "AUTH_INVALID", "PayMercAuth is not a JSON object");
  if (auth.callerId !== ctx.keys.mchId) throw new Refusal(401, "MERC_NOT_EXIST", "callerId is not a merchant of this sandbox");
  if (auth.authId !== ctx.keys.authId) throw new Refusal(401, "AUTH_ID_INVALID", "authId is not this merchant's certificate id");
  if (typeof auth.traceId !== "string" || auth.traceId === "" || auth.traceId.length > 32)
    throw new Refusal(401, "AUTH_INVALID", "traceId must be 1-32 characters");
  if (typeof auth.time !== "number" || Math.abs(auth.time - ctx.state.now()) > TIME_WINDOW_MS)
    throw new Refusal(401, "TIME_EXPIRED", "time is not within 5 minutes");
  const key = merchantKey(ctx.keys.merchantPublicKeyPem);
  if (!verifiesPss(signed, auth.bodySign, key)) throw new Refusal(401, "SIGN_VERIFY_FAILED", "bodySign does not verify");
  const { headerSign, ...rest } = auth;
  if (!verifiesPss(signingString(rest), headerSign, key)) throw new Refusal(401, "SIGN_VERIFY_FAILED", "headerSign does not verify");
}

const amount = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value > 0;

/** Who a preorder is for: the caller itself (`appId`, `mercNo`), or under `/partner/` its sub-merchant. */
function parties(ctx: ApiContext, partner: boolean, body: Record<string, unknown>): { appId: string; mercNo: string; subMercNo?: string } {
  if (!partner) {
    if ("spMercNo" in body || "subMercNo" in body) throw new Refusal(400, "PARAM_INVALID", "spMercNo and subMercNo belong to the /partner/ API");
    if (body.appId !== ctx.keys.appId) throw new Refusal(400, "APPID_INVALID", "appId is not this merchant's app");
    if (body.mercNo !== ctx.keys.mchId) throw new Refusal(400, "MERC_NO_INVALID", "mercNo is not the caller");
    return { appId: body.appId, mercNo: body.mercNo };
  }
  if ("mercNo" in body || "appId" in body) throw new Refusal(400, "PARAM_INVALID", "the /partner/ API takes spAppId and spMercNo, not appId and mercNo");
  if (body.spAppId !== ctx.keys.appId) throw new Refusal(400, "APPID_INVALID", "spAppId is not the service provider's app");
  if (body.spMercNo !== ctx.keys.mchId) throw new Refusal(400, "MERC_NO_INVALID", "spMercNo is not the caller");
  if (body.subMercNo !== ctx.keys.subMchId) throw new Refusal(400, "SUB_MERC_NO_INVALID", "subMercNo is not a sub-merchant of this provider");
  return { appId: body.spAppId, mercNo: body.spMercNo, subMercNo: body.subMercNo };
}

function preorder(ctx: ApiContext, kind: "app" | "fa", partner: boolean, body: Record<string, unknown>): Record<string, unknown> {
  const { mercOrderNo, tradeSummary, totalAmount, currency, callbackUrl } = body;
  const { appId, mercNo, subMercNo } = parties(ctx, partner, body);
  if (typeof mercOrderNo !== "string" || mercOrderNo === "" || mercOrderNo.length > 46)
    throw new Refusal(400, "PARAM_INVALID", "mercOrderNo must be 1-46 characters");
  if (typeof tradeSummary !== "string" || tradeSummary === "" || tradeSummary.length > 128)
    throw new Refusal(400, "PARAM_INVALID", "tradeSummary must be 1-128 characters");
  if (!amount(totalAmount)) throw new Refusal(400, "PARAM_INVALID", "totalAmount must be a positive integer (fen)");
  if (currency !== "CNY") throw new Refusal(400, "PARAM_INVALID", "currency must be CNY");
  if (typeof callbackUrl !== "string" || !/^https?:\/\//.test(callbackUrl)) throw new Refusal(400, "PARAM_INVALID", "callbackUrl must be a URL");
  if ("bizType" in body || "biz_type" in body) throw new Refusal(400, "PARAM_INVALID", "unknown field biz_type");
  const existing = ctx.state.trade(mercOrderNo);
  if (existing) {
    if (existing.totalAmount !== totalAmount || existing.subMercNo !== subMercNo || existing.orderStatus === "TRX_SUCCESS")
      throw new Refusal(400, "ORDER_EXIST", "mercOrderNo is already used");
    return { prepayId: existing.prepayId, mercOrderNo };
  }
  const trade: HuaweiTrade = {
    mercOrderNo,
    appId,
    mercNo,
    ...(subMercNo ? { subMercNo } : {}),
    kind,
    tradeSummary,
    totalAmount: totalAmount as number,
    callbackUrl,
    ...(typeof body.payload === "string" ? { payload: body.payload } : {}),
    prepayId: `sandbox-prepay-${randomBytes(12).toString("hex")}`,
    orderStatus: "TRX_APPLY",
    createdAt: ctx.state.businessNow(),
  };
  ctx.state.putTrade(trade);
  return { prepayId: trade.prepayId, mercOrderNo };
}

function tradeView(trade: HuaweiTrade): Record<string, unknown> {
  return {
    ...partiesView(trade),
    mercOrderNo: trade.mercOrderNo,
    orderStatus: trade.orderStatus,
    currency: "CNY",
    totalAmount: trade.totalAmount,
    ...(trade.sysTransOrderNo ? { sysTransOrderNo: trade.sysTransOrderNo, payerAmount: trade.totalAmount, promotionAmount: 0 } : {}),
    ...(trade.finishTime ? { finishTime: trade.finishTime } : {}),
  };
}

function refundView(refund: HuaweiRefund): Record<string, unknown> {
  return {
    mercOrderNo: refund.mercOrderNo,
    mercRefundOrderNo: refund.mercRefundOrderNo,
    sysRefundOrderNo: refund.sysRefundOrderNo,
    refundAmount: refund.refundAmount,
    refundOrderStatus: refund.refundOrderStatus,
    currency: "CNY",
    ...(refund.finishTime ? { finishTime: refund.finishTime } : {}),
  };
}

/** Refunds: one number refunds once; no second refund while one is in progress; never more than was paid. */
/** A trade as the path may see it: a partner trade only under `/partner/`, a direct one only outside it. */
function tradeUnder(ctx: ApiContext, partner: boolean, mercOrderNo: string): HuaweiTrade | undefined {
  const trade = ctx.state.trade(mercOrderNo);
  return trade && Boolean(trade.subMercNo) === partner ? trade : undefined;
}

function refund(ctx: ApiContext, partner: boolean, body: Record<string, unknown>): Record<string, unknown> {
  const { mercOrderNo, mercRefundOrderNo, refundAmount, callbackUrl } = body;
  if (typeof mercOrderNo !== "string") throw new Refusal(400, "PARAM_INVALID", "mercOrderNo is required");
  if (typeof mercRefundOrderNo !== "string" || mercRefundOrderNo === "" || mercRefundOrderNo.length > 64)
    throw new Refusal(400, "PARAM_INVALID", "mercRefundOrderNo must be 1-64 characters");
  if (typeof callbackUrl !== "string" || callbackUrl === "") throw new Refusal(400, "PARAM_INVALID", "callbackUrl is required");
  const trade = tradeUnder(ctx, partner, mercOrderNo);
  if (!trade) throw new Refusal(404, ORDER_NOT_EXIST, "Order does not exist.");
  if (body.sysTransOrderNo !== undefined && body.sysTransOrderNo !== trade.sysTransOrderNo)
    throw new Refusal(400, "PARAM_INVALID", "sysTransOrderNo is another order's");
  const same = ctx.state.refundByMercNo(mercRefundOrderNo);
  if (same) {
    if (same.mercOrderNo !== mercOrderNo) throw new Refusal(400, "REFUND_NO_EXIST", "mercRefundOrderNo is used by another order");
    return refundView(same);
  }
  if (trade.orderStatus !== "TRX_SUCCESS") throw new Refusal(400, "ORDER_STATUS_INVALID", "the order is not paid");
  const refunds = ctx.state.refundsOf(mercOrderNo);
  if (refunds.some((other) => other.refundOrderStatus === "REFUND_CHL_PROC"))
    throw new Refusal(400, "REFUND_CONCURRENT", "another refund of this order is in progress");
  const requested = refundAmount === undefined ? trade.totalAmount : refundAmount;
  if (!amount(requested)) throw new Refusal(400, "PARAM_INVALID", "refundAmount must be a positive integer (fen)");
  const refunded = refunds.filter((other) => other.refundOrderStatus !== "REFUND_FAILED").reduce((sum, other) => sum + other.refundAmount, 0);
  if (refunded + (requested as number) > trade.totalAmount) throw new Refusal(400, "REFUND_AMOUNT_EXCEED", "refundAmount exceeds what is left");
  const created: HuaweiRefund = {
    sysRefundOrderNo: `5${String(ctx.state.nextSequence()).padStart(11, "0")}${randomBytes(4).toString("hex")}`,
    mercRefundOrderNo,
    mercOrderNo,
    refundAmount: requested as number,
    callbackUrl,
    ...(typeof body.reason === "string" ? { reason: body.reason } : {}),
    refundOrderStatus: "REFUND_CHL_PROC",
  };
  ctx.state.putRefund(created);
  return refundView(created);
}

/** Each path with its `/partner/` twin: group 1 is `/partner` or empty. */
const PREORDER = /^\/api\/v2(\/partner)?\/aggr\/preorder\/create\/(app|fa)$/;
const QUERY = /^\/api\/v2(\/partner)?\/aggr\/transactions\/merc-orders\/([^/]+)$/;
const REFUND = /^\/api\/v1(\/partner)?\/aggr\/transactions\/refunds$/;
const REFUND_QUERY = /^\/api\/v1(\/partner)?\/aggr\/transactions\/refunds\/orders\/([^/]+)$/;

export function isApiPath(path: string): boolean {
  return path.startsWith("/api/");
}

export async function serveApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
  try {
    const method = req.method ?? "GET";
    if (method === "GET") {
      checkAuth(ctx, req.headers.paymercauth, `${path}${search}`);
      const query = QUERY.exec(path);
      if (query) {
        const trade = tradeUnder(ctx, Boolean(query[1]), decodeURIComponent(query[2]!));
        if (!trade) throw new Refusal(404, ORDER_NOT_EXIST, "Order does not exist.");
        return answer(ctx, res, 200, { resultCode: "000000", resultDesc: "Success.", ...tradeView(trade) });
      }
      const refundQuery = REFUND_QUERY.exec(path);
      if (refundQuery) {
        const found = ctx.state.refund(decodeURIComponent(refundQuery[2]!));
        if (!found || !tradeUnder(ctx, Boolean(refundQuery[1]), found.mercOrderNo)) throw new Refusal(404, ORDER_NOT_EXIST, "Order does not exist.");
        return answer(ctx, res, 200, { resultCode: "000000", resultDesc: "Success.", ...refundView(found) });
      }
      throw new Refusal(404, "API_NOT_EXIST", `the Huawei sandbox does not serve GET ${path}`);
    }
    if (method !== "POST") throw new Refusal(405, "METHOD_INVALID", `use GET or POST, not ${method}`);
    const raw = await readRawBody(req);
    if (raw === undefined) throw new Refusal(413, "PARAM_INVALID", "body too large");
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new Refusal(400, "PARAM_INVALID", "body is not JSON");
    }
    if (!isRecord(body)) throw new Refusal(400, "PARAM_INVALID", "body is not a JSON object");
    checkAuth(ctx, req.headers.paymercauth, signingString(body));
    const pre = PREORDER.exec(path);
    if (pre) return answer(ctx, res, 200, { resultCode: "000000", resultDesc: "Success.", ...preorder(ctx, pre[2] as "app" | "fa", Boolean(pre[1]), body) });
    const refundPath = REFUND.exec(path);
    if (refundPath) return answer(ctx, res, 200, { resultCode: "000000", resultDesc: "Success.", ...refund(ctx, Boolean(refundPath[1]), body) });
    throw new Refusal(404, "API_NOT_EXIST", `the Huawei sandbox does not serve POST ${path}`);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    ctx.log(`huawei sandbox: refused ${req.method} ${path}: ${error.message}`);
    answer(ctx, res, error.status, {
      resultCode: error.status === 401 ? "400001" : "400000",
      resultDesc: error.message,
      subCode: error.subCode,
      subDesc: error.message,
    });
  }
}
