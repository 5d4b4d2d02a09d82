import { generateKeyPairSync } from "node:crypto";
import { startPayingSpace } from "../../helpers/paying-space";
import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig } from "../../../scripts/sandbox/pki";
import { BASE, v3Notification, wxpayClients, writeUniPayConfig, type Signer } from "../../e2e/helpers/wxpay";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { wxpaySandboxSession } from "./wxpay-sandbox";

/**
 * WeChat Pay API v3 in either of its verification modes: "public-key" (WeChat Pay public key, as `npm start`
 * configures it) or "platform-certificate" (no public key configured: the platform certificate is fetched
 * by serial). The sandbox signs in that mode over real HTTP; notifications forged here with node:crypto
 * from WeChat's documents are signed with the same key unless the case is a forgery.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml
 */

const OTHER_MCHID = "1900009999";
const OTHER_APPID = "wx0000000000009999";
const TEN_MINUTES_S = 600;

export function wxpayV3Platform(mode: "public-key" | "platform-certificate"): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status >= 200 && reply.status < 300 && JSON.parse(reply.body || "{}").code === "SUCCESS",
    async start() {
      const publicKey = mode === "public-key";
      const env = await startPayingSpace({
        prepareDataDir: async (dataDir) => {
          const merchant: Record<string, unknown> = wxpaySandboxConfig(await loadOrCreateWxpaySandboxKeys(dataDir), `${BASE}/__sandbox/wxpay`);
          if (!publicKey) {
            delete merchant.wxpayPublicKeyPath;
            delete merchant.wxpayPublicKeyId;
          }
          writeUniPayConfig(dataDir, { h5: merchant });
        },
      });
      const api = await wxpayClients(env);
      const keys = env.wxpay.keys;
      expect(await env.control("wxpay", "sign-mode", { sign_mode: publicKey ? "public_key" : "certificate" })).toMatchObject({ ok: true });
      const platform: Signer = publicKey
        ? { privateKeyPem: keys.wxpayPublicKeyPrivatePem, serial: keys.wxpayPublicKeyId }
        : { privateKeyPem: keys.platformPrivateKeyPem, serial: keys.platformSerial };
      // A key that is not WeChat's, under the serial WeChat's key has: only the signature is wrong.
      const stranger: Signer = {
        privateKeyPem: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string,
        serial: platform.serial,
      };

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
        const resource = transaction(
          order,
          forgery === "other-merchant" ? { mchid: OTHER_MCHID } : forgery === "other-app" ? { appid: OTHER_APPID } : forgery === "amount-short" ? short : {},
        );
        return v3Notification({
          v3Key: keys.v3Key,
          signer: forgery === "bad-signature" ? stranger : platform,
          eventType: forgery === "unknown-event" ? "TRANSACTION.CONFORMANCE_FUTURE_EVENT" : "TRANSACTION.SUCCESS",
          originalType: "transaction",
          resource,
          timestamp: forgery === "stale-timestamp" ? Math.floor(Date.now() / 1000) - TEN_MINUTES_S : undefined,
        });
      };
      const session = wxpaySandboxSession(env, api);
      return {
        ...session,
        forge,
        async stop() {
          // Certificate mode shows itself: the library had to fetch the platform certificate to verify anything.
          const downloads = env.wxpay.platform.downloads(keys.mchId);
          await session.stop();
          expect({ mode, downloaded: downloads > 0 }).toEqual({ mode, downloaded: !publicKey });
        },
      };
    },
  };
}
