import { fenToYuan } from "../../../common/vk-uni-pay/src/core/money";
import { epayNotification, startVkspaySpace } from "../../e2e/helpers/vkspay";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * VksPay as `npm start` configures it, spoken as the 易支付 protocol: QR orders (`mapi.php`) in the sandbox
 * over real HTTP, notifications forged here as 易支付's MD5-signed fields, posted as a form. The protocol
 * has no app id: its only identity is the merchant's `pid`, so "another app" is forged as another `pid`
 * too. Refunds settle in the refund's own answer.
 */
export function vkspayPlatform(): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status === 200 && reply.body === "success",
    noTimestamp: "易支付's notification carries no signed time at all",
    async start() {
      const s = await startVkspaySpace();
      const keys = s.vkspay.keys;
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const money = fenToYuan(forgery === "amount-short" ? order.totalFee - 1 : order.totalFee);
        const overrides: Record<string, string> =
          forgery === "other-merchant" || forgery === "other-app" ? { pid: "9999" } : forgery === "unknown-event" ? { trade_status: "TRADE_FUTURE_EVENT" } : {};
        const params = epayNotification(keys.mchId, forgery === "bad-signature" ? `${keys.key}x` : keys.key, order.outTradeNo, money, overrides);
        return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params).toString() };
      };
      const idle = () => s.vkspay.idle();
      return {
        ...emulatorSession({
          provider: "vkspay",
          createExtra: { needQRcode: true, provider_pay_method: "alipay" },
          sandbox: "vkspay",
          db: s.db,
          dataDir: s.dataDir,
          client: (url, data) => s.client(url, data),
          asAdmin: s.asAdmin,
          control: (action, body) => s.control(action, body),
          idle,
          close: () => s.close(),
        }),
        forge,
        settleRefund: idle,
      };
    },
  };
}
