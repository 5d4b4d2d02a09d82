import { generateKeyPairSync } from "node:crypto";
import { dirname, join } from "node:path";
import { signAlipayNotify, signAlipayRequest, verifyAlipayNotify } from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { sideBySide, type Pair } from "./side-by-side";
import type { BenchRow } from "./table";

/**
 * SPEC §11: the same request signing and notification verification as alipay-sdk (the official Node SDK),
 * side by side on the same keys and parameters; ours should run at least 0.9x as fast (theirs / ours).
 * Both sides take PEM keys as a merchant's config holds them, so any per-call key parsing counts.
 */
export function benchAlipaySpeed(): BenchRow[] {
  const sdkMain = require.resolve("alipay-sdk");
  const { sign: sdkSign } = require(join(dirname(sdkMain), "util.js")) as {
    sign(method: string, params: Record<string, unknown>, config: Record<string, unknown>): Record<string, string>;
  };
  const { AlipaySdk } = require("alipay-sdk") as {
    AlipaySdk: new (config: Record<string, unknown>) => { checkNotifySignV2(post: Record<string, string>): boolean };
  };
  const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appPrivatePem = app.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const alipayPrivatePem = alipay.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const alipayPublicPem = alipay.publicKey.export({ type: "spki", format: "pem" }) as string;
  const sdk = new AlipaySdk({ appId: "2021000000000000", privateKey: appPrivatePem, alipayPublicKey: alipayPublicPem });

  const bizContent = { out_trade_no: "vk-20261125-001", total_amount: "88.00", subject: "账户充值88元", product_code: "FACE_TO_FACE_PAYMENT" };
  const config = { appId: "2021000000000000", charset: "utf-8", version: "1.0", signType: "RSA2", privateKey: appPrivatePem, keyType: "PKCS1" };
  // The exact parameters alipay-sdk signs (its timestamp included), so both sides sign the same string.
  const { sign: _unused, ...requestParams } = sdkSign(
    "alipay.trade.precreate",
    { bizContent, notifyUrl: "https://example.com/vk-pay-notify/alipay_h5/T1" },
    config,
  );
  const notification = signAlipayNotify(
    {
      notify_time: "2026-11-25 12:00:00",
      notify_type: "trade_status_sync",
      notify_id: "ac05099524730693a8b330c5ecf72da9786",
      app_id: "2021000000000000",
      trade_no: "2026112522001400000000000001",
      out_trade_no: "vk-20261125-001",
      trade_status: "TRADE_SUCCESS",
      total_amount: "88.00",
      seller_id: "2088000000000001",
      buyer_id: "2088000000000002",
      gmt_payment: "2026-11-25 12:00:00",
    },
    alipayPrivatePem,
  );

  const pairs: Pair[] = [
    [
      "sign request (RSA2)",
      () => signAlipayRequest(requestParams, appPrivatePem),
      () => sdkSign("alipay.trade.precreate", { bizContent, notifyUrl: "https://example.com/vk-pay-notify/alipay_h5/T1" }, config),
    ],
    ["verify notification (RSA2)", () => verifyAlipayNotify(notification.body, alipayPublicPem), () => sdk.checkNotifySignV2({ ...notification.params })],
  ];
  return sideBySide("alipay-sdk", pairs);
}
