import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { generateSm2PrivateKeyHex, sm2PublicKeyHex, sm2PublicKeyOf } from "../../../common/vk-uni-pay/src/providers/huawei/protocol";
import { readTextFile, writeSecretFile } from "../pki/files";

/**
 * The Huawei sandbox's test identities, made once per data directory: a merchant (number, app id, the
 * certificate id PayMercAuth names) with an RSA-2048 key pair (the uni-app guide generates 3072 bits, which the
 * library takes too, as its unit tests show; 2048 keeps every test space's key generation quick), and
 * the platform's SM2 key, whose public half is what a merchant pastes as `platformPublicKey` (hex `04…`).
 * The merchant is also a service provider with one sub-merchant, `subMchId`, for the `/partner/` APIs.
 */
export interface HuaweiSandboxKeys {
  mchId: string;
  appId: string;
  authId: string;
  /** The one sub-merchant (特约商户) the merchant may collect for as a service provider. */
  subMchId: string;
  merchantPrivateKeyPem: string;
  merchantPublicKeyPem: string;
  platformPrivateKeyHex: string;
  platformPublicKeyHex: string;
}

export const HUAWEI_SANDBOX_MCHID = "101723200001";
export const HUAWEI_SANDBOX_APPID = "5765880207854262001";
export const HUAWEI_SANDBOX_AUTH_ID = "120291744647139001";
export const HUAWEI_SANDBOX_SUB_MCHID = "101723200002";

export function loadOrCreateHuaweiSandboxKeys(dataDir: string): HuaweiSandboxKeys {
  const file = join(dataDir, "sandbox", "huawei", "keys.json");
  const saved = readTextFile(file);
  // Key files written before the sub-merchant existed get it here.
  if (saved) return { subMchId: HUAWEI_SANDBOX_SUB_MCHID, ...(JSON.parse(saved) as Omit<HuaweiSandboxKeys, "subMchId">) };
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const platformPrivateKeyHex = generateSm2PrivateKeyHex();
  const keys: HuaweiSandboxKeys = {
    mchId: HUAWEI_SANDBOX_MCHID,
    appId: HUAWEI_SANDBOX_APPID,
    authId: HUAWEI_SANDBOX_AUTH_ID,
    subMchId: HUAWEI_SANDBOX_SUB_MCHID,
    merchantPrivateKeyPem: merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    merchantPublicKeyPem: merchant.publicKey.export({ type: "spki", format: "pem" }) as string,
    platformPrivateKeyHex,
    platformPublicKeyHex: sm2PublicKeyHex(sm2PublicKeyOf(platformPrivateKeyHex)).toUpperCase(),
  };
  writeSecretFile(file, JSON.stringify(keys));
  return keys;
}
