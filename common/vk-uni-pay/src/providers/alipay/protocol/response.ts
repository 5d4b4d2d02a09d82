import type { KeyObject } from "node:crypto";
import { AlipaySignatureError, AlipayValidationError } from "./errors";
import type { KeyMaterial } from "./keys";
import { verifyRsa2 } from "./sign";

/**
 * Gateway responses: `{"<method>_response":{…},"sign":"…"}` (plus `alipay_cert_sn` in certificate mode), or
 * `error_response` when the gateway refuses before the method runs. Alipay signs the raw text of the
 * `…_response` value, so we cut that exact substring out of the received text; re-serializing parsed JSON would
 * lose escapes such as `\/` and key order and make genuine responses fail (or, worse, make us verify
 * something other than what we then read).
 *
 * @see https://opendocs.alipay.com/common/02mse7 (同步响应验签)
 */

/** Top-level members of a JSON object, each with the raw text of its value. */
interface RawMember {
  key: string;
  raw: string;
}

export interface AlipayResponseParts {
  /** The member key found: `<method>_response` or `error_response`. */
  responseKey: string;
  /** The exact substring that Alipay signed (the value of `responseKey`, braces included). */
  signedContent: string;
  /** Top-level `sign`, when present. */
  sign?: string;
  /** Top-level `alipay_cert_sn` (certificate mode), when present. */
  alipayCertSn?: string;
}

export interface VerifiedAlipayResponse extends AlipayResponseParts {
  sign: string;
  /** The parsed `signedContent`: only what the signature covers. */
  body: Record<string, unknown>;
  /** True when the gateway answered `error_response` (still signed and verified). */
  isErrorResponse: boolean;
}

/**
 * `alipay.trade.query` → `alipay_trade_query_response`.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function alipayResponseKey(method: string): string {
  if (typeof method !== "string" || !/^[a-z0-9]+(\.[a-z0-9]+)+$/i.test(method)) {
    throw new AlipayValidationError("alipay-invalid-input", "method must look like alipay.trade.query");
  }
  return `${method.replace(/\./g, "_")}_response`;
}

/**
 * Cuts the signed substring, `sign` and `alipay_cert_sn` out of the raw response text, scanning the JSON
 * (strings and nesting respected) instead of searching for markers, so a `"sign"` key or a look-alike
 * `…_response"` inside a value cannot move the cut.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function extractAlipayResponse(rawText: string | Buffer, method: string): AlipayResponseParts {
  const text = typeof rawText === "string" ? rawText : rawText.toString("utf8");
  const wanted = alipayResponseKey(method);
  const members = scanTopLevelObject(text);
  const find = (key: string) => members.find((member) => member.key === key);
  const response = find(wanted) ?? find("error_response");
  if (!response || !response.raw.startsWith("{")) {
    throw new AlipayValidationError("alipay-response-malformed", `response has no ${wanted} object`);
  }
  const parts: AlipayResponseParts = { responseKey: response.key, signedContent: response.raw };
  const sign = find("sign");
  if (sign) parts.sign = stringValue(sign, "sign");
  const certSn = find("alipay_cert_sn");
  if (certSn) parts.alipayCertSn = stringValue(certSn, "alipay_cert_sn");
  return parts;
}

/**
 * Extracts and verifies a gateway response; throws unless `sign` is present and valid over the exact
 * substring. Only then is the content parsed and returned.
 *
 * @see https://opendocs.alipay.com/common/02mse7
 */
export function verifyAlipayResponse(rawText: string | Buffer, method: string, alipayPublicKey: KeyMaterial | KeyObject): VerifiedAlipayResponse {
  const parts = extractAlipayResponse(rawText, method);
  if (parts.sign === undefined || parts.sign === "") {
    // Alipay omits `sign` on some gateway errors (e.g. a wrong app_id); nothing unsigned is trusted.
    throw new AlipaySignatureError("alipay-signature-missing", `${parts.responseKey} is not signed`);
  }
  if (!verifiesWithSlashesUnescaped(parts.signedContent, parts.sign, alipayPublicKey)) {
    throw new AlipaySignatureError("alipay-signature-invalid", `${parts.responseKey} signature does not verify`);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(parts.signedContent) as Record<string, unknown>;
  } catch {
    throw malformed();
  }
  return { ...parts, sign: parts.sign, body, isErrorResponse: parts.responseKey === "error_response" };
}

/**
 * Verifies the exact substring, then, only if that fails and the text holds `\/`, the same text with each
 * `\/` read as `/`: Alipay may sign a value with plain slashes that its JSON writer then escapes, and the
 * official Java and .NET SDKs retry the same way (`AbstractAlipayClient.checkResponseSign`). The retry
 * changes nothing else, so any other difference still fails.
 *
 * @see https://opendocs.alipay.com/common/02mse7 (同步响应验签)
 */
function verifiesWithSlashesUnescaped(content: string, sign: string, alipayPublicKey: KeyMaterial | KeyObject): boolean {
  if (verifyRsa2(content, sign, alipayPublicKey)) return true;
  return content.includes("\\/") && verifyRsa2(content.split("\\/").join("/"), sign, alipayPublicKey);
}

function stringValue(member: RawMember, name: string): string {
  const value: unknown = JSON.parse(member.raw);
  if (typeof value !== "string") throw new AlipayValidationError("alipay-response-malformed", `${name} is not a string`);
  return value;
}

function malformed(): AlipayValidationError {
  return new AlipayValidationError("alipay-response-malformed", "response is not a JSON object");
}

const WS = new Set([" ", "\t", "\n", "\r"]);

function skipWs(text: string, at: number): number {
  while (at < text.length && WS.has(text[at]!)) at++;
  return at;
}

/** Index just past the JSON string starting at `at` (which must be `"`). */
function endOfString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") i++;
    else if (ch === '"') return i + 1;
  }
  throw malformed();
}

/** Index just past the JSON value starting at `at`. */
function endOfValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return endOfString(text, at);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') i = endOfString(text, i) - 1;
      else if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw malformed();
  }
  let i = at;
  while (i < text.length && !WS.has(text[i]!) && text[i] !== "," && text[i] !== "}") i++;
  if (i === at) throw malformed();
  return i;
}

function scanTopLevelObject(text: string): RawMember[] {
  const members: RawMember[] = [];
  let at = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[at] !== "{") throw malformed();
  at = skipWs(text, at + 1);
  if (text[at] === "}") return members;
  for (;;) {
    if (text[at] !== '"') throw malformed();
    const keyEnd = endOfString(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipWs(text, keyEnd);
    if (text[at] !== ":") throw malformed();
    at = skipWs(text, at + 1);
    const valueEnd = endOfValue(text, at);
    members.push({ key, raw: text.slice(at, valueEnd) });
    at = skipWs(text, valueEnd);
    if (text[at] === ",") {
      at = skipWs(text, at + 1);
      continue;
    }
    if (text[at] === "}") break;
    throw malformed();
  }
  if (skipWs(text, at + 1) !== text.length) throw malformed();
  // A duplicated key would let a reader and the verifier see different members; refuse it outright.
  if (new Set(members.map((member) => member.key)).size !== members.length) {
    throw new AlipayValidationError("alipay-response-malformed", "response has a duplicated top-level key");
  }
  return members;
}
