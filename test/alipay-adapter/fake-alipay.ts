import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";
import {
  alipayResponseKey,
  buildAlipaySignContent,
  getAlipayCertSn,
  parseAlipayForm,
  signAlipayNotify,
  signRsa2,
  verifyRsa2,
} from "../../common/vk-uni-pay/src/providers/alipay/protocol";
import { issueCertificate, loadOrCreateTestCa } from "../../scripts/sandbox/pki/test-ca";

/**
 * A recording stand-in for Alipay's `gateway.do` behind `ProviderRuntime.request`: it reads the public
 * parameters from the query and the rest from the form body as Alipay does, checks the request signature
 * with the app's public key, answers by method with a response signed by "Alipay" (or unsigned, wrongly
 * signed, tampered, under another certificate SN, as a test asks), and keeps every request for assertions.
 */

export const APP_ID = "2021004100000001";
export const SELLER_ID = "2088102177846880";
/** 2026-01-15 12:00:00 in Beijing. */
export const NOW = Date.UTC(2026, 0, 15, 4, 0, 0);
export const BASE_URL = "http://127.0.0.1:8787/__sandbox/alipay";
export const NOTIFY_URL = "https://fc-mp-1.next.bspapp.com/http/vk-pay/vk-pay-notify/alipay_h5/T20260115001";

export interface AlipayKeys {
  /** PKCS#1 PEM, the form Alipay's key tool exports. */
  appPrivatePem: string;
  appPublicPem: string;
  appPublicKey: KeyObject;
  /** Only "Alipay" holds this one. */
  alipayPrivateKey: KeyObject;
  alipayPrivatePem: string;
  /** Bare base64 SPKI, as the Alipay console shows the Alipay public key. */
  alipayPublicBase64: string;
  alipayPublicPem: string;
}

export function generateKeys(): AlipayKeys {
  const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipayPublicPem = alipay.publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    appPrivatePem: app.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    appPublicPem: app.publicKey.export({ type: "spki", format: "pem" }).toString(),
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
    alipayPrivatePem: alipay.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    alipayPublicBase64: alipayPublicPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""),
    alipayPublicPem,
  };
}

export interface AlipayCertificates {
  appCert: string;
  alipayCert: string;
  rootCert: string;
}

/** App and Alipay certificates issued by a fresh test root (in a temporary directory, never the sandbox's). */
export async function issueCertificates(keys: AlipayKeys): Promise<AlipayCertificates> {
  const ca = await loadOrCreateTestCa(mkdtempSync(join(tmpdir(), "vk-alipay-adapter-")));
  const validity = { notBefore: new Date(NOW - 365 * 86400_000), notAfter: new Date(NOW + 365 * 86400_000) };
  const appCert = await issueCertificate(ca, {
    subject: `CN=${APP_ID}, OU=Alipay Test App, O=vk-pay sandbox, C=CN`,
    serial: "2A6F0B1C3D4E5F60",
    publicKeyPem: keys.appPublicPem,
    ...validity,
  });
  const alipayCert = await issueCertificate(ca, {
    subject: "CN=Alipay Test Signer, OU=Alipay, O=vk-pay sandbox, C=CN",
    serial: "7D3E9A0B1C2D3E4F",
    publicKeyPem: keys.alipayPublicPem,
    ...validity,
  });
  return { appCert, alipayCert, rootCert: ca.certPem };
}

export function keyModeConfig(keys: AlipayKeys, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.freeze({ appId: APP_ID, privateKey: keys.appPrivatePem, alipayPublicKey: keys.alipayPublicBase64, baseUrl: BASE_URL, ...overrides });
}

export function certModeConfig(keys: AlipayKeys, certs: AlipayCertificates, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.freeze({
    appId: APP_ID,
    privateKey: keys.appPrivatePem,
    appCertContent: certs.appCert,
    alipayPublicCertContent: certs.alipayCert,
    alipayRootCertContent: certs.rootCert,
    baseUrl: BASE_URL,
    ...overrides,
  });
}

export interface Recorded {
  url: string;
  query: Record<string, string>;
  form: Record<string, string>;
  /** Query and form together: what Alipay signs over. */
  params: Record<string, string>;
  method: string;
  biz: Record<string, unknown>;
  /** Whether the request signature verified with the app's public key, as the gateway checks it. */
  signatureValid: boolean;
  headers: Record<string, string>;
}

export interface Answer {
  /** The `<method>_response` object, or its exact text. */
  body?: Record<string, unknown> | string;
  /** `error_response` instead of `<method>_response`. */
  errorResponse?: boolean;
  /** Who signs: "alipay" (default), "none", or another private key. */
  signer?: "alipay" | "none" | KeyObject;
  /** Certificate mode: the SN announced (defaults to the fake's). */
  certSn?: string | null;
  /** Changes the text after signing. */
  tamper?: (text: string) => string;
  status?: number;
  /** Throw instead of answering (a timeout). */
  fail?: boolean;
}

export type Route = (request: Recorded) => Answer;

export class FakeAlipay {
  readonly requests: Recorded[] = [];
  now = NOW;
  private readonly routes = new Map<string, Route>();

  constructor(
    private readonly keys: AlipayKeys,
    /** Certificate mode: the `alipay_cert_sn` every answer carries. */
    private readonly alipayCertSn?: string,
    readonly base = BASE_URL,
  ) {}

  static forCertificates(keys: AlipayKeys, certs: AlipayCertificates): FakeAlipay {
    return new FakeAlipay(keys, getAlipayCertSn(certs.alipayCert));
  }

  on(method: string, route: Route): this {
    this.routes.set(method, route);
    return this;
  }

  calls(method: string): Recorded[] {
    return this.requests.filter((request) => request.method === method);
  }

  only(method: string): Recorded {
    const calls = this.calls(method);
    if (calls.length !== 1) throw new Error(`expected one ${method} call, saw ${calls.length}`);
    return calls[0]!;
  }

  readonly runtime: ProviderRuntime = {
    now: () => this.now,
    request: async (url, options) => this.handle(url, options),
  };

  /** A notification as Alipay posts it, signed by "Alipay" (sign_type sent but not signed). */
  notification(fields: Record<string, string>, signer: KeyObject = this.keys.alipayPrivateKey): string {
    return signAlipayNotify(fields, signer).body;
  }

  private handle(url: string, options: Record<string, unknown>) {
    const prefix = `${this.base}/gateway.do?`;
    if (!url.startsWith(prefix)) throw new Error(`unexpected gateway: ${url}`);
    const query = parseAlipayForm(url.slice(prefix.length));
    const form = parseAlipayForm(typeof options.content === "string" ? options.content : "");
    for (const key of Object.keys(form)) if (key in query) throw new Error(`${key} sent twice`);
    const params = { ...query, ...form };
    const headers = Object.fromEntries(Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const recorded: Recorded = {
      url,
      query,
      form,
      params,
      method: params.method ?? "",
      biz: params.biz_content ? (JSON.parse(params.biz_content) as Record<string, unknown>) : {},
      signatureValid: verifyRsa2(buildAlipaySignContent(params), params.sign, this.keys.appPublicKey),
      headers,
    };
    this.requests.push(recorded);
    const route = this.routes.get(recorded.method);
    const answer: Answer = !recorded.signatureValid
      ? { errorResponse: true, signer: "none", body: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-signature", sub_msg: "验签出错" } }
      : route
        ? route(recorded)
        : { errorResponse: true, body: { code: "40004", msg: "Business Failed", sub_code: "isv.missing-method", sub_msg: "no route" } };
    if (answer.fail) throw new Error("ETIMEDOUT");
    return {
      status: answer.status ?? 200,
      headers: { "content-type": "text/html;charset=utf-8" },
      data: Buffer.from(this.respond(recorded.method, answer), "utf8"),
    };
  }

  private respond(method: string, answer: Answer): string {
    const content = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
    const key = answer.errorResponse ? "error_response" : alipayResponseKey(method);
    const signer = answer.signer ?? "alipay";
    const parts = [`"${key}":${content}`];
    const certSn = answer.certSn === undefined ? this.alipayCertSn : answer.certSn;
    if (certSn && signer !== "none") parts.push(`"alipay_cert_sn":"${certSn}"`);
    if (signer !== "none") parts.push(`"sign":"${signRsa2(content, signer === "alipay" ? this.keys.alipayPrivateKey : signer)}"`);
    const text = `{${parts.join(",")}}`;
    return answer.tamper ? answer.tamper(text) : text;
  }
}

/** alipay-sdk, loaded the way the protocol tests load it (its helpers are not all exported). */
export function alipaySdk(): {
  AlipaySdk: new (config: Record<string, unknown>) => {
    checkNotifySignV2(post: unknown): boolean;
    sdkExecute(method: string, params: Record<string, unknown>): string;
  };
} {
  return require("alipay-sdk");
}

export function alipaySdkSign(method: string, params: Record<string, unknown>, privateKeyPem: string): Record<string, string> {
  const main = require.resolve("alipay-sdk");
  const util = require(join(main, "..", "util.js")) as {
    sign(method: string, params: Record<string, unknown>, config: Record<string, unknown>): Record<string, string>;
  };
  return util.sign(method, params, { appId: APP_ID, charset: "utf-8", version: "1.0", signType: "RSA2", privateKey: privateKeyPem });
}

/**
 * Both independent checks of a recorded request: alipay-sdk's verifier (given the app's public key as its
 * "Alipay public key", it checks the request string with sign_type kept, Alipay's rule for requests), and
 * alipay-sdk's own signer producing the same `sign` for the same parameters (RSA PKCS#1 v1.5 is deterministic).
 */
export function sdkAgrees(request: Recorded, keys: AlipayKeys): { verifies: boolean; sameSign: boolean } {
  const { AlipaySdk } = alipaySdk();
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: keys.appPrivatePem, alipayPublicKey: keys.appPublicPem });
  const verifies = sdk.checkNotifySignV2({ ...request.params });
  const { app_id: _a, method, charset: _c, version: _v, sign_type: _t, sign, biz_content, ...rest } = request.params;
  const sdkParams: Record<string, unknown> = { ...rest };
  if (biz_content) sdkParams.bizContent = JSON.parse(biz_content);
  const signed = alipaySdkSign(method!, sdkParams, keys.appPrivatePem);
  return { verifies, sameSign: signed.sign === sign && signed.biz_content === biz_content };
}
