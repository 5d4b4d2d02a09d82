/**
 * The OpenAPI methods the sandbox serves, each returning its `<method>_response` object.
 * @see https://opendocs.alipay.com/open/02ekfg (alipay.trade.precreate)
 * @see https://opendocs.alipay.com/mini/03l5wn (alipay.trade.create)
 * @see https://opendocs.alipay.com/open/02cdx8 (alipay.trade.pay)
 * @see https://opendocs.alipay.com/open/02ekfh (alipay.trade.query)
 * @see https://opendocs.alipay.com/open/02o6e7 (alipay.trade.close)
 * @see https://opendocs.alipay.com/open/02ekfk (alipay.trade.refund)
 * @see https://opendocs.alipay.com/open/02ekfl (alipay.trade.fastpay.refund.query)
 * @see https://opendocs.alipay.com/open/02xtla (alipay.system.oauth.token)
 * @see https://opendocs.alipay.com/open/2acb3c34_alipay.data.bill.balance.query (账户余额查询)
 * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download (应用支付宝公钥证书下载)
 */
import type { SandboxApp } from "./apps";
import { TRANSFER_METHODS } from "./transfers";
import type { AlipayCertRotation } from "./cert-rotation";
import type { Ledger } from "./ledger";
import { formatYuan } from "./money";
import type { OauthCodes } from "./oauth";
import { formatBeijing } from "./time";
import { businessFailed, type PendingPayCode, type SandboxTrade } from "./types";
import { amount, parseTradeRequest, text, tradeIds } from "./validate";

/**
 * Pay-code (`auth_code`) values that drive `alipay.trade.pay`. Any other 16–24 digit code starting with
 * 25–30 (the shape of a real 付款码) pays at once, like AUTH_CODES.pay.
 */
export const ALIPAY_SANDBOX_AUTH_CODES = {
  /** Paid at once: code 10000 and a TRADE_SUCCESS notification. */
  pay: "280000000000000001",
  /** 10003 (the buyer must confirm on the phone); paid on the 2nd alipay.trade.query, or by control `pay`. */
  userPaying: "280000000000000002",
  /** Refused: 40004 ACQ.PAYMENT_AUTH_CODE_INVALID; no trade is created. */
  invalid: "280000000000000003",
  /** 10003, then the buyer gives up: the 2nd alipay.trade.query finds the trade TRADE_CLOSED. */
  abandon: "280000000000000004",
  /** 10003, and the buyer never answers: WAIT_BUYER_PAY until the merchant calls alipay.trade.cancel. */
  ignore: "280000000000000005",
} as const;

const PAY_CODE = /^(2[5-9]|30)\d{14,22}$/;

export interface MethodContext {
  ledger: Ledger;
  /** Certificate mode: every Alipay public-key certificate issued, for alipay.open.app.alipaycert.download. */
  rotation: AlipayCertRotation;
  codes: OauthCodes;
  /** Where the cashier page (what the QR code encodes) is served, as the client reached this server. */
  cashierUrl: (publicBase: string, trade: SandboxTrade) => string;
}

export interface MethodCall {
  app: SandboxApp;
  params: Record<string, string>;
  biz: Record<string, unknown>;
  publicBase: string;
}

export interface GatewayMethod {
  run(ctx: MethodContext, call: MethodCall): Record<string, unknown>;
  /** Failures of this method come back under `error_response` instead of `<method>_response`. */
  errorsAsErrorResponse?: boolean;
}

const SUCCESS = { code: "10000", msg: "Success" } as const;

function buyerFields(ctx: MethodContext, trade: SandboxTrade): Record<string, string> {
  const buyer = ctx.ledger.buyerOf(trade);
  return {
    buyer_logon_id: buyer.logon_id,
    ...(buyer.user_id ? { buyer_user_id: buyer.user_id } : {}),
    ...(buyer.open_id ? { buyer_open_id: buyer.open_id } : {}),
  };
}

function paidFields(ctx: MethodContext, trade: SandboxTrade): Record<string, unknown> {
  if (trade.pay_time === undefined) return ctx.ledger.paidAmounts(trade);
  return {
    ...ctx.ledger.paidAmounts(trade),
    // The merchant API spells it fund_channel; notifications spell it fundChannel. Both are Alipay's.
    fund_bill_list: [{ amount: formatYuan(trade.total_fen), fund_channel: "ALIPAYACCOUNT" }],
  };
}

export const METHODS: Record<string, GatewayMethod> = {
  /** The certificate file (leaf and issuer) as base64 of its PEM text, for a merchant that met a new `alipay_cert_sn`. */
  "alipay.open.app.alipaycert.download": {
    run(ctx, call) {
      const sn = text(call.biz, "alipay_cert_sn", { required: true, max: 64 })!;
      const pem = ctx.rotation.certificate(sn);
      if (!pem) throw businessFailed("isv.alipay-cert-not-exist", "支付宝公钥证书不存在");
      ctx.rotation.recordDownload(sn);
      return { ...SUCCESS, alipay_cert_content: Buffer.from(pem, "utf8").toString("base64") };
    },
  },
  "alipay.trade.precreate": {
    run(ctx, call) {
      const trade = ctx.ledger.open(call.app.appId, "precreate", parseTradeRequest(call.biz, call.params, "precreate", ctxNow(ctx)));
      return { ...SUCCESS, out_trade_no: trade.out_trade_no, qr_code: ctx.cashierUrl(call.publicBase, trade) };
    },
  },
  "alipay.trade.create": {
    run(ctx, call) {
      const trade = ctx.ledger.open(call.app.appId, "create", parseTradeRequest(call.biz, call.params, "create", ctxNow(ctx)));
      return { ...SUCCESS, out_trade_no: trade.out_trade_no, trade_no: trade.trade_no };
    },
  },
  "alipay.trade.pay": {
    run(ctx, call) {
      const scene = text(call.biz, "scene", { required: true, max: 32 });
      if (scene !== "bar_code" && scene !== "wave_code" && scene !== "security_code")
        throw businessFailed("ACQ.INVALID_PARAMETER", "参数无效: scene 取值 bar_code、wave_code 或 security_code");
      const authCode = text(call.biz, "auth_code", { required: true, max: 32 })!;
      const request = parseTradeRequest(call.biz, call.params, "pay", ctxNow(ctx));
      if (!PAY_CODE.test(authCode) || authCode === ALIPAY_SANDBOX_AUTH_CODES.invalid) {
        throw businessFailed("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款");
      }
      const plans: Record<string, PendingPayCode> = {
        [ALIPAY_SANDBOX_AUTH_CODES.userPaying]: "confirm",
        [ALIPAY_SANDBOX_AUTH_CODES.abandon]: "abandon",
        [ALIPAY_SANDBOX_AUTH_CODES.ignore]: "ignore",
      };
      const plan = plans[authCode] ?? "pay";
      const trade = ctx.ledger.payWithCode(call.app.appId, request, plan);
      const common = { trade_no: trade.trade_no, out_trade_no: trade.out_trade_no, total_amount: formatYuan(trade.total_fen), ...buyerFields(ctx, trade) };
      if (trade.status === "TRADE_SUCCESS") return { ...SUCCESS, ...common, ...paidFields(ctx, trade), gmt_payment: formatBeijing(trade.pay_time!) };
      // 10003: the payment is in progress; the merchant queries (or cancels) until it settles.
      return { code: "10003", msg: "order success pay inprocess", ...common, ...paidFields(ctx, trade) };
    },
  },
  "alipay.trade.query": {
    run(ctx, call) {
      const trade = ctx.ledger.query(call.app.appId, tradeIds(call.biz));
      return {
        ...SUCCESS,
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        ...buyerFields(ctx, trade),
        trade_status: trade.status,
        total_amount: formatYuan(trade.total_fen),
        ...paidFields(ctx, trade),
        ...(trade.pay_time !== undefined ? { send_pay_date: formatBeijing(trade.pay_time) } : {}),
      };
    },
  },
  "alipay.trade.close": {
    run(ctx, call) {
      const trade = ctx.ledger.close(call.app.appId, tradeIds(call.biz));
      return { ...SUCCESS, trade_no: trade.trade_no, out_trade_no: trade.out_trade_no };
    },
  },
  "alipay.trade.cancel": {
    // @see https://opendocs.alipay.com/open/02ekfr (alipay.trade.cancel; formerly docs.open.alipay.com/api_1/alipay.trade.cancel) (retry_flag=N: the cancel is final)
    run(ctx, call) {
      const { trade, action } = ctx.ledger.merchantCancel(call.app.appId, tradeIds(call.biz));
      return { ...SUCCESS, trade_no: trade.trade_no, out_trade_no: trade.out_trade_no, retry_flag: "N", action };
    },
  },
  "alipay.trade.refund": {
    run(ctx, call) {
      const ids = tradeIds(call.biz);
      const refundFen = amount(call.biz, "refund_amount")!;
      const outRequestNo = text(call.biz, "out_request_no", { required: false, max: 64 });
      const reason = text(call.biz, "refund_reason", { required: false, max: 256 });
      const { trade, refund, fundChange } = ctx.ledger.refund(call.app.appId, ids, { refund_fen: refundFen, out_request_no: outRequestNo, reason });
      return {
        ...SUCCESS,
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        ...buyerFields(ctx, trade),
        fund_change: fundChange ? "Y" : "N",
        // refund_fee is the trade's total refunded so far, not this refund's amount.
        refund_fee: formatYuan(trade.refunded_fen),
        gmt_refund_pay: formatBeijing(refund.refund_time),
        send_back_fee: formatYuan(refund.refund_fen),
      };
    },
  },
  "alipay.trade.fastpay.refund.query": {
    run(ctx, call) {
      const ids = tradeIds(call.biz);
      const outRequestNo = text(call.biz, "out_request_no", { required: true, max: 64 })!;
      const trade = ctx.ledger.find(call.app.appId, ids);
      const refund = ctx.ledger.refundsOf(trade).find((r) => r.out_request_no === outRequestNo);
      // No refund: a success without refund_status, which Alipay documents as "退款请求未收到或者退款失败".
      if (!refund) return { ...SUCCESS };
      const options = Array.isArray(call.biz.query_options) ? call.biz.query_options : [];
      return {
        ...SUCCESS,
        trade_no: trade.trade_no,
        out_trade_no: trade.out_trade_no,
        out_request_no: refund.out_request_no,
        total_amount: formatYuan(trade.total_fen),
        refund_amount: formatYuan(refund.refund_fen),
        refund_status: "REFUND_SUCCESS",
        ...(refund.reason ? { refund_reason: refund.reason } : {}),
        ...(options.includes("gmt_refund_pay") ? { gmt_refund_pay: formatBeijing(refund.refund_time) } : {}),
      };
    },
  },
  "alipay.system.oauth.token": {
    errorsAsErrorResponse: true,
    run: (ctx, call) => ctx.codes.exchange(call.app.appId, call.params),
  },
  ...TRANSFER_METHODS,
  "alipay.data.bill.balance.query": {
    run(ctx) {
      const available = formatYuan(ctx.ledger.balanceFen());
      return { ...SUCCESS, total_amount: available, available_amount: available, freeze_amount: "0.00" };
    },
  },
};

/** The business clock, through the ledger's state (time_expire and timeout_express are business times). */
function ctxNow(ctx: MethodContext): number {
  return ctx.ledger.now();
}
