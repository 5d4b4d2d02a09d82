import { refundNotFoundAsTyped } from "../refund-not-found";
import { failures, NetworkError, ProviderRejectedError } from "../../../core/errors";
import type { PaymentStatus } from "../../../kernel/contract";
import { ignoreAlreadyClosed } from "../close";
import { refundExtrasV2 } from "./refund-extras";
import { callWxpayV2 } from "./client";
import { payByCode, realWait, reverseCodepay, type Wait } from "./codepay";
import { forOrder, readWxpayV2Merchant } from "./merchant";
import { buildUnifiedOrder, buildV2CreateResult } from "./modes";
import { toV2PaymentStatus, toV2RefundAccepted, toV2RefundQueried } from "./normalize";
import { verifyWxpayV2Notify } from "./notify";
import type { WxpayVersionAdapter } from "../v3/adapter";

/**
 * The provider verbs over WeChat Pay API v2 (XML, API key signatures, client certificate for `/secapi`).
 * index.ts picks this by the sub-config's `version`. Every verb acts for
 * the order's sub-merchant when it has one (forOrder).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/index.html
 */

function sameNumber(expected: string, actual: string, what: string): void {
  // A verified answer about another order is a protocol failure; using it would bind the wrong order.
  if (expected !== actual) throw new NetworkError(`支付平台返回的${what}与请求不一致，请稍后再试`);
}

export interface WxpayV2AdapterOptions {
  /** How the pay-code loop waits between queries; a real timer unless a test injects one. */
  wait?: Wait;
}

export function createWxpayV2Adapter(options: WxpayV2AdapterOptions = {}): WxpayVersionAdapter {
  const wait = options.wait ?? realWait;

  return {
    /**
     * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1 (统一下单)
     * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_10&index=1 (付款码支付)
     */
    async createPayment(request, runtime) {
      const merchant = forOrder(readWxpayV2Merchant(request.config), request.partner);
      if (request.mode === "codepay") return payByCode(request, merchant, runtime, wait);
      const order = buildUnifiedOrder(request, merchant);
      const outcome = await callWxpayV2(merchant, runtime, { path: "/pay/unifiedorder", params: order.params, failureMessage: "获取支付信息失败，请稍后再试" });
      return buildV2CreateResult(order.tradeType, outcome.fields, merchant, runtime.now());
    },

    /** @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2 (查询订单) */
    async queryPayment(request, runtime) {
      const merchant = forOrder(readWxpayV2Merchant(request.config), request.partner);
      const outcome = await callWxpayV2(merchant, runtime, {
        path: "/pay/orderquery",
        params: { out_trade_no: request.outTradeNo },
        failureMessage: "查询支付结果失败，请稍后再试",
        returnBusinessFailure: true,
      });
      if (outcome.kind === "business-fail") {
        // WeChat has no such order: the prepay never reached it, so nothing was paid.
        if (outcome.errCode === "ORDERNOTEXIST") return { state: "NOTPAY", outTradeNo: request.outTradeNo, raw: outcome.fields } satisfies PaymentStatus;
        throw outcome.errCode === "SYSTEMERROR"
          ? new NetworkError()
          : new ProviderRejectedError(outcome.errCode, outcome.errMessage, "查询支付结果失败，请稍后再试");
      }
      const status = toV2PaymentStatus(outcome.fields);
      sameNumber(request.outTradeNo, status.outTradeNo, "订单号");
      return status;
    },

    /**
     * Closes an unpaid order; a pay-code order cannot be closed and is reversed instead. ORDERCLOSED
     * (already closed, "无需继续调用") is success.
     *
     * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3 (关闭订单)
     * @see https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_11&index=3 (撤销订单)
     */
    async closePayment(request, runtime) {
      const merchant = forOrder(readWxpayV2Merchant(request.config), request.partner);
      if (request.mode === "codepay") {
        if (!(await reverseCodepay(merchant, runtime, request.outTradeNo, wait))) throw new NetworkError("撤销付款码订单失败，请稍后再试");
        return;
      }
      await ignoreAlreadyClosed(
        callWxpayV2(merchant, runtime, { path: "/pay/closeorder", params: { out_trade_no: request.outTradeNo }, failureMessage: "关闭订单失败，请稍后再试" }),
      );
    },

    /** @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 (申请退款, 需要证书) */
    async refund(request, runtime) {
      const merchant = forOrder(readWxpayV2Merchant(request.config), request.partner);
      const outcome = await callWxpayV2(merchant, runtime, {
        path: "/secapi/pay/refund",
        secure: true,
        params: {
          ...refundExtrasV2(request.other),
          out_trade_no: request.outTradeNo,
          out_refund_no: request.outRefundNo,
          total_fee: String(request.totalFee),
          refund_fee: String(request.refundFee),
          refund_desc: request.reason,
          notify_url: request.notifyUrl,
        },
        failureMessage: "退款申请失败",
      });
      const status = toV2RefundAccepted(outcome.fields);
      sameNumber(request.outRefundNo, status.outRefundNo, "退款单号");
      sameNumber(String(request.refundFee), String(status.refundFee), "退款金额");
      return status;
    },

    /** @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (查询退款, 不需要证书) */
    /**
     * API v2 has no such call: a CHANGE refund is settled on the merchant platform (交易中心 → 退款管理).
     *
     * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5 (查询退款: refund_status CHANGE)
     */
    async applyAbnormalRefund() {
      throw failures.abnormalRefundUnsupported("微信支付API v2没有发起异常退款接口，请在微信支付商户平台处理，或改用API v3");
    },

    async queryRefund(request, runtime) {
      const merchant = forOrder(readWxpayV2Merchant(request.config), request.partner);
      const outcome = await refundNotFoundAsTyped(
        callWxpayV2(merchant, runtime, {
          path: "/pay/refundquery",
          params: { out_refund_no: request.outRefundNo },
          failureMessage: "查询退款结果失败，请稍后再试",
        }),
      );
      const status = toV2RefundQueried(outcome.fields, request.outRefundNo);
      sameNumber(request.outTradeNo, status.outTradeNo, "订单号");
      return status;
    },

    async verifyNotify(notification, config) {
      return verifyWxpayV2Notify(notification, readWxpayV2Merchant(config));
    },
  };
}
