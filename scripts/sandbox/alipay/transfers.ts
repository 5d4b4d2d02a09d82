/**
 * Alipay 单笔转账 in the sandbox: `alipay.fund.trans.uni.transfer` answers synchronously (SUCCESS, or a
 * business failure), `alipay.fund.trans.common.query` finds it by out_biz_no with product_code and
 * biz_scene. Transfers are accepted from the certificate-mode app only. Kept in memory.
 * @see https://opendocs.alipay.com/open/62987723_alipay.fund.trans.uni.transfer
 * @see https://opendocs.alipay.com/open/58a29899_alipay.fund.trans.common.query
 */
import { randomBytes } from "node:crypto";
import type { GatewayMethod } from "./methods";
import { formatYuan } from "./money";
import { formatBeijing } from "./time";
import { businessFailed, invalidParameter } from "./types";
import { amount, text } from "./validate";

interface SandboxTransfer {
  app_id: string;
  out_biz_no: string;
  order_id: string;
  pay_fund_order_id: string;
  trans_fen: number;
  identity: string;
  identity_type: string;
  name?: string;
  trans_date: number;
  requests: number;
}

/** A payee account the sandbox knows as closed: transfers to it fail with PAYEE_NOT_EXIST. */
export const ALIPAY_SANDBOX_MISSING_PAYEE = "2088000000000404";

const transfers = new Map<string, SandboxTransfer>();
const key = (appId: string, outBizNo: string) => `${appId}:${outBizNo}`;

/** What the sandbox holds under one out_biz_no, for the control API. */
export function findSandboxTransfer(appId: string, outBizNo: string): Readonly<SandboxTransfer> | undefined {
  return transfers.get(key(appId, outBizNo));
}

function checkProduct(biz: Record<string, unknown>): void {
  if (biz.product_code !== "TRANS_ACCOUNT_NO_PWD") throw invalidParameter("product_code 必须是 TRANS_ACCOUNT_NO_PWD");
  if (biz.biz_scene !== "DIRECT_TRANSFER") throw invalidParameter("biz_scene 必须是 DIRECT_TRANSFER");
}

const view = (transfer: SandboxTransfer) => ({
  code: "10000",
  msg: "Success",
  out_biz_no: transfer.out_biz_no,
  order_id: transfer.order_id,
  pay_fund_order_id: transfer.pay_fund_order_id,
  status: "SUCCESS",
  trans_amount: formatYuan(transfer.trans_fen),
  trans_date: formatBeijing(transfer.trans_date),
});

export const TRANSFER_METHODS: Record<string, GatewayMethod> = {
  "alipay.fund.trans.uni.transfer": {
    run(ctx, call) {
      if (call.app.mode !== "cert") throw businessFailed("INVALID_PARAMETER", "转账接口仅支持证书模式调用");
      checkProduct(call.biz);
      const outBizNo = text(call.biz, "out_biz_no", { required: true, max: 64 })!;
      const fen = amount(call.biz, "trans_amount")!;
      if (fen < 10 || fen > 10_000_000_000) throw businessFailed("EXCEED_LIMIT_SM_MIN_AMOUNT", "单笔最低转账金额0.1元");
      text(call.biz, "order_title", { required: true, max: 128 });
      const payee = call.biz.payee_info as Record<string, unknown> | undefined;
      if (!payee || typeof payee !== "object") throw invalidParameter("payee_info 不能为空");
      const identity = text(payee, "identity", { required: true, max: 100 })!;
      const identityType = text(payee, "identity_type", { required: true, max: 32 })!;
      if (!["ALIPAY_USER_ID", "ALIPAY_LOGON_ID", "ALIPAY_OPEN_ID"].includes(identityType)) throw invalidParameter("identity_type 不支持");
      const name = text(payee, "name", { required: identityType === "ALIPAY_LOGON_ID", max: 64 });
      if (identityType === "ALIPAY_USER_ID" && !/^2088\d{12}$/.test(identity)) throw businessFailed("PAYEE_USERINFO_ERROR", "收款方账号格式错误");
      if (identity === ALIPAY_SANDBOX_MISSING_PAYEE) throw businessFailed("PAYEE_NOT_EXIST", "收款账号不存在");
      const existing = transfers.get(key(call.app.appId, outBizNo));
      if (existing) {
        // The same out_biz_no is the same transfer; other terms under it are refused.
        if (existing.trans_fen !== fen || existing.identity !== identity) throw businessFailed("ORDER_ALREADY_EXIST", "商户订单号已存在，且参数不一致");
        existing.requests += 1;
        return view(existing);
      }
      const now = ctx.ledger.now();
      const transfer: SandboxTransfer = {
        app_id: call.app.appId,
        out_biz_no: outBizNo,
        order_id: `2026${randomBytes(10).toString("hex")}`.slice(0, 32),
        pay_fund_order_id: `2026${randomBytes(10).toString("hex")}`.slice(0, 32),
        trans_fen: fen,
        identity,
        identity_type: identityType,
        ...(name ? { name } : {}),
        trans_date: now,
        requests: 1,
      };
      transfers.set(key(call.app.appId, outBizNo), transfer);
      return view(transfer);
    },
  },
  "alipay.fund.trans.common.query": {
    run(_ctx, call) {
      const outBizNo = text(call.biz, "out_biz_no", { required: true, max: 64 })!;
      checkProduct(call.biz);
      const transfer = transfers.get(key(call.app.appId, outBizNo));
      if (!transfer) throw businessFailed("ORDER_NOT_EXIST", "转账订单不存在");
      return view(transfer);
    },
  },
};
