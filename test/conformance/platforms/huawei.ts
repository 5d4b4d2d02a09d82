import { generateSm2PrivateKeyHex } from "../../../common/vk-uni-pay/src/providers/huawei/protocol";
import { isHuaweiAck } from "../../../scripts/sandbox/huawei";
import { paymentCallback, signCallback, startHuaweiSpace } from "../../e2e/helpers/huawei";
import type { FakePlatform, Forgery, OrderFacts } from "../fake-platform";
import { emulatorSession } from "./emulator";

/**
 * Huawei Payment Kit as `npm start` configures it: atomic-service (`mp-harmony`) orders in the sandbox
 * over real HTTP, callbacks forged here from Huawei's field list and signed SM2 with the platform key
 * (another SM2 key for the bad signature). Refunds settle by Huawei's refund callback.
 */
export function huaweiPlatform(): FakePlatform {
  return {
    isAcknowledged: (reply) => reply.status === 200 && isHuaweiAck(reply) && JSON.parse(reply.body).resultDesc === "Success.",
    noTimestamp: "Huawei signs callbackTime but documents no window for it, and redelivers one callback (the same callbackId) for hours",
    noEventType: "Huawei's callbacks carry no event type: a payment callback is told by orderStatus, a refund callback by refundOrderStatus",
    async start() {
      const s = await startHuaweiSpace();
      const keys = s.huawei.keys;
      const stranger = generateSm2PrivateKeyHex();
      const forge = async (order: OrderFacts, forgery: Forgery) => {
        const overrides: Record<string, unknown> =
          forgery === "amount-short"
            ? { totalAmount: order.totalFee - 1, payerAmount: order.totalFee - 1 }
            : forgery === "other-merchant"
              ? { mercNo: "101723209999" }
              : forgery === "other-app"
                ? { appId: "5765880207854269999" }
                : {};
        const fields = paymentCallback({ mchId: keys.mchId, appId: keys.appId }, order.outTradeNo, order.totalFee, overrides);
        return {
          headers: { "content-type": "application/json;charset=UTF-8" },
          body: signCallback(fields, forgery === "bad-signature" ? stranger : keys.platformPrivateKeyHex),
        };
      };
      const session = emulatorSession({
        provider: "huawei",
        createExtra: { biz_type: "recharge" },
        sandbox: "huawei",
        db: s.db,
        dataDir: s.dataDir,
        client: (url, data) => s.client(url, data, "mp-harmony"),
        asAdmin: s.asAdmin,
        control: (action, body) => s.control(action, body),
        idle: () => s.huawei.idle(),
        close: () => s.close(),
      });
      return {
        ...session,
        forge,
        async settleRefund(_outTradeNo: string, outRefundNo: string) {
          const answer = await s.control("refund-result", { out_refund_no: outRefundNo });
          if (answer.ok !== true) throw new Error(`huawei sandbox refused refund-result: ${JSON.stringify(answer)}`);
        },
      };
    },
  };
}
