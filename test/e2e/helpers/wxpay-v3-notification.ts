import { randomUUID } from "node:crypto";
import { loadPrivateKey } from "../../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/keys";
import { encryptResource } from "../../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/resource";
import { signResponse } from "../../../common/vk-uni-pay/src/providers/wxpay/v3/protocol/verify";
import type { WxpaySandboxKeys } from "../../../scripts/sandbox/pki";

/** The TRANSACTION.SUCCESS notification WeChat would send, signed and encrypted with the sandbox platform's keys. */
export function wxpayPaymentNotification(keys: WxpaySandboxKeys, outTradeNo: string, total: number): { headers: Record<string, string>; body: string } {
  const transaction = {
    mchid: keys.mchId,
    appid: keys.appId,
    out_trade_no: outTradeNo,
    transaction_id: `42000${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    success_time: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
    amount: { total, payer_total: total, currency: "CNY", payer_currency: "CNY" },
  };
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: encryptResource({ plaintext: JSON.stringify(transaction), apiV3Key: keys.v3Key, associatedData: "transaction" }),
  });
  const headers = {
    "content-type": "application/json",
    ...signResponse({ body, privateKey: loadPrivateKey(keys.platformPrivateKeyPem), serial: keys.platformSerial }),
  };
  return { headers, body };
}
