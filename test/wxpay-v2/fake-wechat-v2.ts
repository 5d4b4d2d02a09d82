import { join } from "node:path";
import { Hash, Transformer } from "wechatpay-axios-plugin";
import type { ProviderRuntime } from "../../common/vk-uni-pay/src/kernel/contract";

/**
 * A recording stand-in for WeChat Pay API v2 behind `ProviderRuntime.request`. It is deliberately built on
 * an independent implementation (wechatpay-axios-plugin's XML transformer and signer), so our requests are
 * parsed and verified, and our answers signed, by code that is not ours.
 */

export const V3_FIXTURES = join(__dirname, "..", "fixtures", "wechat-v3");
export const CLIENT_KEY_PATH = join(V3_FIXTURES, "yansongda_merchant_private_key.pem");
export const CLIENT_CERT_PATH = join(V3_FIXTURES, "yansongda_merchant_cert_25F8AA5452D55497C24BA57DC81B1E5915DC2E77.pem");
export const FIXTURES = join(__dirname, "fixtures");
export const MCH_ID = "1900000109";
export const APP_ID = "wxd678efh567hg6787";
export const API_KEY = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d";
export const NOW = Date.UTC(2026, 0, 15, 4, 0, 0);
export const BASE = "https://wechat.test/v2";
export const SECAPI_BASE = "https://secapi.wechat.test:8443";

export function v2Config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.freeze({
    version: 2,
    appId: APP_ID,
    mchId: MCH_ID,
    key: API_KEY,
    appCertPath: CLIENT_CERT_PATH,
    appPrivateKeyPath: CLIENT_KEY_PATH,
    baseUrl: BASE,
    secapiBaseUrl: SECAPI_BASE,
    ...overrides,
  });
}

export interface V2Recorded {
  url: string;
  path: string;
  fields: Record<string, string>;
  options: Record<string, unknown>;
  /** The request's signature checked with wechatpay-axios-plugin's Hash. */
  signatureValid: boolean;
}

export interface V2Answer {
  /** Fields merged over the default success answer, then signed. */
  fields?: Record<string, string>;
  /** Sent as it is, no signing (a FAIL answer, a hostile document). */
  raw?: string;
  /** Sign with another key (a forged answer). */
  signKey?: string;
  /** Sign the answer with this algorithm instead of the request's (WeChat answers in the request's). */
  signType?: "MD5" | "HMAC-SHA256";
  /** Change the fields after signing (a tampered answer). */
  tamper?: (fields: Record<string, string>) => void;
  status?: number;
  /** Throw instead of answering (a timeout). */
  fail?: boolean;
}

export type V2Route = (request: V2Recorded) => V2Answer;

export class FakeWechatV2 {
  readonly requests: V2Recorded[] = [];
  now = NOW;
  key = API_KEY;
  private readonly routes = new Map<string, V2Route>();

  on(path: string, route: V2Route): this {
    this.routes.set(path, route);
    return this;
  }

  calls(path: string): V2Recorded[] {
    return this.requests.filter((request) => request.path === path);
  }

  readonly runtime: ProviderRuntime = {
    now: () => this.now,
    request: async (url, options) => this.handle(url, options),
  };

  /** A `wait` for the pay-code loop: advances the fake clock instead of sleeping, and records the waits. */
  readonly waits: number[] = [];
  readonly wait = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.now += ms;
  };

  private handle(url: string, options: Record<string, unknown>) {
    const base = url.startsWith(SECAPI_BASE) ? SECAPI_BASE : url.startsWith(BASE) ? BASE : undefined;
    if (!base) throw new Error(`unexpected host: ${url}`);
    const path = url.slice(base.length);
    const content = typeof options.content === "string" ? options.content : "";
    const fields = Transformer.toObject(content) as Record<string, string>;
    const type = fields.sign_type === "HMAC-SHA256" ? "HMAC-SHA256" : "MD5";
    const recorded: V2Recorded = { url, path, fields, options, signatureValid: Hash.equals(Hash.sign(type, fields, this.key), fields.sign) };
    this.requests.push(recorded);
    const route = this.routes.get(path);
    if (!route) throw new Error(`no route for ${path}`);
    const answer = route(recorded);
    if (answer.fail) throw new Error("ETIMEDOUT");
    let body = answer.raw;
    if (body === undefined) {
      const out: Record<string, string> = {
        return_code: "SUCCESS",
        return_msg: "OK",
        appid: fields.appid ?? "",
        mch_id: fields.mch_id ?? "",
        nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        result_code: "SUCCESS",
        ...answer.fields,
      };
      out.sign = Hash.sign(answer.signType ?? type, out, answer.signKey ?? this.key);
      answer.tamper?.(out);
      body = Transformer.toXml(out);
    }
    return Promise.resolve({ status: answer.status ?? 200, headers: { "content-type": "text/xml" }, data: Buffer.from(body, "utf8") });
  }
}

/** A v2 document signed with wechatpay-axios-plugin (a notification as WeChat would send it). */
export function signedXml(fields: Record<string, string>, key = API_KEY, type: "MD5" | "HMAC-SHA256" = "MD5"): string {
  return Transformer.toXml({ ...fields, sign: Hash.sign(type, fields, key) });
}
