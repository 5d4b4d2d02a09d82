import { generateKeyPairSync, randomBytes } from "node:crypto";
import { decryptResource, encryptResource, signSha256WithRsa, verifySha256WithRsa } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";
import { sideBySide, type Pair } from "./side-by-side";
import type { BenchRow } from "./table";

/**
 * SPEC §11: the same signing, verification and decryption work as wechatpay-axios-plugin, side by side
 * on the same keys and messages; ours should run at least 0.9x as fast (a ratio of theirs / ours).
 */
export function benchWechatSpeed(): BenchRow[] {
  const { Rsa, Aes } = require("wechatpay-axios-plugin") as { Rsa: any; Aes: any };
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const message = `POST\n/v3/pay/transactions/native\n1700000000\n${randomBytes(16).toString("hex")}\n${JSON.stringify({ amount: { total: 100 }, description: "bench" })}\n`;
  const signature = signSha256WithRsa(message, privateKey);
  const apiV3Key = randomBytes(16).toString("hex");
  const resource = encryptResource({ plaintext: JSON.stringify({ out_trade_no: "T1", amount: { total: 100 } }), apiV3Key, associatedData: "transaction" });

  const pairs: Pair[] = [
    ["sign (SHA256withRSA)", () => signSha256WithRsa(message, privateKey), () => Rsa.sign(message, privateKey)],
    ["verify (SHA256withRSA)", () => verifySha256WithRsa(message, signature, publicKey), () => Rsa.verify(message, signature, publicKey)],
    [
      "decrypt resource (AES-256-GCM)",
      () => decryptResource(resource, apiV3Key),
      () => Aes.AesGcm.decrypt(resource.ciphertext, apiV3Key, resource.nonce, resource.associated_data),
    ],
  ];
  return sideBySide("wechatpay-axios-plugin", pairs);
}
