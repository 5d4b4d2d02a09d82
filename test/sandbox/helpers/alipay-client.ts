/**
 * A tiny OpenAPI v2 client for the sandbox tests, written from Alipay's documented rules (not from the
 * library under test): sign the sorted non-empty parameters except `sign`, RSA2, send as a form.
 */
import { createSign, createVerify, type KeyLike } from "node:crypto";
import type { AlipaySandboxApp, AlipaySandboxKeys } from "../../../scripts/sandbox/pki";

export interface CallOptions {
  /** Replace or remove (undefined) public parameters before signing. */
  params?: Record<string, string | undefined>;
  /** Replace parameters after signing (tampering). */
  tamper?: Record<string, string>;
  /** Sign with another private key. */
  privateKeyPem?: string;
  /** Raw biz_content text instead of JSON.stringify(biz). */
  rawBiz?: string;
  /** Put every parameter in the form body (default: public parameters in the query, as alipay-sdk does). */
  allInBody?: boolean;
}

export const signedText = (params: Record<string, string>) =>
  Object.keys(params)
    .filter((key) => key !== "sign" && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");

export const rsa2 = (content: string, key: KeyLike) => createSign("RSA-SHA256").update(content, "utf8").sign(key, "base64");
export const verifyRsa2 = (content: string, sign: string, key: KeyLike) => createVerify("RSA-SHA256").update(content, "utf8").verify(key, sign, "base64");

/** Beijing `yyyy-MM-dd HH:mm:ss`. */
export const beijingNow = (ms = Date.now()) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19).replace("T", " ");

export function signedParams(
  keys: AlipaySandboxKeys,
  app: AlipaySandboxApp,
  method: string,
  biz: Record<string, unknown> | undefined,
  options: CallOptions = {},
): Record<string, string> {
  const params: Record<string, string> = {
    app_id: app.appId,
    method,
    format: "JSON",
    charset: "utf-8",
    sign_type: "RSA2",
    timestamp: beijingNow(),
    version: "1.0",
  };
  if (app.mode === "cert") {
    params.app_cert_sn = keys.appCertSn;
    params.alipay_root_cert_sn = keys.alipayRootCertSn;
  }
  if (biz !== undefined || options.rawBiz !== undefined) params.biz_content = options.rawBiz ?? JSON.stringify(biz);
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  params.sign = rsa2(signedText(params), options.privateKeyPem ?? app.appPrivateKeyPem);
  return { ...params, ...options.tamper };
}

export interface GatewayReply {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
  /** The `<method>_response` (or `error_response`) object. */
  response: any;
  responseKey: string;
}

export async function callGateway(gatewayUrl: string, params: Record<string, string>, options: { allInBody?: boolean } = {}): Promise<GatewayReply> {
  const url = new URL(gatewayUrl);
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (!options.allInBody && key !== "biz_content") url.searchParams.set(key, value);
    else form.set(key, value);
  }
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" }, body: form.toString() });
  const text = await response.text();
  const json = JSON.parse(text);
  const responseKey = Object.keys(json).find((key) => key.endsWith("_response"))!;
  return { status: response.status, contentType: response.headers.get("content-type"), text, json, response: json[responseKey], responseKey };
}

/** The exact text of the `<key>` value: from its `{` to the matching `}` (strings may hold braces). */
export function rawResponseValue(text: string, responseKey: string): string {
  const start = text.indexOf(`"${responseKey}":`) + responseKey.length + 3;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error("unbalanced response");
}
