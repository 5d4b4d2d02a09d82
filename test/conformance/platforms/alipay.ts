import { generateKeyPairSync } from "node:crypto";
import { fenToYuan } from "../../../common/vk-uni-pay/src/core/money";
import { alipayForm, alipayTradeNotification, startAlipaySpace } from "../../e2e/helpers/alipay";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * Alipay in key mode or certificate mode, as `npm start` configures it (`ALIPAY_SANDBOX_MODE=cert` for
 * the latter): 当面付 QR orders in the sandbox over real HTTP, notifications forged here as Alipay's signed
 * form from its documents, with Alipay's private key (the Alipay certificate's in certificate mode) unless
 * the case is a forgery. Refunds are synchronous: settled in the refund's answer, confirmed by a query.
 *
 * @see https://opendocs.alipay.com/open/270/105902
 */

const OTHER_APP_ID = "9021000000000099";
const OTHER_SELLER_ID = "2088000000009999";

export function alipayPlatform(options: { cert: boolean }): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status === 200 && reply.body === "success",
    noTimestamp: "Alipay signs notify_time but documents no window for it, and redelivers one notification for about 25 hours",
    async start() {
      const s = await startAlipaySpace({ cert: options.cert });
      const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const amount = fenToYuan(forgery === "amount-short" ? order.totalFee - 1 : order.totalFee);
        const overrides: Record<string, string> =
          forgery === "other-app"
            ? { app_id: OTHER_APP_ID, auth_app_id: OTHER_APP_ID }
            : forgery === "other-merchant"
              ? { seller_id: OTHER_SELLER_ID }
              : forgery === "unknown-event"
                ? { notify_type: "conformance_future_notify" }
                : {};
        const params = alipayTradeNotification({ appId: s.app.appId, sellerId: s.alipay.keys.sellerId }, order.outTradeNo, amount, overrides);
        return {
          headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
          body: alipayForm(params, forgery === "bad-signature" ? stranger : s.alipayPrivateKeyPem),
        };
      };
      const idle = () => s.alipay.idle();
      return {
        ...emulatorSession({
          provider: "alipay",
          sandbox: "alipay",
          scan: "scan",
          db: s.db,
          dataDir: s.dataDir,
          client: (url, data) => s.client(url, data),
          asAdmin: s.asAdmin,
          control: (action, body) => s.control(action, body),
          idle,
          close: () => s.close(),
        }),
        forge,
        // The refund's answer settled it; the trade notification Alipay sends about it is let through first.
        settleRefund: idle,
      };
    },
  };
}
