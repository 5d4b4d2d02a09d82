import { createHmac, timingSafeEqual } from "node:crypto";
import { NetworkError, ProviderRejectedError, RefundNotFoundError, SignatureError, ValidationError } from "../../common/vk-uni-pay/src/core/errors";
import { jsonReply } from "../../common/vk-uni-pay/src/http-reply";
import { selectDeclaredMode } from "../../common/vk-uni-pay/src/providers/select-mode";
import type { NormalizedEvent, PaymentProvider, RefundState, TradeState } from "../../common/vk-uni-pay/src/kernel/contract";

export const TESTPAY_KEY = "test-notify-key";
export const signTestpay = (body: string, key = TESTPAY_KEY) => createHmac("sha256", key).update(body).digest("hex");

/** What the fake platform knows and how it should behave next; tests set these fields directly. */
export interface TestpayPlatform {
  payments: Map<string, { state: TradeState; totalFee: number; transactionId?: string }>;
  refunds: Map<string, RefundState>;
  calls: Array<{ method: string; request: unknown }>;
  codepayState?: TradeState;
  refundAnswer: RefundState | "reject" | "network" | "invalid";
  /** A close that answers success whatever the order's state (as v3's close is reported to). */
  blindClose?: boolean;
}

/**
 * A provider double with a tiny in-memory platform and HMAC-signed notifications: it drives the core
 * through every branch without a real protocol (the real ones have their own sandboxes).
 */
export function createTestpay(): { provider: PaymentProvider; platform: TestpayPlatform } {
  const platform: TestpayPlatform = { payments: new Map(), refunds: new Map(), calls: [], refundAnswer: "PROCESSING" };
  const provider: PaymentProvider = {
    name: "testpay",
    capabilities: { modes: ["h5", "app-plus", "codepay"], query: true, close: true, refund: true, refundNotify: true },
    selectMode: (situation) => selectDeclaredMode(["h5", "app-plus", "codepay"], situation),
    async createPayment(request) {
      platform.calls.push({ method: "createPayment", request });
      if (request.authCode) {
        const state = platform.codepayState ?? "USERPAYING";
        if (state === "SUCCESS") platform.payments.set(request.outTradeNo, { state, totalFee: request.totalFee, transactionId: `TX-${request.outTradeNo}` });
        return { orderInfo: { tradeState: state }, state, transactionId: `TX-${request.outTradeNo}`, raw: {} };
      }
      platform.payments.set(request.outTradeNo, { state: "NOTPAY", totalFee: request.totalFee });
      return { orderInfo: { prepay_id: `P-${request.outTradeNo}` }, codeUrl: `testpay://${request.outTradeNo}`, raw: {} };
    },
    async queryPayment(request) {
      platform.calls.push({ method: "queryPayment", request });
      const payment = platform.payments.get(request.outTradeNo);
      return {
        state: payment?.state ?? "NOTPAY",
        outTradeNo: request.outTradeNo,
        totalFee: payment?.totalFee,
        transactionId: payment?.transactionId,
        paidAt: 5000,
        raw: {},
      };
    },
    async closePayment(request) {
      platform.calls.push({ method: "closePayment", request });
      const payment = platform.payments.get(request.outTradeNo);
      if (payment?.state === "SUCCESS") {
        if (platform.blindClose) return;
        throw new ProviderRejectedError("ORDERPAID", "订单已支付");
      }
      if (payment) payment.state = "CLOSED";
    },
    async refund(request) {
      platform.calls.push({ method: "refund", request });
      if (platform.refundAnswer === "reject") throw new ProviderRejectedError("NOT_ENOUGH", "基本账户余额不足");
      if (platform.refundAnswer === "network") throw new NetworkError();
      if (platform.refundAnswer === "invalid") throw new ValidationError(-1, "other-invalid", "other.x 必须是字符串");
      platform.refunds.set(request.outRefundNo, platform.refundAnswer);
      return {
        state: platform.refundAnswer,
        outTradeNo: request.outTradeNo,
        outRefundNo: request.outRefundNo,
        refundId: `RF-${request.outRefundNo}`,
        refundFee: request.refundFee,
        settledAt: 7000,
        raw: {},
      };
    },
    async queryRefund(request) {
      platform.calls.push({ method: "queryRefund", request });
      // Like every real provider: a refund whose request never arrived is unknown there.
      const state = platform.refunds.get(request.outRefundNo);
      if (!state) throw new RefundNotFoundError("REFUND_NOT_EXIST", "退款单不存在");
      return { state, outTradeNo: request.outTradeNo, outRefundNo: request.outRefundNo, refundFee: 0, settledAt: 8000, raw: {} };
    },
    async verifyNotify(raw, config) {
      const expected = Buffer.from(signTestpay(raw.body.toString("utf8"), String(config.key)));
      const given = Buffer.from(raw.headers["x-signature"] ?? "");
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SignatureError("signature-invalid", "签名错误");
      return JSON.parse(raw.body.toString("utf8")) as NormalizedEvent;
    },
    acknowledge: (accepted) => (accepted ? jsonReply(200, { code: "SUCCESS" }) : jsonReply(400, { code: "FAIL" })),
  };
  return { provider, platform };
}
