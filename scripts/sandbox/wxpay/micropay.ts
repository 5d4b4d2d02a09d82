/**
 * Pay-code payments (付款码支付): the merchant scans the payer's `auth_code`. The sandbox has no phone
 * to ask, so the code itself says what the payer does (all codes are 18 digits, as WeChat's):
 *
 * | auth_code prefix | outcome |
 * |---|---|
 * | `10`, `13` | paid at once (`result_code SUCCESS`) |
 * | `14N…` | `USERPAYING` (the payer is typing the password); the N-th query after it (N = third digit, 0 means 2) sees SUCCESS |
 * | `11` | `USERPAYING` until the merchant reverses it (`/secapi/pay/reverse`), a control `pay`/`fail`/`cancel`, or expiry |
 * | `12` | `NOTENOUGH` (余额不足): the trade ends PAYERROR |
 * | `15` | `AUTHCODEEXPIRE` (二维码已过期): the trade ends PAYERROR |
 *
 * Any other shape is `AUTH_CODE_INVALID`. A code pays once: another out_trade_no with the same code gets
 * `AUTHCODEEXPIRE`; the same out_trade_no and code again is a retry and sees the trade as it is now.
 * No notification is sent for pay-code trades: the merchant learns the result by querying.
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (付款码支付)
 * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_11&index=3 (撤销订单)
 */
import { newPrepayId } from "./ids";
import { withState, type Ledger } from "./ledger";
import type { WxpaySandboxState } from "./state";
import type { OrderOrigin, SandboxOrder } from "./types";

export type MicropayOutcome = { kind: "paid" } | { kind: "userpaying" } | { kind: "failed"; code: string; des: string };

export interface MicropayRequest {
  mchid: string;
  appid: string;
  out_trade_no: string;
  body: string;
  total: number;
  currency: string;
  auth_code: string;
  attach?: string;
  device_info?: string;
}

export class MicropayRefusal extends Error {
  constructor(
    readonly code: string,
    readonly des: string,
  ) {
    super(des);
  }
}

const EXPIRED = new MicropayRefusal("AUTHCODEEXPIRE", "二维码已过期，请用户在微信上刷新后再试");
const NOTENOUGH = new MicropayRefusal("NOTENOUGH", "余额不足");
const MICROPAY_WINDOW_MS = 7 * 24 * 3600 * 1000;

function outcomeOf(order: SandboxOrder): MicropayOutcome {
  if (order.trade_state === "SUCCESS" || order.trade_state === "REFUND") return { kind: "paid" };
  if (order.trade_state === "USERPAYING") return { kind: "userpaying" };
  const refusal = order.auth_code?.startsWith("12") ? NOTENOUGH : EXPIRED;
  return { kind: "failed", code: refusal.code, des: refusal.des };
}

export function createMicropay(ctx: { state: WxpaySandboxState; ledger: Ledger }) {
  const { state, ledger } = ctx;

  return {
    /** Places and settles (or parks) a pay-code trade; throws MicropayRefusal for requests WeChat refuses outright. */
    pay(request: MicropayRequest, origin: OrderOrigin): { order: SandboxOrder; outcome: MicropayOutcome } {
      if (!/^1[0-5]\d{16}$/.test(request.auth_code))
        throw new MicropayRefusal("AUTH_CODE_INVALID", "请扫描微信支付授权码(以10/11/12/13/14/15为前缀的18位数字)");
      const fingerprint = JSON.stringify(["MICROPAY", request.appid, request.body, request.total, request.currency, request.auth_code]);
      const existing = state.order(request.mchid, request.out_trade_no);
      if (existing) {
        if (existing.fingerprint === fingerprint) return { order: existing, outcome: outcomeOf(existing) };
        if (existing.trade_state === "SUCCESS" || existing.trade_state === "REFUND") throw new MicropayRefusal("ORDERPAID", "该订单已支付");
        throw new MicropayRefusal("OUT_TRADE_NO_USED", "商户订单号重复");
      }
      if (state.orders().some((order) => order.auth_code === request.auth_code)) throw EXPIRED;
      const now = state.businessNow();
      const prefix = request.auth_code.slice(0, 2);
      let order: SandboxOrder = withState(
        {
          ...origin,
          mchid: request.mchid,
          appid: request.appid,
          out_trade_no: request.out_trade_no,
          trade_type: "MICROPAY",
          description: request.body,
          notify_url: "",
          attach: request.attach,
          total: request.total,
          currency: request.currency,
          create_time: now,
          // Pay-code trades have no prepay step; the id only keeps the stored shape uniform.
          prepay_id: newPrepayId(now),
          trade_state: "USERPAYING",
          trade_state_desc: "",
          fingerprint,
          device_info: request.device_info,
          auth_code: request.auth_code,
        },
        "USERPAYING",
      );
      if (prefix === "10" || prefix === "13") order = ledger.markPaid(order);
      else if (prefix === "14") order = { ...order, userpaying_polls: Number(request.auth_code[2]) || 2, userpaying_outcome: "SUCCESS" };
      else if (prefix === "12" || prefix === "15") order = withState(order, "PAYERROR");
      state.putOrder(order);
      return { order, outcome: outcomeOf(order) };
    },

    /** 撤销: a pay-code trade ends REVOKED; had it been paid, the money goes back to the payer. */
    reverse(order: SandboxOrder): SandboxOrder {
      if (order.trade_type !== "MICROPAY") throw new MicropayRefusal("INVALID_REQUEST", "仅付款码支付的订单可以撤销");
      if (state.businessNow() - order.create_time > MICROPAY_WINDOW_MS) throw new MicropayRefusal("REVERSE_EXPIRE", "订单已超过可撤销时间");
      if (state.refundsOf(order.mchid, order.out_trade_no).length > 0) throw new MicropayRefusal("INVALID_REQUEST", "订单已发生退款，不能撤销");
      if (order.trade_state === "REVOKED") return order;
      const revoked = withState({ ...order, userpaying_polls: undefined }, "REVOKED");
      state.putOrder(revoked);
      return revoked;
    },
  };
}

export type Micropay = ReturnType<typeof createMicropay>;
