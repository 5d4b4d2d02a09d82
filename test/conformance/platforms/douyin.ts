import { generateKeyPairSync, randomBytes } from "node:crypto";
import { ecpayCallback, startDouyinSpace, tradeCallback } from "../../e2e/helpers/douyin";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * Douyin in 通用交易系统 (version 2) or 担保支付 (version 1), as `npm start` configures them: orders paid in
 * the sandbox over real HTTP, notifications forged here from Douyin's documents (the trade system's
 * Byte-Signature with the sandbox platform key, ecpay's msg_signature with its token). In the trade system
 * the client's `tt.requestOrder` is played by the sandbox's `request-order`, with the orderInfo the library
 * answered. Refunds settle by the sandbox's refund callback.
 *
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/payment/trade-system/general/order/notify-payment-result
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/ecpay/pay-list/callback
 */
export function douyinPlatform(options: { version: 1 | 2 }): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status === 200 && reply.body === '{"err_no":0,"err_tips":"success"}',
    noTimestamp: "Douyin signs its callback timestamp but documents no window for it, and delivers one callback again for more than a day",
    async start() {
      const s = await startDouyinSpace(options);
      const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
      const keys = s.keys;
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const amount = forgery === "amount-short" ? order.totalFee - 1 : order.totalFee;
        const appId = forgery === "other-app" ? "ttother0000000000099" : keys.appId;
        const merchant = forgery === "other-merchant" ? "72000000000000009999" : keys.mchId;
        const type = forgery === "unknown-event" ? "conformance_future_event" : "payment";
        if (options.version === 2) {
          const msg = {
            app_id: appId,
            out_order_no: order.outTradeNo,
            order_id: `ot7${randomBytes(6).toString("hex")}`,
            status: "SUCCESS",
            total_amount: amount,
            discount_amount: 0,
            pay_channel: 1,
            channel_pay_id: `4200${Date.now()}`,
            merchant_uid: merchant,
            event_time: Date.now(),
          };
          return tradeCallback(type, msg, forgery === "bad-signature" ? stranger : keys.platformPrivateKeyPem);
        }
        const msg = {
          appid: appId,
          cp_orderno: order.outTradeNo,
          cp_extra: "",
          way: "2",
          channel_no: "",
          payment_order_no: "",
          total_amount: amount,
          status: "SUCCESS",
          seller_uid: merchant,
          extra: "",
          item_id: "",
          paid_at: Math.floor(Date.now() / 1000),
          message: "",
          order_id: `N7${randomBytes(6).toString("hex")}`,
        };
        return ecpayCallback(type, msg, forgery === "bad-signature" ? "not-the-token" : keys.token);
      };
      const session = emulatorSession({
        provider: "douyin",
        sandbox: "douyin",
        db: s.db,
        dataDir: s.dataDir,
        client: (url, data) => s.client(url, data),
        asAdmin: s.asAdmin,
        control: (action, body) => s.control(action, body),
        idle: () => s.douyin.idle(),
        close: () => s.close(),
      });
      const library = {
        ...session.library,
        async createPayment(totalFee: number) {
          const reply = await session.library.createPayment(totalFee);
          // The mini program hands the trade system's orderInfo to tt.requestOrder, which creates Douyin's order.
          if (options.version === 2 && reply?.code === 0) {
            const opened = await s.control("request-order", reply.data.orderInfo);
            if (opened.ok !== true) throw new Error(`request-order refused: ${JSON.stringify(opened)}`);
          }
          return reply;
        },
      };
      return {
        ...session,
        library,
        forge,
        async settleRefund(_outTradeNo: string, outRefundNo: string) {
          const answer = await s.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" });
          if (answer.ok !== true) throw new Error(`refund-result refused: ${JSON.stringify(answer)}`);
        },
      };
    },
  };
}
