import { create } from "../../../common/vk-uni-pay/src/api/create-payment";
import { closeOrder } from "../../../common/vk-uni-pay/src/api/close-order";
import { queryPayment } from "../../../common/vk-uni-pay/src/api/query-payment";
import { queryRefund } from "../../../common/vk-uni-pay/src/api/query-refund";
import { refund } from "../../../common/vk-uni-pay/src/api/refund";
import { proveClientPayment } from "../../../common/vk-uni-pay/src/api/verify-client-proof";
import { respond } from "../../../common/vk-uni-pay/src/core/result";
import { processNotification } from "../../../common/vk-uni-pay/src/notify/pipeline";
import { appleiap } from "../../../common/vk-uni-pay/src/providers/appleiap";
import { createAppleTestChain, signAppleJws } from "../../../scripts/sandbox/appleiap/chain";
import { appleSandboxConfig } from "../../../scripts/sandbox/appleiap/config";
import { createAppleSandbox, type AppleSandbox } from "../../../scripts/sandbox/appleiap";
import { APPLE_SANDBOX_APP_APPLE_ID, APPLE_SANDBOX_BUNDLE_ID } from "../../../scripts/sandbox/appleiap/keys";
import { makeDeps } from "../../helpers/deps";
import { mountSandbox } from "../../sandbox/helpers/mounted";
import recharge = require("../../../router/service/pay-notify/recharge");
import { secretsOfConfig } from "../secrets";
import type { Envelope, FakePlatform, Forgery, NotifyMessage, OrderFacts, PlatformSession } from "../fake-platform";

/**
 * Apple in-app purchase against the Apple sandbox over real HTTP (verifyReceipt, the Server API), with
 * the library's calls made in process on the emulator's embedded database and the recharge hook. Apple
 * announces no payment (the app proves it with pay/appleiap/verifyReceipt) and offers the merchant no
 * refund or close, so the suite's payment-notification and refund journeys do not apply; what applies is
 * run: a verified notification of an event the library does not act on is acknowledged and changes nothing.
 *
 * @see https://developer.apple.com/documentation/appstoreservernotifications
 */

export function appleiapPlatform(): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status >= 200 && reply.status <= 206,
    noTimestamp: "a notification's signedDate only dates its certificates; Apple redelivers for up to 72 hours",
    noPaymentNotification: "Apple notifies no payment: the app proves it with a signed transaction (pay/appleiap/verifyReceipt)",
    noMerchantRefund: "Apple has no merchant-initiated refund: the buyer asks Apple, which sends REFUND",
    async start(): Promise<PlatformSession> {
      const mounted = await mountSandbox<AppleSandbox>("appleiap", undefined, (dataDir) => createAppleSandbox({ dataDir }));
      const products: Record<string, { total_fee: number; subject: string }> = {};
      const deps = makeDeps({
        providers: [appleiap],
        now: () => Date.now(),
        // Logged as production logs, so the suite sees every line (none may carry a secret).
        log: (line) => console.log(line),
        config: () => ({
          notifyUrl: { local: "http://127.0.0.1:8787/http/vk-pay" },
          appleiap: { "app-plus": { ...appleSandboxConfig(mounted.sandbox.keys, mounted.base), products } },
        }),
        request: async (url, options) => {
          const response = await fetch(url, {
            method: String(options.method ?? "GET"),
            headers: options.headers as Record<string, string>,
            body: options.content as string | undefined,
          });
          return { status: response.status, headers: {}, data: Buffer.from(await response.arrayBuffer()) };
        },
        hooks: (type) => (type === "recharge" ? recharge : undefined),
      });
      await deps.db.collection("uni-id-users").add({ _id: "u1", role: [], status: 0, balance: 0 });
      const stranger = await createAppleTestChain();
      let orders = 0;
      const last = new Map<string, NotifyMessage>();
      const orderOf = async (outTradeNo: string) =>
        (await deps.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;

      const post = async (_outTradeNo: string, message: NotifyMessage) => {
        const reply = await processNotification(
          { path: "/vk-pay-notify/appleiap_app-plus", httpMethod: "POST", headers: message.headers, body: message.body },
          "/vk-pay-notify/",
          deps,
        );
        return { status: reply.statusCode, body: reply.body };
      };
      const forge = async (order: OrderFacts, forgery: Forgery): Promise<NotifyMessage> => {
        if (forgery !== "unknown-event" && forgery !== "bad-signature" && forgery !== "genuine")
          throw new Error(`Apple has no payment notification to forge as ${forgery}`);
        const payload = {
          notificationType: forgery === "unknown-event" ? "CONFORMANCE_FUTURE_TYPE" : "TEST",
          notificationUUID: `conformance-${order.outTradeNo}`,
          version: "2.0",
          signedDate: Date.now(),
          data: { appAppleId: APPLE_SANDBOX_APP_APPLE_ID, bundleId: APPLE_SANDBOX_BUNDLE_ID, environment: "Sandbox" },
        };
        const signedPayload = signAppleJws(forgery === "bad-signature" ? stranger : mounted.sandbox.keys.chain, payload);
        return { headers: { "content-type": "application/json" }, body: JSON.stringify({ signedPayload }) };
      };

      return {
        db: deps.db as unknown as PlatformSession["db"],
        secrets: async () => secretsOfConfig(deps.config()),
        userId: "u1",
        library: {
          createPayment: (totalFee) => {
            orders += 1;
            products[`conformance_${totalFee}`] = { total_fee: totalFee, subject: "账户充值" };
            const data = {
              out_trade_no: `CONFA${Date.now()}${orders}`,
              total_fee: totalFee,
              type: "recharge",
              user_id: "u1",
              item: { product_id: `conformance_${totalFee}` },
            };
            return respond(
              "createPayment",
              () => create({ context: { PLATFORM: "app-plus", SPACEINFO: { spaceId: "local" } }, provider: "appleiap", data: data as never }, deps),
              deps.log,
            ) as Promise<Envelope>;
          },
          queryPayment: (outTradeNo) => queryPayment({ out_trade_no: outTradeNo }, deps) as Promise<Envelope>,
          closeOrder: (outTradeNo) => closeOrder({ out_trade_no: outTradeNo }, deps) as Promise<Envelope>,
          refund: (outTradeNo, refundFee) =>
            refund({ out_trade_no: outTradeNo, ...(refundFee === undefined ? {} : { refund_fee: refundFee }) }, deps) as Promise<Envelope>,
          queryRefund: (outTradeNo, outRefundNo) => queryRefund({ out_trade_no: outTradeNo, out_refund_no: outRefundNo }, deps) as Promise<Envelope>,
        },
        async open() {
          // StoreKit's payment sheet is on the device: the App Store knows nothing before the purchase.
        },
        async pay(outTradeNo) {
          const order = await orderOf(outTradeNo);
          const fields = order.provider_fields as { product_id: string; app_account_token: string; quantity: number };
          const bought = await mounted.control("pay", {
            productId: fields.product_id,
            appAccountToken: fields.app_account_token,
            quantity: fields.quantity,
            price: order.total_fee * 10,
          });
          await proveClientPayment(
            "appleiap.verifyReceipt",
            { out_trade_no: outTradeNo, user_id: "u1", signed_transaction: bought.json.signed_transaction },
            deps,
          );
        },
        async drop() {
          throw new Error("the Apple sandbox sends notifications only when the control API asks");
        },
        async redeliver(outTradeNo) {
          const message = last.get(outTradeNo);
          if (message) await post(outTradeNo, message);
        },
        async settleRefund() {
          // Apple settles refunds by its REFUND notification (test/appleiap/notifications.test.ts, test/e2e/appleiap.test.ts).
        },
        forge,
        post,
        stop: async () => {
          await mounted.close();
          await deps.close();
        },
      };
    },
  };
}
