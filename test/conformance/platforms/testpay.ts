import { closeOrder } from "../../../common/vk-uni-pay/src/api/close-order";
import { createPayment } from "../../../common/vk-uni-pay/src/api/create-payment";
import { queryPayment } from "../../../common/vk-uni-pay/src/api/query-payment";
import { queryRefund } from "../../../common/vk-uni-pay/src/api/query-refund";
import { refund } from "../../../common/vk-uni-pay/src/api/refund";
import { secretsOfConfig } from "../secrets";
import type { ApiDeps } from "../../../common/vk-uni-pay/src/api/shared";
import { validatePayConfig } from "../../../common/vk-uni-pay/src/core/config";
import { processNotification } from "../../../common/vk-uni-pay/src/notify/pipeline";
import type { NormalizedEvent } from "../../../common/vk-uni-pay/src/kernel/contract";
import { memoryDatabase } from "../../helpers/deps";
import { createTestpay, signTestpay, TESTPAY_KEY } from "../../helpers/testpay";
import recharge = require("../../../router/service/pay-notify/recharge");
import type { Envelope, FakePlatform, Forgery, NotifyMessage, OrderFacts, PlatformSession } from "../fake-platform";

/**
 * The test provider (test/helpers/testpay.ts) with its in-memory platform: the library's api functions and
 * notification pipeline called in this process on an in-memory database, with the vk-pay function's own
 * recharge hook. Its "protocol" is a normalized event as JSON, HMAC-signed in `X-Signature`.
 */

const MERCHANT = { key: TESTPAY_KEY, mchId: "M1", appId: "A1" };

/** `testpay` is the provider the run file also hands to describeProvider, with its platform. */
export function testpayPlatform(testpay: ReturnType<typeof createTestpay>): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status === 200 && JSON.parse(reply.body || "{}").code === "SUCCESS",
    noTimestamp: "the test provider signs its notification's body alone, with no message time",
    async start(): Promise<PlatformSession> {
      const database = memoryDatabase();
      const db = database.db;
      await db.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
      const { provider, platform } = testpay;
      const deps: ApiDeps = {
        db,
        now: () => Date.now(),
        // Logged as production logs, so the suite sees every line (none may carry a secret).
        log: (line) => console.log(line),
        config: () => validatePayConfig({ notifyUrl: { local: "http://127.0.0.1:8787/http/vk-pay" }, testpay: { h5: MERCHANT } }),
        runtime: { now: () => Date.now(), request: () => Promise.reject(new Error("the test provider needs no network")) },
        findProvider: (name) => (name === "testpay" ? provider : undefined),
        providerNames: () => ["testpay"],
        hooks: (type: string) => (type === "recharge" ? recharge : undefined),
      };
      const hooks = (type: string) => (type === "recharge" ? recharge : undefined);

      let orders = 0;
      let drops = 0;
      const last = new Map<string, NotifyMessage>();
      const sign = (event: Record<string, unknown>, key = TESTPAY_KEY): NotifyMessage => {
        const body = JSON.stringify(event);
        return { headers: { "content-type": "application/json", "x-signature": signTestpay(body, key) }, body };
      };
      const paymentEvent = (order: OrderFacts, transactionId: string): NormalizedEvent => ({
        kind: "payment",
        state: "SUCCESS",
        outTradeNo: order.outTradeNo,
        transactionId,
        totalFee: order.totalFee,
        mchId: MERCHANT.mchId,
        appId: MERCHANT.appId,
        paidAt: Date.now(),
        raw: {},
      });
      const post = async (outTradeNo: string, message: NotifyMessage) => {
        const order = (await database.raw.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as { notify_path: string };
        const reply = await processNotification(
          { path: order.notify_path, httpMethod: "POST", headers: message.headers, body: message.body },
          "/vk-pay-notify/",
          { ...deps, hooks },
        );
        return { status: reply.statusCode, body: reply.body };
      };
      /** What the platform sends: kept for redelivery, lost while drops are pending. */
      const send = async (outTradeNo: string, message: NotifyMessage) => {
        last.set(outTradeNo, message);
        if (drops > 0) {
          drops -= 1;
          return;
        }
        await post(outTradeNo, message);
      };

      return {
        db: database.raw,
        secrets: async () => secretsOfConfig(deps.config()),
        userId: "u1",
        library: {
          createPayment: (totalFee) => {
            orders += 1;
            const data = { out_trade_no: `CONF${Date.now()}${orders}`, total_fee: totalFee, subject: "账户充值", type: "recharge", user_id: "u1" };
            return createPayment(
              { context: { PLATFORM: "h5", CLIENTIP: "10.0.0.1", SPACEINFO: { spaceId: "local" } }, provider: "testpay", data },
              deps,
            ) as Promise<Envelope>;
          },
          queryPayment: (outTradeNo) => queryPayment({ out_trade_no: outTradeNo }, deps) as Promise<Envelope>,
          closeOrder: (outTradeNo) => closeOrder({ out_trade_no: outTradeNo }, deps) as Promise<Envelope>,
          refund: (outTradeNo, refundFee) =>
            refund(
              { out_trade_no: outTradeNo, ...(refundFee === undefined ? {} : { refund_fee: refundFee }), refund_desc: "一致性测试退款" },
              deps,
            ) as Promise<Envelope>,
          queryRefund: (outTradeNo, outRefundNo) => queryRefund({ out_trade_no: outTradeNo, out_refund_no: outRefundNo }, deps) as Promise<Envelope>,
        },
        async open() {
          // The in-memory platform knows the order from its creation.
        },
        async pay(outTradeNo) {
          const payment = platform.payments.get(outTradeNo);
          if (!payment || payment.state !== "NOTPAY") throw new Error(`testpay cannot pay ${outTradeNo}: ${payment?.state ?? "unknown"}`);
          Object.assign(payment, { state: "SUCCESS", transactionId: `TX-${outTradeNo}` });
          await send(outTradeNo, sign(paymentEvent({ outTradeNo, totalFee: payment.totalFee }, payment.transactionId!) as unknown as Record<string, unknown>));
        },
        async drop(count) {
          drops = count;
        },
        async redeliver(outTradeNo) {
          const message = last.get(outTradeNo);
          if (!message) throw new Error(`testpay has sent nothing about ${outTradeNo}`);
          await send(outTradeNo, message);
        },
        async settleRefund(outTradeNo, outRefundNo) {
          const request = platform.calls.find((call) => call.method === "refund" && (call.request as { outRefundNo: string }).outRefundNo === outRefundNo)
            ?.request as { refundFee: number } | undefined;
          if (!request) throw new Error(`testpay received no refund ${outRefundNo}`);
          platform.refunds.set(outRefundNo, "SUCCESS");
          const event: NormalizedEvent = {
            kind: "refund",
            state: "SUCCESS",
            outTradeNo,
            outRefundNo,
            refundId: `RF-${outRefundNo}`,
            refundFee: request.refundFee,
            settledAt: Date.now(),
            raw: {},
          };
          await send(outTradeNo, sign(event as unknown as Record<string, unknown>));
        },
        async forge(order: OrderFacts, forgery: Forgery) {
          const event = paymentEvent(order, `TX-FORGED-${Date.now()}`) as unknown as Record<string, unknown>;
          if (forgery === "unknown-event") return sign({ kind: "ignored", eventType: "TESTPAY.FUTURE_EVENT", outTradeNo: order.outTradeNo });
          if (forgery === "other-merchant") event.mchId = "M2";
          if (forgery === "other-app") event.appId = "A2";
          if (forgery === "amount-short") event.totalFee = order.totalFee - 1;
          return sign(event, forgery === "bad-signature" ? "not-the-test-notify-key" : TESTPAY_KEY);
        },
        post,
        async stop() {
          await database.close();
        },
      };
    },
  };
}
