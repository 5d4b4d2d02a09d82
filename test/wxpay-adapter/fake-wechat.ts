import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, generateKeyPairSync, verify, webcrypto, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import { buildRequestSignMessage, encryptResource, parseAuthorization, signResponse } from "../../common/vk-uni-pay/src/providers/wxpay/v3/protocol";

/**
 * A recording stand-in for WeChat Pay API v3 behind `ProviderRuntime.request`: it answers by method and
 * official path, signs its answers with a platform key (or not, or wrongly, as a test asks), serves
 * `/v3/certificates` encrypted with the APIv3 key, and keeps every request for the assertions.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const FIXTURES = join(__dirname, "..", "fixtures", "wechat-v3");
export const MERCHANT_KEY_PATH = join(FIXTURES, "yansongda_merchant_private_key.pem");
export const MERCHANT_CERT_PATH = join(FIXTURES, "yansongda_merchant_cert_25F8AA5452D55497C24BA57DC81B1E5915DC2E77.pem");
export const MERCHANT_SERIAL = "25F8AA5452D55497C24BA57DC81B1E5915DC2E77";
export const MERCHANT_PUBLIC_KEY = new X509Certificate(readFileSync(MERCHANT_CERT_PATH)).publicKey;
export const V3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
export const MCH_ID = "1900000109";
export const APP_ID = "wxd678efh567hg6787";
export const NOW = Date.UTC(2026, 0, 15, 4, 0, 0);
export const PUB_KEY_ID = "PUB_KEY_ID_0000000000000024101100397200000006";

export interface Identity {
  serial: string;
  privateKey: KeyObject;
  pem: string;
}

/** A self-signed platform certificate with the given hex serial, valid a year either side of NOW. */
export async function issuePlatformCertificate(serial: string): Promise<Identity> {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: "CN=Tenpay.com sign, O=Tenpay.com, C=CN",
    notBefore: new Date(NOW - 365 * 86400_000),
    notAfter: new Date(NOW + 365 * 86400_000),
    signingAlgorithm: algorithm,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { serial: serial.toUpperCase(), privateKey: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }), pem: certificate.toString("pem") };
}

/** A WeChat Pay public key (public-key mode) and its private half, which only WeChat holds. */
export function issuePublicKey(id = PUB_KEY_ID): { id: string; privateKey: KeyObject; publicKeyPem: string } {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { id, privateKey: pair.privateKey, publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export function merchantConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.freeze({
    appId: APP_ID,
    mchId: MCH_ID,
    v3Key: V3_KEY,
    appPrivateKeyPath: MERCHANT_KEY_PATH,
    appCertPath: MERCHANT_CERT_PATH,
    version: 3,
    baseUrl: "https://wechat.test/prefix",
    ...overrides,
  });
}

export interface Recorded {
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  content: string;
}

export interface Answer {
  status?: number;
  body?: unknown;
  /** Who signs: a platform identity, `null` for no signature headers. The fake's current signer by default. */
  signer?: { serial: string; privateKey: KeyObject } | null;
  timestamp?: string;
  /** Changes the bytes after signing (a tampered answer). */
  tamper?: (body: string) => string;
  /** Throw instead of answering (a timeout). */
  fail?: boolean;
}

export type Route = (request: Recorded) => Answer;

export class FakeWechat {
  readonly requests: Recorded[] = [];
  now = NOW;
  signer: { serial: string; privateKey: KeyObject };
  /** What `/v3/certificates` lists. */
  listed: Identity[];
  private readonly routes = new Map<string, Route>();

  constructor(
    platform: Identity,
    readonly base = "https://wechat.test/prefix",
  ) {
    this.signer = platform;
    this.listed = [platform];
    this.on("GET /v3/certificates", () => ({ body: this.certificateList() }));
  }

  on(route: string, answer: Route): this {
    this.routes.set(route, answer);
    return this;
  }

  certificateList(identities: Identity[] = this.listed): unknown {
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    return {
      data: identities.map((identity) => ({
        serial_no: identity.serial,
        effective_time: iso(NOW - 365 * 86400_000),
        expire_time: iso(NOW + 365 * 86400_000),
        encrypt_certificate: encryptResource({ plaintext: identity.pem, apiV3Key: V3_KEY, associatedData: "certificate" }),
      })),
    };
  }

  readonly runtime: ProviderRuntime = {
    now: () => this.now,
    request: async (url, options) => this.handle(url, options),
  };

  calls(route: string): Recorded[] {
    return this.requests.filter((request) => `${request.method} ${request.path.split("?")[0]}` === route);
  }

  private handle(url: string, options: Record<string, unknown>) {
    if (!url.startsWith(this.base)) throw new Error(`unexpected host: ${url}`);
    const headers = Object.fromEntries(Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const recorded: Recorded = {
      url,
      method: String(options.method),
      path: url.slice(this.base.length),
      headers,
      content: typeof options.content === "string" ? options.content : "",
    };
    this.requests.push(recorded);
    const route = this.routes.get(`${recorded.method} ${recorded.path.split("?")[0]}`);
    if (!route) throw new Error(`no route for ${recorded.method} ${recorded.path}`);
    const answer = route(recorded);
    if (answer.fail) throw new Error("ETIMEDOUT");
    const body = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const signer = answer.signer === undefined ? this.signer : answer.signer;
    const signed = signer
      ? signResponse({ body, privateKey: signer.privateKey, serial: signer.serial, timestamp: answer.timestamp ?? String(Math.floor(this.now / 1000)) })
      : {};
    const sent = answer.tamper ? answer.tamper(body) : body;
    const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
    return { status: answer.status ?? 200, headers: { ...lower, "request-id": "REQ1" }, data: Buffer.from(sent, "utf8") };
  }
}

/** The Authorization header of a recorded request verifies with the merchant certificate over the official path. */
export function authorizationVerifies(request: Recorded, officialPathAndQuery: string): boolean {
  const params = parseAuthorization(request.headers.authorization);
  if (params.mchid !== MCH_ID || params.serialNo !== MERCHANT_SERIAL) return false;
  const message = buildRequestSignMessage({
    method: request.method,
    canonicalUrl: officialPathAndQuery,
    timestamp: params.timestamp,
    nonce: params.nonceStr,
    body: request.content,
  });
  return verify("sha256", Buffer.from(message), MERCHANT_PUBLIC_KEY, Buffer.from(params.signature, "base64"));
}

export function verifiesWithMerchant(message: string, signature: string): boolean {
  return verify("sha256", Buffer.from(message), MERCHANT_PUBLIC_KEY, Buffer.from(signature, "base64"));
}

export { memoryDatabase } from "../helpers/deps";
