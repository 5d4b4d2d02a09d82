import type { KeyObject } from "node:crypto";
import type { Database, Doc } from "../../core/database";
import { SignatureError } from "../../core/errors";
import type { ProviderRuntime } from "../../kernel/contract";
import { callAlipayUnverified } from "./client";
import type { AlipayMerchant } from "./merchant";
import { getAlipayCertSn, parseAlipayError, verifyAlipayCertChain } from "./protocol";

/**
 * Certificate mode after Alipay rotates the certificate it signs with: a response naming an
 * `alipay_cert_sn` other than the configured certificate's gets that certificate from
 * `alipay.open.app.alipaycert.download`, adopted only once it chains to the configured root bundle and its
 * SN is the one asked for. Adopted certificates are kept in memory and in `vk-pay-alipay-certs` (one
 * document per `appId:sn`), so other instances and later cold starts find them without a download; a
 * stored one is checked against the root again when loaded. There are no timers, as this is serverless.
 *
 * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download
 * @see https://opendocs.alipay.com/common/02kdnc (支付宝公钥证书更新)
 */

export const ALIPAY_CERTS_COLLECTION = "vk-pay-alipay-certs";

/** A burst of answers naming made-up SNs must not become a burst of downloads. */
export const FAILED_DOWNLOAD_HOLD_MS = 60_000;

const DOWNLOAD_METHOD = "alipay.open.app.alipaycert.download";

interface Adopted {
  key: KeyObject;
  expiresAt: number;
}

export interface AlipayCertStoreOptions {
  database: () => Database;
  log?: (line: string) => void;
}

function cannotAdopt(sn: string, why: string): SignatureError {
  return new SignatureError(
    "alipay-cert-sn-mismatch",
    `支付宝应答的证书序列号 ${sn.slice(0, 64)} 与配置的支付宝公钥证书不一致，且无法获取可信的新证书（${why}）`,
  );
}

export class AlipayCertStore {
  /** By `appId:sn`. */
  private readonly adopted = new Map<string, Adopted>();
  /** `appId:sn` → when a fruitless download of it may be tried again. */
  private readonly heldOff = new Map<string, number>();
  private readonly downloading = new Map<string, Promise<KeyObject>>();

  constructor(private readonly options: AlipayCertStoreOptions) {}

  /**
   * The key that verifies an answer signed under `sn`: the configured certificate's, an adopted one, a
   * stored one, or one downloaded now. Throws SignatureError when none can be trusted.
   */
  async keyFor(merchant: AlipayMerchant, sn: string, runtime: ProviderRuntime): Promise<KeyObject> {
    const certificates = merchant.certificates;
    if (!certificates || sn === certificates.alipayCertSn) return merchant.alipayPublicKey;
    const id = `${merchant.appId}:${sn}`;
    const known = this.live(id, runtime.now());
    if (known) return known;
    await this.loadStored(merchant, runtime.now(), runtime.db);
    const stored = this.live(id, runtime.now());
    if (stored) return stored;
    const pending = this.downloading.get(id);
    if (pending) return pending;
    if ((this.heldOff.get(id) ?? 0) > runtime.now()) throw cannotAdopt(sn, "最近一次下载未成功，稍后再试");
    const download = this.download(merchant, sn, runtime)
      .catch((error: unknown) => {
        this.heldOff.set(id, runtime.now() + FAILED_DOWNLOAD_HOLD_MS);
        throw error;
      })
      .finally(() => this.downloading.delete(id));
    this.downloading.set(id, download);
    return download;
  }

  /** Every adopted key of the app still in force: a notification signed after a rotation verifies with one of them. */
  async rotatedKeys(merchant: AlipayMerchant, nowMs: number, db?: Database): Promise<KeyObject[]> {
    if (!merchant.certificates) return [];
    await this.loadStored(merchant, nowMs, db);
    const prefix = `${merchant.appId}:`;
    return [...this.adopted.entries()].filter(([id, known]) => id.startsWith(prefix) && known.expiresAt > nowMs).map(([, known]) => known.key);
  }

  private live(id: string, nowMs: number): KeyObject | undefined {
    const known = this.adopted.get(id);
    return known && known.expiresAt > nowMs ? known.key : undefined;
  }

  /** Checks a certificate file against the root and the SN it must carry; returns it adopted. */
  private adopt(merchant: AlipayMerchant, pem: string, sn: string, nowMs: number): Adopted {
    const leaf = verifyAlipayCertChain(pem, merchant.certificates!.rootCertificates, nowMs);
    // The SN names the certificate; a valid certificate under another SN is not the one that signed.
    if (getAlipayCertSn(leaf.toString()) !== sn) throw cannotAdopt(sn, "下载的证书序列号不符");
    const adopted = { key: leaf.publicKey, expiresAt: Date.parse(leaf.validTo) };
    this.adopted.set(`${merchant.appId}:${sn}`, adopted);
    return adopted;
  }

  private async loadStored(merchant: AlipayMerchant, nowMs: number, db: Database | undefined): Promise<void> {
    let docs: Doc[];
    try {
      docs = (await (db ?? this.options.database()).collection(ALIPAY_CERTS_COLLECTION).where({ app_id: merchant.appId }).limit(100).get()).data;
    } catch (error) {
      // Without the database this instance still works: it downloads instead.
      this.log(`vk-uni-pay: cannot read ${ALIPAY_CERTS_COLLECTION}: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    for (const doc of docs) {
      if (typeof doc.pem !== "string" || typeof doc.sn !== "string" || this.adopted.has(`${merchant.appId}:${doc.sn}`)) continue;
      try {
        this.adopt(merchant, doc.pem, doc.sn, nowMs);
      } catch {
        this.log(`vk-uni-pay: ignoring an untrusted certificate in ${ALIPAY_CERTS_COLLECTION} (${String(doc._id).slice(0, 80)})`);
      }
    }
  }

  /**
   * `alipay.open.app.alipaycert.download`. Its answer is not verified by signature (it may be signed with the
   * very certificate it carries); the certificate is trusted by its chain to the configured root instead.
   *
   * @see https://opendocs.alipay.com/apis/api_9/alipay.open.app.alipaycert.download
   */
  private async download(merchant: AlipayMerchant, sn: string, runtime: ProviderRuntime): Promise<KeyObject> {
    const body = await callAlipayUnverified(merchant, runtime, { method: DOWNLOAD_METHOD, bizContent: { alipay_cert_sn: sn } });
    const error = parseAlipayError(body);
    if (error) throw cannotAdopt(sn, `${error.subCode ?? error.code}${error.subMsg ? `：${error.subMsg}` : ""}`);
    if (typeof body.alipay_cert_content !== "string" || body.alipay_cert_content === "") throw cannotAdopt(sn, "下载应答缺少证书内容");
    const pem = Buffer.from(body.alipay_cert_content, "base64").toString("utf8");
    const adopted = this.adopt(merchant, pem, sn, runtime.now());
    this.log(`vk-uni-pay: adopted Alipay certificate ${sn} for app ${merchant.appId} after a rotation`);
    try {
      await (runtime.db ?? this.options.database())
        .collection(ALIPAY_CERTS_COLLECTION)
        .doc(`${merchant.appId}:${sn}`)
        .set({ app_id: merchant.appId, sn, pem, expire_time: adopted.expiresAt, fetch_date: runtime.now() });
    } catch (error) {
      this.log(`vk-uni-pay: cannot store Alipay certificate ${sn} in ${ALIPAY_CERTS_COLLECTION}: ${(error as Error)?.message ?? String(error)}`);
    }
    return adopted.key;
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => console.warn(text)))(line);
  }
}
