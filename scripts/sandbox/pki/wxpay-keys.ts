import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { join } from "node:path";
import { randomAlphanumeric, randomSerial, readTextFile, writeSecretFile } from "./files";
import { generateRsaKeyPair, issueCertificate, loadOrCreateTestCa } from "./test-ca";

export const WXPAY_SANDBOX_MCHID = "1900000001";
export const WXPAY_SANDBOX_APPID = "wx0000000000000001";

/** Everything the sandbox and the generated uni-pay config need about the one sandbox merchant. */
export interface WxpaySandboxKeys {
  mchId: string;
  appId: string;
  /** The app secret `jscode2session` and `oauth2/access_token` check. */
  appSecret: string;
  /** APIv3 key (32 characters): AES-256-GCM of notifications and `/v3/certificates`. */
  v3Key: string;
  /** API v2 key (32 characters). */
  key: string;
  /** The merchant API certificate (`apiclient_cert.pem`) and its key (`apiclient_key.pem`). */
  appCertPath: string;
  appPrivateKeyPath: string;
  merchantCertPem: string;
  merchantPrivateKeyPem: string;
  merchantSerial: string;
  /** The WeChat Pay platform certificate (certificate mode). */
  platformCertPath: string;
  platformCertPem: string;
  platformPrivateKeyPem: string;
  platformSerial: string;
  /** The WeChat Pay public key (public-key mode) and its id `PUB_KEY_ID_...`. */
  wxpayPublicKeyPath: string;
  wxpayPublicKeyPem: string;
  wxpayPublicKeyId: string;
  wxpayPublicKeyPrivatePem: string;
  /** The sandbox test root that issued both certificates. */
  caCertPath: string;
}

interface Manifest {
  mchId: string;
  appId: string;
  appSecret: string;
  v3Key: string;
  key: string;
  merchantSerial: string;
  platformSerial: string;
  wxpayPublicKeyId: string;
}

const DAY = 24 * 3600 * 1000;

function paths(dir: string) {
  return {
    manifest: join(dir, "keys.json"),
    merchantKey: join(dir, "merchant", "apiclient_key.pem"),
    merchantCert: join(dir, "merchant", "apiclient_cert.pem"),
    platformKey: join(dir, "platform", "wechatpay_key.pem"),
    platformCert: join(dir, "platform", "wechatpay_cert.pem"),
    publicKey: join(dir, "public-key", "pub_key.pem"),
    publicKeyPrivate: join(dir, "public-key", "pub_key_private.pem"),
  };
}

/** A public key id shaped like WeChat's: `PUB_KEY_ID_` then 32 digits. */
function newPublicKeyId(): string {
  const digits = BigInt(`0x${randomBytes(16).toString("hex")}`).toString().padStart(32, "0").slice(-32);
  return `PUB_KEY_ID_01${digits.slice(2)}`;
}

const loading = new Map<string, Promise<WxpaySandboxKeys>>();

/**
 * The WeChat sandbox merchant and platform keys under `<dataDir>/sandbox/wxpay/`: generated on first use
 * (files mode 0600), read back on every later run so configured paths and serials stay valid.
 */
export function loadOrCreateWxpaySandboxKeys(dataDir: string): Promise<WxpaySandboxKeys> {
  const dir = join(dataDir, "sandbox", "wxpay");
  const pending = loading.get(dir) ?? createOrRead(dataDir, dir);
  loading.set(dir, pending);
  pending.catch(() => loading.delete(dir));
  return pending;
}

function readAll(dir: string, caCertPath: string): WxpaySandboxKeys | undefined {
  const file = paths(dir);
  const manifestText = readTextFile(file.manifest);
  if (!manifestText) return undefined;
  const manifest = JSON.parse(manifestText) as Manifest;
  const pems = [file.merchantKey, file.merchantCert, file.platformKey, file.platformCert, file.publicKey, file.publicKeyPrivate].map(readTextFile);
  if (pems.some((pem) => pem === undefined)) return undefined;
  const [merchantPrivateKeyPem, merchantCertPem, platformPrivateKeyPem, platformCertPem, wxpayPublicKeyPem, wxpayPublicKeyPrivatePem] = pems as string[];
  return {
    ...manifest,
    appCertPath: file.merchantCert,
    appPrivateKeyPath: file.merchantKey,
    merchantCertPem,
    merchantPrivateKeyPem,
    platformCertPath: file.platformCert,
    platformCertPem,
    platformPrivateKeyPem,
    wxpayPublicKeyPath: file.publicKey,
    wxpayPublicKeyPem,
    wxpayPublicKeyPrivatePem,
    caCertPath,
  };
}

async function createOrRead(dataDir: string, dir: string): Promise<WxpaySandboxKeys> {
  const ca = await loadOrCreateTestCa(dataDir);
  const existing = readAll(dir, ca.certPath);
  if (existing) return existing;

  const now = Date.now();
  const [merchant, platform, publicKey] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()]);
  const manifest: Manifest = {
    mchId: WXPAY_SANDBOX_MCHID,
    appId: WXPAY_SANDBOX_APPID,
    appSecret: createHash("md5").update(randomBytes(16)).digest("hex"),
    v3Key: randomAlphanumeric(32),
    key: randomAlphanumeric(32),
    merchantSerial: randomSerial(),
    platformSerial: randomSerial(),
    wxpayPublicKeyId: newPublicKeyId(),
  };
  // Real merchant certificates last five years; platform certificates are rotated within that.
  const merchantCert = await issueCertificate(ca, {
    subject: `CN=${manifest.mchId}, OU=vk-pay sandbox merchant, O=vk-pay sandbox, L=Shenzhen, ST=Guangdong, C=CN`,
    serial: manifest.merchantSerial,
    publicKeyPem: merchant.publicKeyPem,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 5 * 365 * DAY),
  });
  const platformCert = await issueCertificate(ca, {
    subject: "CN=vk-pay sandbox WeChat Pay platform, OU=vk-pay sandbox, O=vk-pay sandbox, L=Shenzhen, ST=Guangdong, C=CN",
    serial: manifest.platformSerial,
    publicKeyPem: platform.publicKeyPem,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 5 * 365 * DAY),
  });
  // Node reads serials back in uppercase hex: the configured serial must be exactly that.
  if (new X509Certificate(merchantCert).serialNumber.toUpperCase() !== manifest.merchantSerial) throw new Error("sandbox merchant certificate serial mismatch");

  const file = paths(dir);
  writeSecretFile(file.merchantKey, merchant.privateKeyPem);
  writeSecretFile(file.merchantCert, merchantCert);
  writeSecretFile(file.platformKey, platform.privateKeyPem);
  writeSecretFile(file.platformCert, platformCert);
  writeSecretFile(file.publicKey, publicKey.publicKeyPem);
  writeSecretFile(file.publicKeyPrivate, publicKey.privateKeyPem);
  // The manifest goes last: its presence means every file above is complete.
  writeSecretFile(file.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return readAll(dir, ca.certPath)!;
}

/**
 * The `wxpay` sub-config for one mode of the generated local uni-pay config, pointing both WeChat hosts
 * at the sandbox (`baseUrl` e.g. `http://127.0.0.1:8787/__sandbox/wxpay`).
 */
export function wxpaySandboxConfig(keys: WxpaySandboxKeys, baseUrl: string) {
  return {
    appId: keys.appId,
    secret: keys.appSecret,
    mchId: keys.mchId,
    key: keys.key,
    v3Key: keys.v3Key,
    appCertPath: keys.appCertPath,
    appPrivateKeyPath: keys.appPrivateKeyPath,
    wxpayPublicKeyPath: keys.wxpayPublicKeyPath,
    wxpayPublicKeyId: keys.wxpayPublicKeyId,
    version: 3,
    baseUrl: { "api.mch.weixin.qq.com": baseUrl, "api2.mch.weixin.qq.com": baseUrl, "api.weixin.qq.com": baseUrl },
  };
}
