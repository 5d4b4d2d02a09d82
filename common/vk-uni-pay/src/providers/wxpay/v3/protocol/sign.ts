import { randomBytes, sign, type KeyObject } from "node:crypto";
import { WxpayV3SignatureError, WxpayV3ValidationError } from "./errors";

/**
 * Request signing for WeChat Pay API v3: the five-line message, SHA256withRSA with the merchant key, and
 * the `Authorization` header (built here for the client, parsed here for the sandbox).
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */

export const WXPAY_V3_AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048";

/**
 * A random nonce: 32 uppercase hex characters, within the documented 32-character limit.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function createNonce(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/**
 * Seconds since the epoch as WeChat Pay writes them: a decimal string.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function currentTimestamp(nowMs: number = Date.now()): string {
  return String(Math.floor(nowMs / 1000));
}

function assertLine(value: unknown, what: string): string {
  // A newline inside a field would shift every later line of the message and sign something else.
  if (typeof value !== "string" || value === "" || /[\r\n]/.test(value)) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", `${what} must be a non-empty single-line string`);
  }
  return value;
}

function assertTimestamp(value: unknown): string {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^[0-9]{1,12}$/.test(text)) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "timestamp must be whole seconds");
  }
  return text;
}

/**
 * The URL part that is signed: path plus raw query. WeChat Pay signs what it received on its own host, so
 * scheme and host never belong, and neither does a `baseUrl` path prefix: pass the official path or URL.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function toCanonicalUrl(url: string): string {
  if (typeof url !== "string") throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "url must be a string");
  let rest = url;
  const absolute = /^https?:\/\/[^/?#]+/i.exec(url);
  if (absolute) {
    rest = url.slice(absolute[0].length);
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  rest = rest.split("#")[0] ?? "";
  // The query stays raw: re-encoding it would sign bytes other than those sent.
  if (!rest.startsWith("/") || rest.startsWith("//") || /[\r\n\s]/.test(rest)) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "canonical URL must be an absolute path with an optional query");
  }
  return rest;
}

export interface RequestSignMessageInput {
  method: string;
  /** Path plus raw query, e.g. `/v3/pay/transactions/id/42?mchid=1230000109`. */
  canonicalUrl: string;
  timestamp: string | number;
  nonce: string;
  /** The exact body string sent; empty for GET and other bodiless requests. */
  body?: string;
}

/**
 * `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`: every line ends in `\n`, the last included, so a GET
 * ends in `\n\n`.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function buildRequestSignMessage(input: RequestSignMessageInput): string {
  const method = assertLine(input.method, "method").toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "method must be an HTTP verb");
  const url = toCanonicalUrl(assertLine(input.canonicalUrl, "canonical URL"));
  if (url !== input.canonicalUrl) {
    throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "canonical URL must be a path; use toCanonicalUrl() first");
  }
  const body = input.body ?? "";
  if (typeof body !== "string") throw new WxpayV3ValidationError("wxpay-v3-invalid-input", "body must be a string");
  return `${method}\n${url}\n${assertTimestamp(input.timestamp)}\n${assertLine(input.nonce, "nonce")}\n${body}\n`;
}

/**
 * SHA256withRSA (PKCS#1 v1.5), base64. Deterministic, which is what makes the published vectors comparable.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function signSha256WithRsa(message: string | Buffer, privateKey: KeyObject): string {
  return sign("sha256", typeof message === "string" ? Buffer.from(message, "utf8") : message, privateKey).toString("base64");
}

export interface AuthorizationParams {
  mchid: string;
  nonceStr: string;
  timestamp: string;
  /** The merchant API certificate serial, uppercase hex. */
  serialNo: string;
  signature: string;
}

const WIRE_NAMES = { mchid: "mchid", nonceStr: "nonce_str", timestamp: "timestamp", serialNo: "serial_no", signature: "signature" } as const;
type ParamName = keyof typeof WIRE_NAMES;
// wechatpay-go, wechatpay-java and yansongda write this order; the docs say the order does not matter.
const PARAM_ORDER: readonly ParamName[] = ["mchid", "nonceStr", "timestamp", "serialNo", "signature"];

/**
 * `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
 * Values with quotes, commas or control characters are refused: they would make the header ambiguous.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function formatAuthorization(params: AuthorizationParams): string {
  const pairs = PARAM_ORDER.map((name) => {
    const value = params[name];
    if (typeof value !== "string" || value === "" || /[",\\\x00-\x1f\x7f]/.test(value)) {
      throw new WxpayV3ValidationError("wxpay-v3-invalid-input", `${WIRE_NAMES[name]} is empty or has characters a header cannot carry`);
    }
    return `${WIRE_NAMES[name]}="${value}"`;
  });
  return `${WXPAY_V3_AUTH_SCHEMA} ${pairs.join(",")}`;
}

export interface SignRequestInput {
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  canonicalUrl: string;
  body?: string;
  /** Injected in tests; a fresh random nonce otherwise. */
  nonce?: string;
  /** Injected in tests; the current time otherwise. */
  timestamp?: string | number;
}

export interface SignedRequest {
  authorization: string;
  message: string;
  nonce: string;
  timestamp: string;
}

/**
 * Signs one request and builds its `Authorization` header.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function signRequest(input: SignRequestInput): SignedRequest {
  const nonce = input.nonce ?? createNonce();
  const timestamp = assertTimestamp(input.timestamp ?? currentTimestamp());
  const message = buildRequestSignMessage({ method: input.method, canonicalUrl: input.canonicalUrl, timestamp, nonce, body: input.body });
  const signature = signSha256WithRsa(message, input.privateKey);
  const authorization = formatAuthorization({ mchid: input.mchid, nonceStr: nonce, timestamp, serialNo: input.serialNo, signature });
  return { authorization, message, nonce, timestamp };
}

const MAX_AUTHORIZATION_LENGTH = 4096;

function malformed(reason: string): WxpayV3SignatureError {
  return new WxpayV3SignatureError("wxpay-v3-authorization-malformed", `Authorization header ${reason}`);
}

/**
 * Parses an `Authorization` header as WeChat Pay would (the sandbox verifies merchants with it). Strict:
 * the schema, all five parameters exactly once, quoted non-empty values, no unknown parameters.
 *
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
 */
export function parseAuthorization(header: unknown): AuthorizationParams {
  if (typeof header !== "string" || header.length > MAX_AUTHORIZATION_LENGTH) throw malformed("is missing or too long");
  const prefix = `${WXPAY_V3_AUTH_SCHEMA} `;
  if (!header.startsWith(prefix)) throw malformed(`does not use the ${WXPAY_V3_AUTH_SCHEMA} schema`);
  const byWire = new Map<string, ParamName>(PARAM_ORDER.map((name) => [WIRE_NAMES[name], name]));
  const found: Partial<Record<ParamName, string>> = {};
  const pair = /[ \t]*([a-z_]+)="([^"\\\x00-\x1f\x7f]*)"[ \t]*(,|$)/y;
  pair.lastIndex = prefix.length;
  while (pair.lastIndex < header.length) {
    const match = pair.exec(header);
    if (!match) throw malformed('is not a list of key="value" pairs');
    const [, key = "", value = "", separator] = match;
    const name = byWire.get(key);
    if (!name) throw malformed(`has an unknown parameter ${key}`);
    if (found[name] !== undefined) throw malformed(`repeats ${key}`);
    if (value === "") throw malformed(`has an empty ${key}`);
    found[name] = value;
    if (separator === "," && pair.lastIndex === header.length) throw malformed("ends with a comma");
  }
  for (const name of PARAM_ORDER) if (found[name] === undefined) throw malformed(`lacks ${WIRE_NAMES[name]}`);
  const params = found as AuthorizationParams;
  if (!/^[0-9]{1,12}$/.test(params.timestamp)) throw malformed("has a timestamp that is not whole seconds");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(params.signature)) throw malformed("has a signature that is not base64");
  return params;
}
