/**
 * Certificate mode's rotation: Alipay issues a new "Alipay public key" certificate before the old one
 * expires and signs with it from then on, naming it in every response's `alipay_cert_sn`. A merchant that
 * meets an unknown SN downloads the certificate with `alipay.open.app.alipaycert.download` and checks it
 * against the root it configured. Issued certificates are kept in `sandbox/alipay/cert-rotation.json`
 * (0600) unless `persist` is false, so a restart keeps signing with the newest.
 * @see https://opendocs.alipay.com/common/02kdnc (支付宝公钥证书更新)
 * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download
 */
import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { issueAlipayPublicCert, type AlipaySandboxKeys, type IssuedAlipayCert } from "../pki";
import { readTextFile, writeSecretFile } from "../pki/files";
import type { SandboxApp } from "./apps";

export interface AlipayCertRotation {
  /** The certificate file (leaf, then issuer) Alipay issued under `sn`, current or retired. */
  certificate(sn: string): string | undefined;
  /** Issues a new certificate and signs with it from now on; the old one stays downloadable. */
  rotate(): Promise<{ sn: string; previous: string }>;
  /** Counts a download of `sn`, so tests see how often merchants fetched it. */
  recordDownload(sn: string): void;
  downloads(sn: string): number;
}

export function createCertRotation(options: { dataDir: string; persist: boolean; keys: AlipaySandboxKeys; app: SandboxApp }): AlipayCertRotation {
  const file = join(options.dataDir, "sandbox", "alipay", "cert-rotation.json");
  const issued: IssuedAlipayCert[] = options.persist ? (JSON.parse(readTextFile(file) ?? "[]") as IssuedAlipayCert[]) : [];
  const downloads = new Map<string, number>();
  const signWith = (cert: IssuedAlipayCert) => {
    options.app.alipayPrivateKey = createPrivateKey(cert.privateKeyPem);
    options.app.alipayCertSn = cert.sn;
  };
  const newest = issued.at(-1);
  if (newest) signWith(newest);

  return {
    certificate(sn) {
      if (sn === options.keys.alipayCertSn) return options.keys.alipayPublicCertPem;
      return issued.find((cert) => cert.sn === sn)?.certPem;
    },
    async rotate() {
      const previous = options.app.alipayCertSn!;
      const cert = await issueAlipayPublicCert(options.dataDir);
      issued.push(cert);
      if (options.persist) writeSecretFile(file, `${JSON.stringify(issued, null, 2)}\n`);
      signWith(cert);
      return { sn: cert.sn, previous };
    },
    recordDownload(sn) {
      downloads.set(sn, (downloads.get(sn) ?? 0) + 1);
    },
    downloads: (sn) => downloads.get(sn) ?? 0,
  };
}
