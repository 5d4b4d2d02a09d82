import { generateKeyPairSync } from "node:crypto";
import { startPayingSpace } from "../../helpers/paying-space";
import { v3Notification, wxpayClients, type Signer } from "../../e2e/helpers/wxpay";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { wxpaySandboxSession } from "./wxpay-sandbox";

/**
 * WeChat Pay API v3 as `npm start` configures it (WeChat Pay public-key mode): the sandbox over real HTTP,
 * notifications forged here with node:crypto from WeChat's documents, signed with the sandbox's public-key
 * private half unless the case is a forgery.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml
 */

const OTHER_MCHID = "1900009999";
const OTHER_APPID = "wx0000000000009999";
const TEN_MINUTES_S = 600;

export function wxpayV3Platform(): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status >= 200 && reply.status < 300 && JSON.parse(reply.body || "{}").code === "SUCCESS",
    async start() {
      const env = await startPayingSpace();
      const api = await wxpayClients(env);
      const keys = env.wxpay.keys;
      const platform: Signer = { privateKeyPem: keys.wxpayPublicKeyPrivatePem, serial: keys.wxpayPublicKeyId };
      const stranger: Signer = { privateKeyPem: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string, serial: keys.wxpayPublicKeyId };

      const transaction = (order: OrderFacts, overrides: Record<string, unknown>) => ({
        mchid: keys.mchId,
        appid: keys.appId,
        out_trade_no: order.outTradeNo,
        transaction_id: `4200${Date.now()}${Math.floor(Math.random() * 1e6)}`,
        trade_type: "NATIVE",
        trade_state: "SUCCESS",
        trade_state_desc: "支付成功",
        bank_type: "OTHERS",
        success_time: "2026-11-25T12:00:00+08:00",
        payer: { openid: "o-conformance" },
        amount: { total: order.totalFee, payer_total: order.totalFee, currency: "CNY", payer_currency: "CNY" },
        ...overrides,
      });
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const short = { amount: { total: order.totalFee - 1, payer_total: order.totalFee - 1, currency: "CNY", payer_currency: "CNY" } };
        const resource = transaction(order, forgery === "other-merchant" ? { mchid: OTHER_MCHID } : forgery === "other-app" ? { appid: OTHER_APPID } : forgery === "amount-short" ? short : {});
        return v3Notification({
          v3Key: keys.v3Key,
          signer: forgery === "bad-signature" ? stranger : platform,
          eventType: forgery === "unknown-event" ? "TRANSACTION.CONFORMANCE_FUTURE_EVENT" : "TRANSACTION.SUCCESS",
          originalType: "transaction",
          resource,
          timestamp: forgery === "stale-timestamp" ? Math.floor(Date.now() / 1000) - TEN_MINUTES_S : undefined,
        });
      };
      return { ...wxpaySandboxSession(env, api), forge };
    },
  };
}
