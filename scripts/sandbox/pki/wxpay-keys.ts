import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomAlphanumeric, randomSerial, readTextFile, writeSecretFile } from "./files";
import { buildPkcs12 } from "./pkcs12";
import { generateRsaKeyPair, issueCertificate, loadOrCreateTestCa, type TestCa } from "./test-ca";

export const WXPAY_SANDBOX_MCHID = "1900000001";
export const WXPAY_SANDBOX_APPID = "wx0000000000000001";
/** The service provider (服务商) and the sub-merchants (特约商户) bound to it, each with its own appid. */
export const WXPAY_SANDBOX_SP_MCHID = "1900000100";
export const WXPAY_SANDBOX_SP_APPID = "wx0000000000000100";
export const WXPAY_SANDBOX_SUB_MERCHANTS: ReadonlyArray<{ mchId: string; appId: string }> = [
  { mchId: "1900000201", appId: "wx0000000000000201" },
  { mchId: "1900000202", appId: "wx0000000000000202" },
];

/** A merchant's API credentials: v2 key, APIv3 key, API certificate (also its mutual-TLS client certificate). */
export interface WxpaySandboxMerchantKeys {
  mchId: string;
  appId: string;
  v3Key: string;
  key: string;
  merchantSerial: string;
  appCertPath: string;
  appPrivateKeyPath: string;
  merchantCertPem: string;
  merchantPrivateKeyPem: string;
  /** `apiclient_cert.p12` (PBES2/AES, password = mchId), for the `pfx` config key. */
  pfxPath: string;
}

export interface WxpaySandboxPartnerKeys extends WxpaySandboxMerchantKeys {
  subMerchants: ReadonlyArray<{ mchId: string; appId: string }>;
}

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
  /** The sandbox test root that issued every certificate here. */
  caCertPath: string;
  caCertPem: string;
  /** The direct merchant's `apiclient_cert.p12` (password = mchId). */
  pfxPath: string;
  /** The `/secapi` HTTPS server's certificate (SAN 127.0.0.1, ::1, localhost) and key. */
  secapiServerCertPem: string;
  secapiServerKeyPem: string;
  /** The service-provider merchant and its sub-merchants. */
  partner: WxpaySandboxPartnerKeys;
}

type BaseKeys = Omit<WxpaySandboxKeys, "caCertPem" | "pfxPath" | "secapiServerCertPem" | "secapiServerKeyPem" | "partner">;

interface SecapiManifest {
  partner: { mchId: string; appId: string; v3Key: string; key: string; merchantSerial: string };
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
    merchantP12: join(dir, "merchant", "apiclient_cert.p12"),
    // Added with API v2: a data directory from before it gains these files on its next start.
    secapiManifest: join(dir, "secapi.json"),
    serverCert: join(dir, "secapi", "server_cert.pem"),
    serverKey: join(dir, "secapi", "server_key.pem"),
    partnerCert: join(dir, "partner", "apiclient_cert.pem"),
    partnerKey: join(dir, "partner", "apiclient_key.pem"),
    partnerP12: join(dir, "partner", "apiclient_cert.p12"),
  };
}

/** Like writeSecretFile, for binary contents (the `.p12`). */
function writeSecretBinary(file: string, contents: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, contents, { mode: 0o600 });
  renameSync(temporary, file);
}

const DN_TAIL = "O=vk-pay sandbox, L=Shenzhen, ST=Guangdong, C=CN";

/** WeChat merchant API certificates name the merchant: CN = mch_id (what `/secapi` checks). */
function merchantCertificate(ca: TestCa, mchId: string, serial: string, publicKeyPem: string, now: number): Promise<string> {
  return issueCertificate(ca, {
    subject: `CN=${mchId}, OU=vk-pay sandbox merchant, ${DN_TAIL}`,
    serial,
    publicKeyPem,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 5 * 365 * DAY),
  });
}

/** A public key id shaped like WeChat's: `PUB_KEY_ID_` then 32 digits. */
function newPublicKeyId(): string {
  const digits = BigInt(`0x${randomBytes(16).toString("hex")}`)
    .toString()
    .padStart(32, "0")
    .slice(-32);
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

function readBase(dir: string, caCertPath: string): BaseKeys | undefined {
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
  const base = readBase(dir, ca.certPath) ?? (await createBase(ca, dir));
  return { ...base, ...(readSecapi(dir) ?? (await createSecapi(ca, dir, base))), caCertPem: ca.certPem };
}

async function createBase(ca: TestCa, dir: string): Promise<BaseKeys> {
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
  const merchantCert = await merchantCertificate(ca, manifest.mchId, manifest.merchantSerial, merchant.publicKeyPem, now);
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
  return readBase(dir, ca.certPath)!;
}

function readSecapi(dir: string): Omit<WxpaySandboxKeys, keyof BaseKeys | "caCertPem"> | undefined {
  const file = paths(dir);
  const manifestText = readTextFile(file.secapiManifest);
  if (!manifestText || !existsSync(file.merchantP12) || !existsSync(file.partnerP12)) return undefined;
  const manifest = JSON.parse(manifestText) as SecapiManifest;
  const pems = [file.serverCert, file.serverKey, file.partnerCert, file.partnerKey].map(readTextFile);
  if (pems.some((pem) => pem === undefined)) return undefined;
  const [secapiServerCertPem, secapiServerKeyPem, partnerCertPem, partnerKeyPem] = pems as string[];
  return {
    pfxPath: file.merchantP12,
    secapiServerCertPem,
    secapiServerKeyPem,
    partner: {
      ...manifest.partner,
      appCertPath: file.partnerCert,
      appPrivateKeyPath: file.partnerKey,
      merchantCertPem: partnerCertPem,
      merchantPrivateKeyPem: partnerKeyPem,
      pfxPath: file.partnerP12,
      subMerchants: WXPAY_SANDBOX_SUB_MERCHANTS,
    },
  };
}

/** The API v2 additions: `.p12` files, the service provider, and the `/secapi` server certificate. */
async function createSecapi(ca: TestCa, dir: string, base: BaseKeys): Promise<NonNullable<ReturnType<typeof readSecapi>>> {
  const now = Date.now();
  const [server, partner] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
  const manifest: SecapiManifest = {
    partner: {
      mchId: WXPAY_SANDBOX_SP_MCHID,
      appId: WXPAY_SANDBOX_SP_APPID,
      v3Key: randomAlphanumeric(32),
      key: randomAlphanumeric(32),
      merchantSerial: randomSerial(),
    },
  };
  const partnerCert = await merchantCertificate(ca, manifest.partner.mchId, manifest.partner.merchantSerial, partner.publicKeyPem, now);
  const serverCert = await issueCertificate(ca, {
    subject: `CN=127.0.0.1, OU=vk-pay sandbox WeChat Pay secapi, ${DN_TAIL}`,
    serial: randomSerial(),
    publicKeyPem: server.publicKeyPem,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 2 * 365 * DAY),
    serverNames: { dns: ["localhost"], ip: ["127.0.0.1", "::1"] },
  });
  const file = paths(dir);
  writeSecretFile(file.serverKey, server.privateKeyPem);
  writeSecretFile(file.serverCert, serverCert);
  writeSecretFile(file.partnerKey, partner.privateKeyPem);
  writeSecretFile(file.partnerCert, partnerCert);
  writeSecretBinary(file.merchantP12, buildPkcs12(base.merchantCertPem, base.merchantPrivateKeyPem, base.mchId));
  writeSecretBinary(file.partnerP12, buildPkcs12(partnerCert, partner.privateKeyPem, manifest.partner.mchId));
  writeSecretFile(file.secapiManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return readSecapi(dir)!;
}

export interface WxpaySandboxConfigOptions {
  /** 2: the API v2 block (`key`, `pfx`, `secapiBaseUrl`, `secapiCa`); default 3. */
  version?: 2 | 3;
  /** `https://127.0.0.1:<port>/__sandbox/wxpay`: where `/secapi/...` (refund, reverse) go, with the client certificate. */
  secapiBaseUrl?: string;
  /** The service provider instead of the direct merchant (its appId/mchId become sp_appid/sp_mchid). */
  merchant?: "direct" | "partner";
}

/**
 * The `wxpay` sub-config for one mode of the generated local uni-pay config, pointing both WeChat hosts
 * at the sandbox (`baseUrl` e.g. `http://127.0.0.1:8787/__sandbox/wxpay`). Key names are vk-uni-pay's
 * (reference/vk-pay.md §3.3) plus two sandbox-only ones: `secapiBaseUrl` and `secapiCaContent` (the test
 * root, so the library trusts the sandbox's HTTPS server; real WeChat needs neither).
 */
export function wxpaySandboxConfig(keys: WxpaySandboxKeys, baseUrl: string, options: WxpaySandboxConfigOptions = {}) {
  const merchant: WxpaySandboxMerchantKeys = options.merchant === "partner" ? keys.partner : { ...keys, pfxPath: keys.pfxPath };
  const config: Record<string, unknown> = {
    appId: merchant.appId,
    ...(options.merchant === "partner" ? {} : { secret: keys.appSecret }),
    mchId: merchant.mchId,
    key: merchant.key,
    v3Key: merchant.v3Key,
    appCertPath: merchant.appCertPath,
    appPrivateKeyPath: merchant.appPrivateKeyPath,
    wxpayPublicKeyPath: keys.wxpayPublicKeyPath,
    wxpayPublicKeyId: keys.wxpayPublicKeyId,
    version: options.version ?? 3,
    baseUrl: { "api.mch.weixin.qq.com": baseUrl, "api2.mch.weixin.qq.com": baseUrl, "api.weixin.qq.com": baseUrl },
  };
  if (options.version === 2) {
    // vk-uni-pay takes `pfx` as a Buffer (fs.readFileSync of apiclient_cert.p12); its password is the mch_id.
    config.pfx = readFileSync(merchant.pfxPath);
    // The library's name for a CA to trust on the mutual-TLS host (real WeChat needs none).
    config.secapiCaContent = keys.caCertPem;
    if (options.secapiBaseUrl) config.secapiBaseUrl = options.secapiBaseUrl;
  }
  return config;
}
