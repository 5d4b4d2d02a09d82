import { loadOrCreateWxpaySandboxKeys, wxpaySandboxConfig } from "../../../scripts/sandbox/pki";
import { startPayingSpace } from "../../helpers/paying-space";
import { BASE, readXml, SECAPI, v2PaymentFields, v2Sign, v2Xml, wxpayClients, writeUniPayConfig, type V2Fields } from "../../e2e/helpers/wxpay";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { wxpaySandboxSession } from "./wxpay-sandbox";

/**
 * WeChat Pay API v2: the Native QR mode configured with `version: 2` (refunds over mutual TLS on the
 * sandbox's HTTPS port), notifications forged here as signed XML from WeChat's documents, with the
 * merchant's API key unless the case is a forgery.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7&index=8
 */

const OTHER_MCHID = "1900009999";
const OTHER_APPID = "wx0000000000009999";

export function wxpayV2Platform(): FakePlatform {
  return {
    // v2 answers every notification with HTTP 200; only return_code SUCCESS stops WeChat delivering it again.
    isAcknowledged: (reply) => reply.status === 200 && readXml(reply.body).return_code === "SUCCESS",
    noTimestamp: "a v2 notification signs no message time (time_end is when the buyer paid), and WeChat documents no replay window for it",
    noEventType: "a v2 notification has no event type: a payment's result and a refund's (req_info) are the only two messages",
    async start() {
      const env = await startPayingSpace({
        prepareDataDir: async (dataDir) =>
          writeUniPayConfig(dataDir, {
            h5: wxpaySandboxConfig(await loadOrCreateWxpaySandboxKeys(dataDir), `${BASE}/__sandbox/wxpay`, {
              version: 2,
              secapiBaseUrl: `${SECAPI}/__sandbox/wxpay`,
            }),
          }),
      });
      const api = await wxpayClients(env);
      const keys = env.wxpay.keys;
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const overrides: V2Fields =
          forgery === "other-merchant"
            ? { mch_id: OTHER_MCHID }
            : forgery === "other-app"
              ? { appid: OTHER_APPID }
              : forgery === "amount-short"
                ? { total_fee: order.totalFee - 1, cash_fee: order.totalFee - 1 }
                : {};
        const fields = v2PaymentFields(keys, order.outTradeNo, order.totalFee, {
          transaction_id: `4200${Date.now()}${Math.floor(Math.random() * 1e6)}`,
          ...overrides,
        });
        const key = forgery === "bad-signature" ? "not-the-merchant-api-key-0123456789" : keys.key;
        return { headers: { "content-type": "text/xml; charset=utf-8" }, body: v2Xml({ ...fields, sign: v2Sign(fields, key) }) };
      };
      return { ...wxpaySandboxSession(env, api), forge };
    },
  };
}
