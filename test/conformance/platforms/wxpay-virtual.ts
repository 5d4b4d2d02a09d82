import { randomBytes } from "node:crypto";
import { isAcknowledged } from "../../../scripts/sandbox/wxpay-virtual/pusher";
import { encryptPush, pushSignature } from "../../../scripts/sandbox/wxpay-virtual/sign";
import { startXpaySpace, XPAY_BUYER } from "../../e2e/helpers/wxpay-virtual";
import type { Envelope, FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * WeChat virtual payment as `npm start` configures it: coin top-ups (`short_series_coin`, one coin a fen at
 * the sandbox's rate) bought by the logged-in buyer through the xpay sandbox's `wx.requestVirtualPayment`,
 * paid by its safe-mode message pushes over real HTTP. Forged pushes are built here from WeChat's message
 * push page: the coin message, AES-encrypted for the app id, with msg_signature over token, timestamp,
 * nonce and ciphertext. Refunds settle by xpay_refund_notify.
 */
export function wxpayVirtualPlatform(): FakePlatform {
  return {
    isAcknowledged: (reply) => isAcknowledged(reply.status, reply.body),
    noTimestamp: "WeChat's message push signs its timestamp but documents no window for it; a safe-mode push is bound by its ciphertext and by the order",
    noMerchantField: "an xpay push names no merchant: the mini program is the merchant, and the app id inside the ciphertext is the 'another app id' case",
    async start() {
      const s = await startXpaySpace();
      const keys = s.xpay.keys;
      // What wx.requestVirtualPayment needs for each order, from createPayment's answer.
      const orderInfos = new Map<string, Record<string, unknown>>();
      const requestPayment = async (outTradeNo: string) => {
        const orderInfo = orderInfos.get(outTradeNo);
        if (!orderInfo) throw new Error(`no orderInfo kept for ${outTradeNo}`);
        const answer = await s.control("request-payment", { openid: XPAY_BUYER, ...orderInfo });
        if (answer.ok !== true) throw new Error(`xpay sandbox refused request-payment: ${JSON.stringify(answer)}`);
      };
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const quantity = forgery === "amount-short" ? order.totalFee - 1 : order.totalFee;
        const now = Math.floor(Date.now() / 1000);
        const message = {
          ToUserName: "gh_xpaysandbox",
          FromUserName: XPAY_BUYER,
          CreateTime: now,
          MsgType: "event",
          Event: forgery === "unknown-event" ? "xpay_future_notify" : "xpay_coin_pay_notify",
          OpenId: XPAY_BUYER,
          OutTradeNo: order.outTradeNo,
          Env: 0,
          WeChatPayInfo: { MchOrderNo: `mch${order.outTradeNo}`, TransactionId: `4200forged${order.outTradeNo}`, PaidTime: now },
          CoinInfo: { Quantity: quantity, OrigPrice: quantity, ActualPrice: quantity, Attach: "" },
          TeamInfo: {},
        };
        const encrypt = encryptPush(keys.encodingAESKey, forgery === "other-app" ? "wx0000000000000000" : keys.appId, JSON.stringify(message));
        const timestamp = String(now);
        const nonce = String(randomBytes(4).readUInt32BE(0));
        const token = forgery === "bad-signature" ? `${keys.token}x` : keys.token;
        return {
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ToUserName: message.ToUserName, Encrypt: encrypt }),
          query: {
            signature: pushSignature(token, timestamp, nonce),
            timestamp,
            nonce,
            openid: XPAY_BUYER,
            encrypt_type: "aes",
            msg_signature: pushSignature(token, timestamp, nonce, encrypt),
          },
        };
      };
      const session = emulatorSession({
        provider: "wxpay-virtual",
        sandbox: "wxpay-virtual",
        db: s.db,
        dataDir: s.dataDir,
        client: s.client,
        asAdmin: s.asAdmin,
        control: (action, body) => s.control(action, body),
        idle: () => s.xpay.idle(),
        close: () => s.close(),
      });
      const pay = session.pay;
      return {
        ...session,
        library: {
          ...session.library,
          async createPayment(totalFee: number): Promise<Envelope> {
            const reply = await s.client("pay/createPayment", {
              provider: "wxpay-virtual",
              type: "recharge",
              total_fee: totalFee,
              openid: XPAY_BUYER,
              wxpay_virtual: { mode: "short_series_coin", buy_quantity: totalFee },
            });
            if (reply?.code === 0) orderInfos.set(reply.data.out_trade_no, reply.data.orderInfo);
            return reply;
          },
        },
        // The buyer's client opens the cashier (the order exists at xpay from then on), then pays or not.
        open: requestPayment,
        async pay(outTradeNo: string) {
          await requestPayment(outTradeNo);
          await pay(outTradeNo);
        },
        forge,
        async settleRefund(_outTradeNo: string, outRefundNo: string) {
          const answer = await s.control("refund-result", { out_refund_no: outRefundNo, status: "SUCCESS" });
          if (answer.ok !== true) throw new Error(`xpay sandbox refused refund-result: ${JSON.stringify(answer)}`);
        },
      };
    },
  };
}
