import type { KeyObject } from "node:crypto";
import type { Database, Doc } from "../../../core/database";
import { ConfigError } from "../../../core/errors";
import type { ProviderRuntime } from "../../../kernel/contract";
import { errorOf, sendSigned, type RawResponse, type ResponseVerifier } from "./client";
import type { WxpayMerchant } from "../merchant";
import { parseRfc3339 } from "./normalize";
import {
  createPlatformKeyRing,
  decryptCertificates,
  loadCertificate,
  normalizeSerial,
  PUB_KEY_ID_PREFIX,
  readSignedHeaders,
  verifyWxpayV3Message,
  WxpayV3SignatureError,
  type HeaderBag,
  type LoadedCertificate,
  type PlatformKeyLookup,
} from "./protocol";

/**
 * The keys that verify what WeChat Pay sends, by `Wechatpay-Serial`: the configured WeChat Pay public key
 * (`PUB_KEY_ID_…`) and the platform certificates (certificate mode), side by side while merchants migrate.
 *
 * Platform certificates are fetched lazily: a serial never seen makes the store look in the database
 * (another instance may have fetched it) and then call `GET /v3/certificates` once. What is fetched is
 * persisted in `vk-pay-wxpay-certs`, one document per `mchid:serial`, so instances share it; there are no
 * timers, as this is serverless.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/wechatpay5_1.shtml (GET /v3/certificates)
 * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
 */

export const WXPAY_CERTS_COLLECTION = "vk-pay-wxpay-certs";

/** A burst of messages with made-up serials must not become a burst of calls to WeChat. */
export const REFRESH_INTERVAL_MS = 60_000;

interface KnownCertificate {
  certificate: LoadedCertificate;
  /** ms; an expired certificate no longer verifies anything. */
  expiresAt: number;
}

interface MerchantState {
  /** By normalized serial. */
  certificates: Map<string, KnownCertificate>;
  lastRefresh?: number;
  refreshing?: Promise<void>;
}

export interface PlatformCertStoreOptions {
  database: () => Database;
  log?: (line: string) => void;
}

export class PlatformCertStore implements ResponseVerifier {
  private readonly merchants = new Map<string, MerchantState>();

  constructor(private readonly options: PlatformCertStoreOptions) {}

  private state(mchId: string): MerchantState {
    let state = this.merchants.get(mchId);
    if (!state) {
      state = { certificates: new Map() };
      this.merchants.set(mchId, state);
    }
    return state;
  }

  /** Every key this instance trusts for the merchant right now. */
  private keyRing(merchant: WxpayMerchant, nowMs: number, extra: readonly LoadedCertificate[] = []): PlatformKeyLookup {
    const live = [...this.state(merchant.mchId).certificates.values()].filter((known) => known.expiresAt > nowMs).map((known) => known.certificate);
    return createPlatformKeyRing({
      certificates: [...merchant.pinnedCertificates, ...live, ...extra],
      publicKeys: merchant.publicKeys,
      merchantSerialNo: merchant.serialNo,
    });
  }

  private remember(mchId: string, certificate: LoadedCertificate, expiresAt: number): void {
    this.state(mchId).certificates.set(normalizeSerial(certificate.serialNo), { certificate, expiresAt });
  }

  /**
   * Verifies a signed message (response or notification) from its headers and raw body: probe refusal,
   * five-minute window, key by serial, signature. An unknown certificate serial gets one look in the
   * database and at most one refresh from WeChat before it fails as `wxpay-v3-unknown-serial`.
   *
   * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
   */
  async verifyMessage(headers: HeaderBag, body: Buffer, merchant: WxpayMerchant, runtime: ProviderRuntime): Promise<void> {
    const attempt = () => verifyWxpayV3Message({ headers, body, keys: this.keyRing(merchant, runtime.now()), nowMs: runtime.now() });
    try {
      attempt();
      return;
    } catch (error) {
      if (!isUnknownCertificateSerial(error, headers)) throw error;
    }
    // Another instance may have fetched it already: the database is cheaper to ask than WeChat.
    await this.loadStored(merchant, runtime.db);
    if (this.knows(merchant, headers, runtime.now())) return void attempt();
    await this.refresh(merchant, runtime, () => this.knows(merchant, headers, runtime.now()));
    attempt();
  }

  verify(response: RawResponse, merchant: WxpayMerchant, runtime: ProviderRuntime): Promise<void> {
    return this.verifyMessage(response.headers, response.data, merchant, runtime);
  }

  /**
   * The key to encrypt a sensitive request field with, and the `Wechatpay-Serial` that names it: the
   * configured WeChat Pay public key when there is one (WeChat's recommendation), otherwise the platform
   * certificate in force that took effect last (during a rotation, the new one once it is effective).
   *
   * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html
   * @see https://pay.weixin.qq.com/docs/merchant/development/interface-rules/wechatpay-certificates-rotation.html
   */
  async encryptionKey(merchant: WxpayMerchant, runtime: ProviderRuntime): Promise<{ serial: string; publicKey: KeyObject }> {
    const [publicKey] = merchant.publicKeys;
    if (publicKey) return { serial: publicKey.id, publicKey: publicKey.publicKey };
    const inForce = (): LoadedCertificate | undefined => {
      const now = runtime.now();
      const live = [...this.state(merchant.mchId).certificates.values()].filter((known) => known.expiresAt > now).map((known) => known.certificate);
      return [...merchant.pinnedCertificates, ...live]
        .filter((certificate) => certificate.validFrom.getTime() <= now && certificate.validTo.getTime() > now)
        .sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime())[0];
    };
    if (!inForce()) await this.loadStored(merchant, runtime.db);
    if (!inForce()) await this.refresh(merchant, runtime, () => inForce() !== undefined);
    const certificate = inForce();
    if (!certificate) throw new ConfigError("wxpay-no-encryption-key", "未能获取微信支付平台证书或微信支付公钥，无法加密敏感信息");
    return { serial: certificate.serialNo, publicKey: certificate.publicKey };
  }

  private knows(merchant: WxpayMerchant, headers: HeaderBag, nowMs: number): boolean {
    return this.keyRing(merchant, nowMs).find(readSignedHeaders(headers).serial) !== undefined;
  }

  private async loadStored(merchant: WxpayMerchant, db: Database | undefined): Promise<void> {
    let docs: Doc[];
    try {
      docs = (await (db ?? this.options.database()).collection(WXPAY_CERTS_COLLECTION).where({ mchid: merchant.mchId }).limit(100).get()).data;
    } catch (error) {
      // Without the database this instance still works: it fetches from WeChat instead.
      this.log(`vk-uni-pay: cannot read ${WXPAY_CERTS_COLLECTION}: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    for (const doc of docs) {
      if (typeof doc.pem !== "string" || typeof doc.expire_time !== "number") continue;
      try {
        const certificate = loadCertificate(doc.pem);
        // The document's serial is only its name: the certificate itself must carry it.
        if (normalizeSerial(certificate.serialNo) !== normalizeSerial(String(doc.serial_no))) continue;
        this.remember(merchant.mchId, certificate, doc.expire_time);
      } catch {
        this.log(`vk-uni-pay: ignoring an unreadable certificate in ${WXPAY_CERTS_COLLECTION} (${String(doc._id).slice(0, 80)})`);
      }
    }
  }

  /**
   * One refresh at a time per merchant. Only a fruitless one (the list did not carry the serial asked
   * about: forged, or not this merchant's) holds further downloads off for the interval; a list that
   * brought the new serial (a rotation) does not, so a rotation soon after a download is followed too.
   */
  private refresh(merchant: WxpayMerchant, runtime: ProviderRuntime, found: () => boolean): Promise<void> {
    const state = this.state(merchant.mchId);
    if (state.refreshing) return state.refreshing;
    if (state.lastRefresh !== undefined && runtime.now() - state.lastRefresh < REFRESH_INTERVAL_MS) return Promise.resolve();
    const started = runtime.now();
    state.lastRefresh = started;
    state.refreshing = this.fetchCertificates(merchant, runtime)
      .then(() => {
        if (found() && state.lastRefresh === started) state.lastRefresh = undefined;
      })
      .catch((error: unknown) => {
        // A failed download (WeChat unreachable, a bad list) must not silence the next attempt.
        if (state.lastRefresh === started) state.lastRefresh = undefined;
        throw error;
      })
      .finally(() => {
        state.refreshing = undefined;
      });
    return state.refreshing;
  }

  /**
   * `GET /v3/certificates`: decrypt each entry with the APIv3 key, then verify the response with a key from
   * the list itself or one already trusted (the list is the only source of keys in certificate mode; the
   * AEAD decryption already proves it came from someone holding the APIv3 key).
   *
   * @see https://pay.weixin.qq.com/wiki/doc/apiv3/apis/wechatpay5_1.shtml
   * @see https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/decryption-certificate.html
   */
  private async fetchCertificates(merchant: WxpayMerchant, runtime: ProviderRuntime): Promise<void> {
    const response = await sendSigned(merchant, runtime, { method: "GET", path: "/v3/certificates" });
    if (response.status !== 200) throw errorOf(response, "获取微信支付平台证书失败");
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.data.toString("utf8"));
    } catch {
      throw new WxpayV3SignatureError("wxpay-v3-signature-invalid", "the certificate list is not JSON");
    }
    const records = decryptCertificates(parsed, merchant.v3Key);
    const fetched = records.map((record) => ({ record, certificate: loadCertificate(record.pem) }));
    verifyWxpayV3Message({
      headers: response.headers,
      body: response.data,
      keys: this.keyRing(
        merchant,
        runtime.now(),
        fetched.map((entry) => entry.certificate),
      ),
      nowMs: runtime.now(),
    });
    const now = runtime.now();
    for (const { record, certificate } of fetched) {
      const expiresAt = parseRfc3339(record.expire_time) ?? certificate.validTo.getTime();
      this.remember(merchant.mchId, certificate, expiresAt);
      await this.persist(
        merchant.mchId,
        record.serial_no,
        certificate,
        parseRfc3339(record.effective_time) ?? certificate.validFrom.getTime(),
        expiresAt,
        now,
        runtime.db,
      );
    }
  }

  private async persist(
    mchId: string,
    serial: string,
    certificate: LoadedCertificate,
    effectiveAt: number,
    expiresAt: number,
    now: number,
    db: Database | undefined,
  ): Promise<void> {
    // Named as WeChat lists it (uppercase, leading zeros kept); lookups compare normalized serials.
    const serialNo = serial.trim().toUpperCase();
    const id = `${mchId}:${serialNo}`;
    try {
      await (db ?? this.options.database()).collection(WXPAY_CERTS_COLLECTION).doc(id).set({
        mchid: mchId,
        serial_no: serialNo,
        pem: certificate.pem,
        effective_time: effectiveAt,
        expire_time: expiresAt,
        fetch_date: now,
      });
    } catch (error) {
      this.log(`vk-uni-pay: cannot store certificate ${id} in ${WXPAY_CERTS_COLLECTION}: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => console.warn(text)))(line);
  }
}

/** Only a certificate serial can be fetched; an unknown `PUB_KEY_ID_` is a configuration matter. */
function isUnknownCertificateSerial(error: unknown, headers: HeaderBag): boolean {
  if (!(error instanceof WxpayV3SignatureError) || error.reason !== "wxpay-v3-unknown-serial") return false;
  return !readSignedHeaders(headers).serial.startsWith(PUB_KEY_ID_PREFIX);
}
