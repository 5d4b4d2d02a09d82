/**
 * The WeChat Pay platform certificates and their rotation. WeChat issues a new platform certificate ahead
 * of the old one's expiry, lists both in `/v3/certificates` for a switch period, signs with the new one from
 * the switch on, and drops the old one afterwards; merchants must keep verifying with either meanwhile.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay5_0.shtml (平台证书更新指引)
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { randomSerial, readTextFile, writeSecretFile } from "../pki/files";
import { generateRsaKeyPair, issueCertificate, loadOrCreateTestCa } from "../pki/test-ca";
import type { WxpaySandboxKeys } from "../pki/wxpay-keys";

export interface PlatformCertificate {
  serial: string;
  certPem: string;
  privateKey: KeyObject;
  effective: number;
  expire: number;
}

export interface PlatformCertificates {
  /** The certificate that signs responses and notifications now. */
  current(): PlatformCertificate;
  /** What `/v3/certificates` lists: every certificate not yet retired, newest first. */
  listed(): PlatformCertificate[];
  /** Issues a new certificate (new serial) and switches signing to it; the old one stays listed. */
  rotate(): Promise<PlatformCertificate>;
  /** Retires `serial`, or every certificate but the current one; returns the retired serials. */
  retire(serial?: string): string[];
  /** Counts a `/v3/certificates` download by `mchid`, so tests can see how often a merchant fetched the list. */
  recordDownload(mchid: string): void;
  /** Downloads of the list by `mchid` since the sandbox started. */
  downloads(mchid: string): number;
}

interface Stored {
  serial: string;
  certPem: string;
  privateKeyPem: string;
}

interface RotationFile {
  issued: Stored[];
  retired: string[];
}

const DAY = 24 * 3600 * 1000;

function toCertificate(stored: Stored): PlatformCertificate {
  const cert = new X509Certificate(stored.certPem);
  return {
    serial: stored.serial,
    certPem: stored.certPem,
    privateKey: createPrivateKey(stored.privateKeyPem),
    effective: Date.parse(cert.validFrom),
    expire: Date.parse(cert.validTo),
  };
}

/**
 * The first certificate comes from the sandbox keys; rotated ones are kept in
 * `<dataDir>/sandbox/wxpay/platform/rotation.json` (0600) unless `persist` is false.
 */
export function createPlatformCertificates(options: { keys: WxpaySandboxKeys; dataDir: string; persist: boolean }): PlatformCertificates {
  const file = join(options.dataDir, "sandbox", "wxpay", "platform", "rotation.json");
  const saved = options.persist ? readTextFile(file) : undefined;
  const rotation: RotationFile = saved ? (JSON.parse(saved) as RotationFile) : { issued: [], retired: [] };
  const all: PlatformCertificate[] = [
    toCertificate({ serial: options.keys.platformSerial, certPem: options.keys.platformCertPem, privateKeyPem: options.keys.platformPrivateKeyPem }),
    ...rotation.issued.map(toCertificate),
  ];
  const save = () => options.persist && writeSecretFile(file, JSON.stringify(rotation));
  const downloads = new Map<string, number>();
  // The newest certificate signs: the last one issued.
  const current = () => all[all.length - 1];

  return {
    current,
    listed: () => all.filter((cert) => cert === current() || !rotation.retired.includes(cert.serial)).reverse(),
    async rotate() {
      const ca = await loadOrCreateTestCa(options.dataDir);
      const pair = await generateRsaKeyPair();
      const serial = randomSerial();
      const now = Date.now();
      const certPem = await issueCertificate(ca, {
        subject: "CN=vk-pay sandbox WeChat Pay platform, OU=vk-pay sandbox, O=vk-pay sandbox, L=Shenzhen, ST=Guangdong, C=CN",
        serial,
        publicKeyPem: pair.publicKeyPem,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + 5 * 365 * DAY),
      });
      const stored = { serial, certPem, privateKeyPem: pair.privateKeyPem };
      rotation.issued.push(stored);
      all.push(toCertificate(stored));
      save();
      return current();
    },
    retire(serial) {
      const targets = serial === undefined ? all.filter((cert) => cert !== current()).map((cert) => cert.serial) : [serial];
      const retired = targets.filter(
        (target) => target !== current().serial && !rotation.retired.includes(target) && all.some((cert) => cert.serial === target),
      );
      rotation.retired.push(...retired);
      save();
      return retired;
    },
    recordDownload(mchid) {
      downloads.set(mchid, (downloads.get(mchid) ?? 0) + 1);
    },
    downloads: (mchid) => downloads.get(mchid) ?? 0,
  };
}
