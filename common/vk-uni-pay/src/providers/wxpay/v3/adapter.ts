import { NetworkError, ProviderRejectedError } from "../../../core/errors";
import type {
  AbnormalRefundRequest,
  CreateRequest,
  CreateResult,
  MerchantConfig,
  PartnerRef,
  PaymentStatus,
  ProviderRuntime,
  RawNotification,
  NormalizedEvent,
  RefundRequest,
  RefundStatus,
} from "../../../kernel/contract";
import { callWxpay } from "./client";
import { ignoreAlreadyClosed } from "../close";
import { refundNotFoundAsTyped } from "../refund-not-found";
import { readWxpayMerchant, type WxpayMerchant } from "../merchant";
import { buildCreateResult, buildPrepayRequest, subMerchantOf } from "./modes";
import { toPaymentStatus, toRefundStatus } from "./normalize";
import { verifyWxpayNotify } from "./notify";
import { payByCodeV3, reverseCodepayV3 } from "./codepay";
import { realCodepayWait, type CodepayWait } from "../../codepay-loop";
import { encryptSensitiveField } from "./protocol";
import type { PlatformCertStore } from "./platform-certs";
import { createWxpayTransfers } from "./transfer";

/**
 * The provider verbs over WeChat Pay API v3. index.ts picks this by the sub-config's `version`; the API
 * v2 implementation sits beside it with the same shape. An order with a sub-merchant (`partner`, stored
 * on the order) is a service-provider order: the config's merchant acts for it on the partner paths.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/index.shtml
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/index.shtml (服务商)
 */

type Target = { mode: string; config: MerchantConfig; outTradeNo: string; partner?: PartnerRef };

/** Path parameters are encoded once; the signed canonical URL is then exactly the URL sent. */
const segment = (value: string) => encodeURIComponent(value);

function sameNumber(expected: string, actual: string, what: string): void {
  // A verified answer about another order is a protocol failure; using it would bind the wrong order.
  if (expected !== actual) throw new NetworkError(`支付平台返回的${what}与请求不一致，请稍后再试`);
}

export interface WxpayVersionAdapter {
  createPayment(request: CreateRequest, runtime: ProviderRuntime): Promise<CreateResult>;
  queryPayment(request: Target, runtime: ProviderRuntime): Promise<PaymentStatus>;
  closePayment(request: Target, runtime: ProviderRuntime): Promise<void>;
  refund(request: RefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  queryRefund(request: Target & { outRefundNo: string }, runtime: ProviderRuntime): Promise<RefundStatus>;
  applyAbnormalRefund(request: AbnormalRefundRequest, runtime: ProviderRuntime): Promise<RefundStatus>;
  verifyNotify(notification: RawNotification, config: MerchantConfig, runtime: ProviderRuntime): Promise<NormalizedEvent>;
}

/** The transfer verbs, over v3 only (商家转账 has no v2 API). */
export type WxpayTransfers = ReturnType<typeof createWxpayTransfers>;

export function createWxpayV3Transfers(certs: PlatformCertStore): WxpayTransfers {
  return createWxpayTransfers((merchant, runtime, request) => callWxpay(merchant, runtime, certs, request), certs);
}

export function createWxpayV3Adapter(certs: PlatformCertStore, options: { wait?: CodepayWait } = {}): WxpayVersionAdapter {
  const call = (merchant: WxpayMerchant, runtime: ProviderRuntime, request: Parameters<typeof callWxpay>[3]) => callWxpay(merchant, runtime, certs, request);
  const wait = options.wait ?? realCodepayWait;

  const adapter: WxpayVersionAdapter = {
    /**
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_1.shtml
     * @see https://pay.weixin.qq.com/docs/merchant/apis/code-payment-v3/direct/code-pay.html (付款码支付)
     */
    async createPayment(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      if (request.mode === "codepay") {
        return payByCodeV3(request, merchant, runtime, {
          call: (one) => call(merchant, runtime, one),
          query: () => adapter.queryPayment(request, runtime),
          wait,
        });
      }
      const prepay = buildPrepayRequest(request, merchant);
      const answer = await call(merchant, runtime, { method: "POST", path: prepay.path, body: prepay.body });
      return buildCreateResult(prepay.product, answer.body, merchant, runtime.now(), prepay.payee);
    },

    /**
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_2.shtml
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_2.shtml (服务商查询订单)
     */
    async queryPayment(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      const sub = subMerchantOf(request.partner);
      try {
        const answer = await call(merchant, runtime, {
          method: "GET",
          path: `/v3/pay${sub ? "/partner" : ""}/transactions/out-trade-no/${segment(request.outTradeNo)}`,
          query: sub ? { sp_mchid: merchant.mchId, sub_mchid: sub.subMchId } : { mchid: merchant.mchId },
          failureMessage: "查询支付结果失败，请稍后再试",
        });
        const status = toPaymentStatus(answer.body);
        sameNumber(request.outTradeNo, status.outTradeNo, "订单号");
        if (sub) sameNumber(sub.subMchId, String(answer.body?.sub_mchid), "子商户号");
        return status;
      } catch (error) {
        // WeChat has no such order yet: the prepay never reached it, so nothing was paid.
        if (error instanceof ProviderRejectedError && error.providerCode === "ORDER_NOT_EXIST") {
          return { state: "NOTPAY", outTradeNo: request.outTradeNo, raw: { code: error.providerCode, message: error.providerMessage } };
        }
        throw error;
      }
    },

    /**
     * An order WeChat already closed answers 400 ORDER_CLOSED: the goal is reached, so that is success.
     *
     * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556398 (关闭订单, 错误码 ORDER_CLOSED)
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_3.shtml (服务商关闭订单)
     */
    async closePayment(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      // A pay-code order cannot be closed, only reversed.
      if (request.mode === "codepay") {
        if (!(await reverseCodepayV3((one) => call(merchant, runtime, one), merchant, request, wait))) throw new NetworkError("撤销付款码订单失败，请稍后再试");
        return;
      }
      const sub = subMerchantOf(request.partner);
      await ignoreAlreadyClosed(
        call(merchant, runtime, {
          method: "POST",
          path: `/v3/pay${sub ? "/partner" : ""}/transactions/out-trade-no/${segment(request.outTradeNo)}/close`,
          body: sub ? { sp_mchid: merchant.mchId, sub_mchid: sub.subMchId } : { mchid: merchant.mchId },
          failureMessage: "关闭订单失败，请稍后再试",
        }),
      );
    },

    /**
     * The caller's `other` (e.g. `funds_account: "AVAILABLE"`) goes first, so the fields the core decides win.
     *
     * @see https://pay.weixin.qq.com/doc/v3/merchant/4012556418 (退款申请: funds_account)
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_9.shtml (服务商退款: sub_mchid)
     */
    async refund(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      const sub = subMerchantOf(request.partner);
      const body: Record<string, unknown> = {
        ...request.other,
        ...(sub ? { sub_mchid: sub.subMchId } : {}),
        out_trade_no: request.outTradeNo,
        out_refund_no: request.outRefundNo,
      };
      if (request.reason) body.reason = request.reason;
      body.notify_url = request.notifyUrl;
      body.amount = { refund: request.refundFee, total: request.totalFee, currency: "CNY" };
      const answer = await call(merchant, runtime, { method: "POST", path: "/v3/refund/domestic/refunds", body, failureMessage: "退款申请失败" });
      const status = toRefundStatus(answer.body);
      sameNumber(request.outRefundNo, status.outRefundNo, "退款单号");
      return status;
    },

    /**
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_10.shtml
     * @see https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter4_5_10.shtml (服务商查询退款: sub_mchid)
     */
    async queryRefund(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      const sub = subMerchantOf(request.partner);
      const answer = await refundNotFoundAsTyped(
        call(merchant, runtime, {
          method: "GET",
          path: `/v3/refund/domestic/refunds/${segment(request.outRefundNo)}`,
          ...(sub ? { query: { sub_mchid: sub.subMchId } } : {}),
          failureMessage: "查询退款结果失败，请稍后再试",
        }),
      );
      const status = toRefundStatus(answer.body);
      sameNumber(request.outRefundNo, status.outRefundNo, "退款单号");
      return status;
    },

    /**
     * Pays out a refund WeChat holds as ABNORMAL. The payer's card number and name travel RSA-OAEP
     * encrypted for the key that `Wechatpay-Serial` names; the answer is the refund, now PROCESSING again.
     *
     * @see https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html
     * @see https://pay.weixin.qq.com/docs/partner/apis/refund/refunds/create-abnormal-refund.html (服务商: sub_mchid)
     */
    async applyAbnormalRefund(request, runtime) {
      const merchant = readWxpayMerchant(request.config);
      const sub = subMerchantOf(request.partner);
      const body: Record<string, unknown> = { ...(sub ? { sub_mchid: sub.subMchId } : {}), out_refund_no: request.outRefundNo, type: request.route.type };
      let encryptedFor: string | undefined;
      if (request.route.type === "USER_BANK_CARD") {
        const key = await certs.encryptionKey(merchant, runtime);
        encryptedFor = key.serial;
        body.bank_type = request.route.bankType;
        body.bank_account = encryptSensitiveField(request.route.bankAccount, key.publicKey);
        body.real_name = encryptSensitiveField(request.route.realName, key.publicKey);
      }
      const answer = await call(merchant, runtime, {
        method: "POST",
        path: `/v3/refund/domestic/refunds/${segment(request.refundId)}/apply-abnormal-refund`,
        body,
        ...(encryptedFor ? { encryptedFor } : {}),
        failureMessage: "发起异常退款失败",
      });
      const status = toRefundStatus(answer.body);
      sameNumber(request.outRefundNo, status.outRefundNo, "退款单号");
      return status;
    },

    verifyNotify(notification, config, runtime) {
      return verifyWxpayNotify(notification, readWxpayMerchant(config), runtime, certs);
    },
  };
  return adapter;
}
