/**
 * The API v2 endpoints of `api.mch.weixin.qq.com` (XML, MD5 / HMAC-SHA256), on the same ledger as v3.
 * Refusals use v2's two levels: `return_code FAIL` + `return_msg` (protocol: XML, signature, certificate;
 * unsigned), `result_code FAIL` + `err_code` / `err_code_des` (business; signed like every answer).
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (统一下单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2 (查询订单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3 (关闭订单)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (申请退款, 需要证书)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (查询退款)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (付款码支付)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_11&index=3 (撤销订单, 需要证书)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxMerchant } from "./auth";
import { readRawBody } from "./http";
import type { Ledger } from "./ledger";
import { MicropayRefusal, type Micropay } from "./micropay";
import { clientCertificateProblem } from "./secapi";
import { randomNonce } from "./sign";
import type { WxpaySandboxState } from "./state";
import { type OrderOrigin, type SandboxOrder, type TradeType, type V2SignType, WxpayApiError } from "./types";
import { v2OrderFields, v2RefundListFields } from "./v2-views";
import { buildV2Xml, parseCompactTime, parseV2Xml, signedV2, V2XmlError, verifyV2, type V2Fields } from "./v2-xml";

export interface V2Context {
  state: WxpaySandboxState;
  ledger: Ledger;
  micropay: Micropay;
  merchants: Map<string, SandboxMerchant>;
  cashierUrl: (req: IncomingMessage, mchid: string, outTradeNo: string) => string;
  scheduleRefundSettlement: (mchid: string, outRefundNo: string) => void;
  log: (line: string) => void;
}

type Out = Record<string, string | number | undefined>;

/** A protocol-level refusal: `return_code FAIL`, unsigned. */
class ReturnFail extends Error {}

/** A business refusal: `result_code FAIL` with WeChat's err_code. */
class ResultFail extends Error {
  constructor(
    readonly code: string,
    readonly des: string,
    readonly extra: Out = {},
  ) {
    super(des);
  }
}

const paramError = (des: string) => new ResultFail("PARAM_ERROR", des);

interface Call {
  req: IncomingMessage;
  fields: V2Fields;
  merchant: SandboxMerchant;
  /** The out_trade_no namespace: the sub-merchant in partner mode. */
  payee: string;
  /** What the order records about who placed it and how. */
  origin: OrderOrigin;
}

interface Route {
  /** `/secapi/...`: only over HTTPS with the merchant's client certificate. */
  secure: boolean;
  run(ctx: V2Context, call: Call): Out;
}

const OUT_NO = /^[0-9A-Za-z_\-|*@]{1,32}$/;

function text(fields: V2Fields, name: string, max: number, required: true): string;
function text(fields: V2Fields, name: string, max: number, required?: false): string | undefined;
function text(fields: V2Fields, name: string, max: number, required = false): string | undefined {
  const value = fields[name];
  if (value === undefined || value === "") {
    if (required) throw paramError(`缺少参数${name}`);
    return undefined;
  }
  if ([...value].length > max) throw paramError(`${name}参数长度有误`);
  return value;
}

function fen(fields: V2Fields, name: string): number {
  const value = text(fields, name, 10, true);
  // Integers in fen, as text: "1.00" or "0" are refused, as WeChat refuses them.
  if (!/^[1-9]\d{0,9}$/.test(value)) throw paramError(`${name}参数格式错误，必须为正整数（单位：分）`);
  return Number(value);
}

function currency(fields: V2Fields, name: string): string {
  const value = text(fields, name, 16) ?? "CNY";
  if (value !== "CNY") throw paramError(`${name}暂只支持CNY`);
  return value;
}

function outTradeNo(fields: V2Fields, required = true): string | undefined {
  const value = required ? text(fields, "out_trade_no", 32, true) : text(fields, "out_trade_no", 32);
  if (value !== undefined && !OUT_NO.test(value)) throw paramError("out_trade_no参数格式错误");
  return value;
}

function notifyUrl(fields: V2Fields, required: boolean): string | undefined {
  const value = required ? text(fields, "notify_url", 256, true) : text(fields, "notify_url", 256);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw paramError("notify_url参数格式错误");
  }
  if (!/^https?:$/.test(url.protocol) || url.search) throw paramError("notify_url必须是不带参数的http(s)地址");
  return value;
}

function jsonText(fields: V2Fields, name: string): Record<string, unknown> | undefined {
  const value = text(fields, name, 2048);
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the refusal below.
  }
  throw paramError(`${name}必须是JSON对象字符串`);
}

/** The order named by transaction_id or out_trade_no, or ORDERNOTEXIST. */
function findOrder(ctx: V2Context, call: Call): SandboxOrder {
  const transactionId = text(call.fields, "transaction_id", 32);
  const no = outTradeNo(call.fields, false);
  if (!transactionId && !no) throw paramError("transaction_id和out_trade_no至少填一个");
  const order = transactionId ? ctx.state.orderByTransactionId(call.payee, transactionId) : ctx.state.order(call.payee, no!);
  if (!order || (order.sp_mchid ?? order.mchid) !== call.merchant.mchid) throw new ResultFail("ORDERNOTEXIST", "此交易订单号不存在");
  return order;
}

const TRADE_TYPES: TradeType[] = ["JSAPI", "NATIVE", "APP", "MWEB"];

const ROUTES: Record<string, Route> = {
  "/pay/unifiedorder": {
    secure: false,
    run(ctx, call) {
      const { fields } = call;
      const tradeType = text(fields, "trade_type", 16, true) as TradeType;
      if (!TRADE_TYPES.includes(tradeType)) throw paramError("trade_type参数错误，应为JSAPI、NATIVE、APP或MWEB");
      const body = text(fields, "body", 128, true);
      const no = outTradeNo(fields)!;
      const total = fen(fields, "total_fee");
      text(fields, "spbill_create_ip", 64, true);
      const url = notifyUrl(fields, true)!;
      const openid = text(fields, "openid", 128);
      const subOpenid = text(fields, "sub_openid", 128);
      if (tradeType === "JSAPI" && !openid && !subOpenid) throw paramError("trade_type=JSAPI时，openid为必填参数");
      if (subOpenid && !call.origin.sub_appid) throw paramError("传sub_openid时，sub_appid为必填参数");
      if (tradeType === "NATIVE") text(fields, "product_id", 32, true);
      if (tradeType === "MWEB" && !jsonText(fields, "scene_info")?.h5_info) throw paramError("trade_type=MWEB时，scene_info必须包含h5_info");
      const expireText = text(fields, "time_expire", 14);
      const timeExpire = expireText === undefined ? undefined : parseCompactTime(expireText);
      if (expireText !== undefined && timeExpire === undefined) throw paramError("time_expire参数格式错误，应为yyyyMMddHHmmss");
      if (expireText !== undefined && timeExpire! < ctx.state.businessNow() + 60_000)
        throw new ResultFail("INVALID_TIME_EXPIRE", "time_expire时间过短，最短失效时间间隔必须大于1分钟");
      const order = ctx.ledger.prepay(
        call.merchant,
        tradeType,
        {
          appid: fields.appid,
          mchid: call.payee,
          description: body,
          out_trade_no: no,
          notify_url: url,
          time_expire: timeExpire,
          attach: text(fields, "attach", 127),
          total,
          currency: currency(fields, "fee_type"),
          payer_openid: openid,
        },
        { ...call.origin, sub_openid: subOpenid },
      );
      return {
        trade_type: tradeType,
        prepay_id: order.prepay_id,
        device_info: fields.device_info,
        ...(tradeType === "NATIVE" ? { code_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } : {}),
        ...(tradeType === "MWEB" ? { mweb_url: ctx.cashierUrl(call.req, order.mchid, order.out_trade_no) } : {}),
      };
    },
  },
  "/pay/orderquery": {
    secure: false,
    run(ctx, call) {
      const order = ctx.ledger.poll(findOrder(ctx, call));
      return { ...v2OrderFields(order), trade_state: order.trade_state, trade_state_desc: order.trade_state_desc };
    },
  },
  "/pay/closeorder": {
    secure: false,
    run(ctx, call) {
      const order = findOrder(ctx, { ...call, fields: { out_trade_no: text(call.fields, "out_trade_no", 32, true) } });
      ctx.ledger.close(order.mchid, order.out_trade_no);
      return { result_msg: "OK" };
    },
  },
  "/pay/micropay": {
    secure: false,
    run(ctx, call) {
      const { fields } = call;
      const body = text(fields, "body", 128, true);
      const no = outTradeNo(fields)!;
      const total = fen(fields, "total_fee");
      text(fields, "spbill_create_ip", 64, true);
      const authCode = text(fields, "auth_code", 128, true);
      // store_id and scene_info.store_info name the shop; accepted and checked for shape only.
      text(fields, "store_id", 32);
      jsonText(fields, "scene_info");
      const { order, outcome } = ctx.micropay.pay(
        {
          mchid: call.payee,
          appid: fields.appid,
          out_trade_no: no,
          body,
          total,
          currency: currency(fields, "fee_type"),
          auth_code: authCode,
          attach: text(fields, "attach", 127),
          device_info: text(fields, "device_info", 32),
        },
        call.origin,
      );
      if (outcome.kind === "userpaying") throw new ResultFail("USERPAYING", "需要用户输入支付密码");
      if (outcome.kind === "failed") throw new ResultFail(outcome.code, outcome.des);
      return v2OrderFields(order);
    },
  },
  "/secapi/pay/reverse": {
    secure: true,
    run(ctx, call) {
      ctx.micropay.reverse(findOrder(ctx, call));
      // recall=Y would ask the merchant to call again; the sandbox always settles the reversal at once.
      return { recall: "N" };
    },
  },
  "/secapi/pay/refund": {
    secure: true,
    run(ctx, call) {
      const { fields } = call;
      const order = findOrder(ctx, call);
      const outRefundNo = text(fields, "out_refund_no", 64, true);
      if (!/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo)) throw paramError("out_refund_no参数格式错误");
      const total = fen(fields, "total_fee");
      const refundFee = fen(fields, "refund_fee");
      if (refundFee > total) throw paramError("退款金额refund_fee大于订单金额total_fee");
      const refund = ctx.ledger.refund(
        order.mchid,
        {
          out_refund_no: outRefundNo,
          out_trade_no: order.out_trade_no,
          reason: text(fields, "refund_desc", 80),
          notify_url: notifyUrl(fields, false),
          refund: refundFee,
          total,
          currency: currency(fields, "refund_fee_type"),
        },
        { version: 2, sign_type: call.origin.sign_type },
      );
      if (refund.status === "PROCESSING") ctx.scheduleRefundSettlement(refund.mchid, refund.out_refund_no);
      return {
        transaction_id: refund.transaction_id,
        out_trade_no: refund.out_trade_no,
        out_refund_no: refund.out_refund_no,
        refund_id: refund.refund_id,
        refund_fee: refund.refund,
        settlement_refund_fee: refund.refund,
        total_fee: refund.total,
        settlement_total_fee: refund.total,
        fee_type: refund.currency,
        cash_fee: refund.total,
        cash_refund_fee: refund.refund,
        coupon_refund_fee: 0,
      };
    },
  },
  "/pay/refundquery": {
    secure: false,
    run(ctx, call) {
      const { fields } = call;
      const outRefundNo = text(fields, "out_refund_no", 64);
      const refundId = text(fields, "refund_id", 32);
      let refunds;
      let order: SandboxOrder | undefined;
      if (outRefundNo || refundId) {
        const refund = ctx.state.refunds().find((r) => r.mchid === call.payee && (outRefundNo ? r.out_refund_no === outRefundNo : r.refund_id === refundId));
        order = refund && ctx.state.order(refund.mchid, refund.out_trade_no);
        refunds = refund ? [refund] : [];
      } else {
        order = findOrder(ctx, call);
        refunds = ctx.state.refundsOf(order.mchid, order.out_trade_no);
      }
      if (!order || (order.sp_mchid ?? order.mchid) !== call.merchant.mchid || refunds.length === 0) throw new ResultFail("REFUNDNOTEXIST", "退款订单查询失败");
      return v2RefundListFields(order, refunds);
    },
  },
};

export const isV2Path = (path: string) => Object.prototype.hasOwnProperty.call(ROUTES, path);

function send(res: ServerResponse, fields: Out): void {
  const body = buildV2Xml(fields);
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Who the request is for: the merchant itself, or (service provider) one of its sub-merchants. */
function resolveParties(merchant: SandboxMerchant, fields: V2Fields, signType: V2SignType): { payee: string; origin: OrderOrigin } {
  if (!merchant.appids.includes(fields.appid)) throw new ResultFail("APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
  const sub = fields.sub_mch_id;
  if (!merchant.subMerchants) {
    if (sub) throw paramError("非服务商商户号不能传sub_mch_id");
    return { payee: merchant.mchid, origin: { version: 2, sign_type: signType } };
  }
  if (!sub) throw paramError("缺少参数sub_mch_id");
  const subAppids = merchant.subMerchants.get(sub);
  if (!subAppids) throw new ResultFail("MCHID_NOT_EXIST", "特约商户号sub_mch_id不存在或未与服务商绑定");
  if (fields.sub_appid && !subAppids.includes(fields.sub_appid)) throw new ResultFail("SUB_MCH_ID_APPID_NOT_MATCH", "sub_mch_id与sub_appid不匹配");
  return {
    payee: sub,
    origin: { version: 2, sign_type: signType, sp_mchid: merchant.mchid, sp_appid: fields.appid, sub_appid: fields.sub_appid || undefined },
  };
}

/** Serves one v2 request at `path` (the official path, e.g. `/pay/orderquery`). */
export async function serveV2(ctx: V2Context, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const route = ROUTES[path];
  let signing: { key: string; type: V2SignType; head: Out } | undefined;
  try {
    if (req.method !== "POST") throw new ReturnFail("请使用post方法");
    const raw = await readRawBody(req);
    if (raw === undefined) throw new ReturnFail("请求体过大");
    let fields: V2Fields;
    try {
      fields = parseV2Xml(raw.toString("utf8"));
    } catch (error) {
      if (error instanceof V2XmlError) throw new ReturnFail(error.message);
      throw error;
    }
    for (const name of ["appid", "mch_id", "nonce_str", "sign"]) if (!fields[name]) throw new ReturnFail(`缺少参数${name}`);
    if (fields.nonce_str.length > 32) throw new ReturnFail("nonce_str参数长度有误");
    const signType = (fields.sign_type || "MD5") as V2SignType;
    if (signType !== "MD5" && signType !== "HMAC-SHA256") throw new ReturnFail("sign_type参数错误");
    const merchant = ctx.merchants.get(fields.mch_id);
    if (!merchant) throw new ReturnFail("mch_id参数格式错误");
    // The client certificate is checked before anything else the merchant signed: it is the transport's.
    if (route.secure) {
      const problem = clientCertificateProblem(req, fields.mch_id);
      if (problem) throw new ReturnFail(problem);
    }
    if (!verifyV2(fields, merchant.key, signType)) throw new ReturnFail("签名错误");
    signing = {
      key: merchant.key,
      type: signType,
      head: { appid: fields.appid, mch_id: fields.mch_id, sub_appid: fields.sub_appid || undefined, sub_mch_id: fields.sub_mch_id || undefined },
    };
    const { payee, origin } = resolveParties(merchant, fields, signType);
    const result = route.run(ctx, { req, fields, merchant, payee, origin });
    send(
      res,
      signedV2(
        { return_code: "SUCCESS", return_msg: "OK", ...signing.head, nonce_str: randomNonce(32), result_code: "SUCCESS", ...result },
        signing.key,
        signing.type,
      ),
    );
  } catch (error) {
    if (error instanceof ReturnFail) {
      send(res, { return_code: "FAIL", return_msg: error.message });
      return;
    }
    let refusal: ResultFail;
    if (error instanceof ResultFail) refusal = error;
    else if (error instanceof MicropayRefusal) refusal = new ResultFail(error.code, error.des);
    else if (error instanceof WxpayApiError) refusal = new ResultFail(error.v2?.code ?? "SYSTEMERROR", error.v2?.des ?? error.message);
    else {
      ctx.log(`[wxpay sandbox] v2 ${path} failed: ${(error as Error)?.stack ?? String(error)}`);
      refusal = new ResultFail("SYSTEMERROR", "系统错误");
    }
    if (!signing) {
      send(res, { return_code: "FAIL", return_msg: refusal.des });
      return;
    }
    send(
      res,
      signedV2(
        {
          return_code: "SUCCESS",
          return_msg: "OK",
          ...signing.head,
          nonce_str: randomNonce(32),
          result_code: "FAIL",
          err_code: refusal.code,
          err_code_des: refusal.des,
          ...refusal.extra,
        },
        signing.key,
        signing.type,
      ),
    );
  }
}
