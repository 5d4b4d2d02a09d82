import { generateKeyPairSync, randomBytes } from "node:crypto";
import { decryptResource, encryptResource, signSha256WithRsa, verifySha256WithRsa } from "../../common/vk-uni-pay/src/providers/wxpay/v3";
import { median, type BenchRow } from "./table";

const OPERATIONS = 400;
const ROUNDS = 5;

function cpuOf(work: () => void): number {
  const started = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * SPEC §11: the same signing, verification and decryption work as wechatpay-axios-plugin, side by side
 * on the same keys and messages; ours should run at least 0.9x as fast (a ratio of theirs / ours).
 */
export function benchWechatSpeed(): BenchRow[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Rsa, Aes } = require("wechatpay-axios-plugin") as { Rsa: any; Aes: any };
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const message = `POST\n/v3/pay/transactions/native\n1700000000\n${randomBytes(16).toString("hex")}\n${JSON.stringify({ amount: { total: 100 }, description: "bench" })}\n`;
  const signature = signSha256WithRsa(message, privateKey);
  const apiV3Key = randomBytes(16).toString("hex");
  const resource = encryptResource({ plaintext: JSON.stringify({ out_trade_no: "T1", amount: { total: 100 } }), apiV3Key, associatedData: "transaction" });

  const pairs: Array<[string, () => void, () => void]> = [
    ["sign (SHA256withRSA)", () => signSha256WithRsa(message, privateKey), () => Rsa.sign(message, privateKey)],
    ["verify (SHA256withRSA)", () => verifySha256WithRsa(message, signature, publicKey), () => Rsa.verify(message, signature, publicKey)],
    ["decrypt resource (AES-256-GCM)", () => decryptResource(resource, apiV3Key), () => Aes.AesGcm.decrypt(resource.ciphertext, apiV3Key, resource.nonce, resource.associated_data)],
  ];
  return pairs.map(([name, ours, theirs]) => {
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) ratios.push(cpuOf(theirs) / cpuOf(ours));
    const ratio = median(ratios);
    return { name: `${name}: speed vs wechatpay-axios-plugin (x)`, value: ratio, target: "≥ 0.9", ok: ratio >= 0.9 };
  });
}
