/**
 * The `api.mch.weixin.qq.com` v3 endpoints of a direct merchant, behind WeChat's request signature check.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml (查询订单)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_3.shtml (关闭订单)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_10.shtml (查询单笔退款)
 * @see https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html (发起异常退款)
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay5_1.shtml (获取平台证书列表)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readAbnormalRefundRequest } from "./abnormal-refund";
import type { WxpaySandboxKeys } from "../pki/wxpay-keys";
import { type ResponseSigner, type SandboxMerchant, verifyMerchantRequest } from "./auth";
import { readRawBody, sendSigned } from "./http";
import type { Ledger } from "./ledger";
import { checkSubMerchant, PARTNER_ROUTES } from "./partner";
import { CODEPAY_ROUTES } from "./codepay-v3";
import type { Micropay } from "./micropay";
import type { PlatformCertificates } from "./platform";
import { encryptResource } from "./sign";
import type { WxpaySandboxState } from "./state";
import type { SandboxTransfers } from "./transfers";
import { directBill, PARTNER_TRANSFER_ROUTES } from "./partner-transfers";
import { loseAnswer, type LostAnswers } from "../lost-answers";
import { formatRfc3339 } from "./time";
import { type TradeType, WxpayApiError, paramError } from "./types";
import { parseJsonObject, parsePrepay, parseRefund } from "./validate";

export interface ApiContext {
  keys: WxpaySandboxKeys;
  state: WxpaySandboxState;
  ledger: Ledger;
  merchants: Map<string, SandboxMerchant>;
  sign: ResponseSigner;
  platform: PlatformCertificates;
  /** Pay-code trades, shared with v2's micropay. */
  micropay: Micropay;
  /** Where the cashier page is served, for `code_url` and `h5_url`. */
  cashierUrl: (req: IncomingMessage, mchid: string, outTradeNo: string) => string;
  /** Refunds settle by themselves after this delay unless a test settles them first. */
  scheduleRefundSettlement: (mchid: string, outRefundNo: string) => void;
  log: (line: string) => void;
  /** 商家转账 bills. */
  transfers: SandboxTransfers;
  /** Answers to lose after acting (the control API's `drop-response`). */
  lostAnswers: LostAnswers;
}

interface Call {
  req: IncomingMessage;
  merchant: SandboxMerchant;
  query: URLSearchParams;
  body: () => Record<string, unknown>;
  params: string[];
}

export type Route = { method: string; pattern: RegExp; run: (ctx: ApiContext, call: Call) => { status: number; body?: unknown } };

const TRADE_TYPES: Record<string, TradeType> = { jsapi: "JSAPI", app: "APP", h5: "MWEB", native: "NATIVE" };

function queryMchid(call: Call): string {
  const mchid = call.query.get("mchid");
  if (!mchid) throw paramError("mchid", "is required", undefined, "query");
  if (mchid !== call.merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的mchid与Authorization中的mchid不一致");
  return mchid;
}

/** Refunds of a service provider name the sub-merchant (`sub_mchid`); a direct merchant refunds its own. */
function refundPayee(call: Call, subMchid: unknown): string {
  if (subMchid === undefined || subMchid === null || subMchid === "") return call.merchant.mchid;
  if (typeof subMchid !== "string") throw paramError("sub_mchid", "must be a string", subMchid);
  checkSubMerchant(call.merchant, call.merchant.mchid, subMchid);
  return subMchid;
}

const ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/v3\/pay\/transactions\/(jsapi|app|h5|native)$/,
    run(ctx, call) {
      const tradeType = TRADE_TYPES[call.params[0]];
      const order = ctx.ledger.prepay(call.merchant, tradeType, parsePrepay(call.body(), tradeType));
      if (tradeType === "NATIVE") return { status: 200, body: { code_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } };
      if (tradeType === "MWEB") return { status: 200, body: { h5_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } };
      return { status: 200, body: { prepay_id: order.prepay_id } };
    },
  },
  {
    method: "GET",
    pattern: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/,
    run: (ctx, call) => ({ status: 200, body: ctx.ledger.transactionView(ctx.ledger.poll(ctx.ledger.findOrder(queryMchid(call), call.params[0]))) }),
  },
  {
    method: "GET",
    pattern: /^\/v3\/pay\/transactions\/id\/([^/]+)$/,
    run: (ctx, call) => ({
      status: 200,
      body: ctx.ledger.transactionView(ctx.ledger.poll(ctx.ledger.findOrderByTransactionId(queryMchid(call), call.params[0]))),
    }),
  },
  {
    method: "POST",
    pattern: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/,
    run(ctx, call) {
      const mchid = call.body().mchid;
      if (typeof mchid !== "string" || !mchid) throw paramError("/mchid", "is required");
      if (mchid !== call.merchant.mchid) throw new WxpayApiError(400, "INVALID_REQUEST", "请求中的mchid与Authorization中的mchid不一致");
      try {
        ctx.ledger.close(mchid, call.params[0]);
      } catch (error) {
        // A paid order is left paid either way; only the answer differs (see closePaidAnswer).
        if (!(error instanceof WxpayApiError && error.code === "ORDERPAID" && ctx.state.closePaidAnswer(mchid) === "NO_CONTENT")) throw error;
      }
      return { status: 204 };
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/refund\/domestic\/refunds$/,
    run(ctx, call) {
      const refund = ctx.ledger.refund(refundPayee(call, call.body().sub_mchid), parseRefund(call.body()));
      if (refund.status === "PROCESSING") ctx.scheduleRefundSettlement(refund.mchid, refund.out_refund_no);
      return { status: 200, body: ctx.ledger.refundView(refund) };
    },
  },
  {
    method: "GET",
    pattern: /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/,
    run: (ctx, call) => ({
      status: 200,
      body: ctx.ledger.refundView(ctx.ledger.findRefund(refundPayee(call, call.query.get("sub_mchid") ?? undefined), call.params[0])),
    }),
  },
  {
    method: "POST",
    pattern: /^\/v3\/refund\/domestic\/refunds\/([^/]+)\/apply-abnormal-refund$/,
    run(ctx, call) {
      const { outRefundNo, apply } = readAbnormalRefundRequest(call.body(), call.req, ctx.keys, ctx.platform);
      const refund = ctx.ledger.applyAbnormalRefund(refundPayee(call, call.body().sub_mchid), call.params[0], outRefundNo, apply);
      ctx.scheduleRefundSettlement(refund.mchid, refund.out_refund_no);
      return { status: 200, body: ctx.ledger.refundView(refund) };
    },
  },
  {
    method: "GET",
    pattern: /^\/v3\/certificates$/,
    run(ctx, call) {
      ctx.platform.recordDownload(call.merchant.mchid);
      // During a rotation's switch period both certificates are listed, the new one first.
      const data = ctx.platform.listed().map((cert) => ({
        serial_no: cert.serial,
        effective_time: formatRfc3339(cert.effective),
        expire_time: formatRfc3339(cert.expire),
        encrypt_certificate: encryptResource(call.merchant.apiV3Key, cert.certPem, "certificate"),
      }));
      return { status: 200, body: { data } };
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/fund-app\/mch-transfer\/transfer-bills$/,
    run(ctx, call) {
      const bill = ctx.transfers.create(call.merchant.mchid, call.body(), call.req);
      const body: Record<string, unknown> = {
        out_bill_no: bill.out_bill_no,
        transfer_bill_no: bill.transfer_bill_no,
        create_time: formatRfc3339(bill.create_time),
        state: bill.state,
        ...(bill.fail_reason ? { fail_reason: bill.fail_reason } : {}),
      };
      if (bill.state === "WAIT_USER_CONFIRM") body.package_info = bill.package_info;
      return { status: 200, body };
    },
  },
  {
    method: "GET",
    pattern: /^\/v3\/fund-app\/mch-transfer\/transfer-bills\/(out-bill-no|transfer-bill-no)\/([^/]+)$/,
    run(ctx, call) {
      const [kind, number] = call.params;
      const bill = directBill(ctx.transfers.find(call.merchant.mchid, kind === "out-bill-no" ? { outBillNo: number } : { transferBillNo: number }));
      return { status: 200, body: { ...ctx.transfers.view(bill), ...(bill.state === "WAIT_USER_CONFIRM" ? { package_info: bill.package_info } : {}) } };
    },
  },
  {
    method: "POST",
    pattern: /^\/v3\/fund-app\/mch-transfer\/transfer-bills\/out-bill-no\/([^/]+)\/cancel$/,
    run(ctx, call) {
      directBill(ctx.transfers.find(call.merchant.mchid, { outBillNo: call.params[0] }));
      const bill = ctx.transfers.cancel(call.merchant.mchid, call.params[0]!);
      return {
        status: 200,
        body: { out_bill_no: bill.out_bill_no, transfer_bill_no: bill.transfer_bill_no, state: bill.state, update_time: formatRfc3339(bill.update_time) },
      };
    },
  },
  ...PARTNER_ROUTES,
  ...PARTNER_TRANSFER_ROUTES,
  ...CODEPAY_ROUTES,
];

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw paramError("path", "is not valid percent-encoding", value, "path");
  }
}

/**
 * Serves one `/v3/...` request. `officialTarget` is the request target without the sandbox prefix: the
 * path and raw query the merchant must have signed.
 */
export async function serveApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, officialTarget: string): Promise<void> {
  const [path, rawQuery = ""] = officialTarget.split(/\?(.*)/s, 2);
  const method = req.method ?? "GET";
  let mchid: string | undefined;
  const reply = (status: number, body?: unknown) => sendSigned(res, status, body, (text) => ctx.sign(mchid, text));
  try {
    const raw = await readRawBody(req);
    if (raw === undefined) throw new WxpayApiError(413, "PARAM_ERROR", "请求体过大");
    let matched: { route: Route; params: string[] } | undefined;
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (match && route.method === method) matched = { route, params: match.slice(1).map(decodeParam) };
    }
    if (!matched) {
      if (ROUTES.some((route) => route.pattern.test(path))) throw new WxpayApiError(405, "METHOD_NOT_ALLOWED", `不支持 ${method} 方法`);
      throw new WxpayApiError(404, "NOT_FOUND", "请求的资源不存在");
    }
    const bodyText = raw.toString("utf8");
    const merchant = verifyMerchantRequest(
      { method, canonicalUrl: officialTarget, body: bodyText, authorization: req.headers.authorization },
      ctx.merchants,
      ctx.state.now(),
    );
    mchid = merchant.mchid;
    let parsed: Record<string, unknown> | undefined;
    const result = matched.route.run(ctx, {
      req,
      merchant,
      query: new URLSearchParams(rawQuery),
      body: () => (parsed ??= parseJsonObject(bodyText)),
      params: matched.params,
    });
    // The request took effect; only its answer goes missing.
    if (ctx.lostAnswers.take(path)) return loseAnswer(res);
    reply(result.status, result.body);
  } catch (error) {
    if (error instanceof WxpayApiError) {
      reply(error.status, { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) });
      return;
    }
    ctx.log(`[wxpay sandbox] ${method} ${path} failed: ${(error as Error)?.stack ?? String(error)}`);
    reply(500, { code: "SYSTEM_ERROR", message: "系统错误" });
  }
}
