/**
 * WeChat Pay API v2 wire format: flat `<xml>` documents and the MD5 / HMAC-SHA256 `sign`, written
 * independently of the library so the sandbox checks what the library sends.
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3 (安全规范: 签名算法)
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=23_5 (XML 外部实体注入防护)
 */
import { createHash, createHmac, createCipheriv, timingSafeEqual } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import type { V2SignType } from "./types";

export type V2Fields = Record<string, string>;

export class V2XmlError extends Error {}

// Entities and DTDs are refused before parsing: WeChat's XXE advisory asks merchants to do the same,
// and the sandbox holds the library to it by never sending any.
const FORBIDDEN = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // Whitespace between elements goes; CDATA keeps its exact text, which is what was signed.
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** The fields of a v2 document; throws V2XmlError for anything but a flat `<xml>` of unique text fields. */
export function parseV2Xml(text: string): V2Fields {
  if (FORBIDDEN.test(text)) throw new V2XmlError("XML 不允许包含 DOCTYPE 或实体声明");
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw new V2XmlError(`XML格式错误: ${(error as Error).message}`);
  }
  const root = (parsed as Record<string, unknown> | undefined)?.xml;
  if (root === undefined || root === null || Object.keys(parsed as object).length !== 1) throw new V2XmlError("XML格式错误: 根元素必须是 <xml>");
  if (root === "") return {};
  if (typeof root !== "object" || Array.isArray(root)) throw new V2XmlError("XML格式错误: <xml> 必须只包含字段");
  const fields: V2Fields = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (name === "#text") throw new V2XmlError("XML格式错误: <xml> 下不能有文本");
    if (typeof value !== "string") throw new V2XmlError(`XML格式错误: 字段 ${name} 重复或含子元素`);
    fields[name] = value;
  }
  return fields;
}

const cdata = (value: string) => `<![CDATA[${value.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;

/** `<xml>` with every value in CDATA, as WeChat writes its responses and notifications. */
export function buildV2Xml(fields: Record<string, string | number | undefined>, root = "xml"): string {
  const parts = Object.entries(fields)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => (typeof value === "number" ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`));
  return `<${root}>${parts.join("")}</${root}>`;
}

/** `k1=v1&k2=v2…&key=KEY` over every non-empty field but `sign`, names in ASCII order, values raw. */
export function v2SignString(fields: Record<string, string | number | undefined>, key: string): string {
  const pairs = Object.keys(fields)
    .filter((name) => name !== "sign" && fields[name] !== undefined && fields[name] !== "")
    .sort()
    .map((name) => `${name}=${fields[name]}`);
  return `${pairs.join("&")}&key=${key}`;
}

export function signV2(fields: Record<string, string | number | undefined>, key: string, type: V2SignType): string {
  const text = v2SignString(fields, key);
  const digest = type === "HMAC-SHA256" ? createHmac("sha256", key).update(text, "utf8") : createHash("md5").update(text, "utf8");
  return digest.digest("hex").toUpperCase();
}

/** Compares in constant time; WeChat's signatures are uppercase hex, a lowercase one is accepted as the same value. */
export function verifyV2(fields: V2Fields, key: string, type: V2SignType): boolean {
  const received = Buffer.from((fields.sign ?? "").toUpperCase());
  const expected = Buffer.from(signV2(fields, key, type));
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Fields plus their `sign`, ready for buildV2Xml. */
export function signedV2(fields: Record<string, string | number | undefined>, key: string, type: V2SignType): Record<string, string | number | undefined> {
  return { ...fields, sign: signV2(fields, key, type) };
}

/**
 * `req_info` of a refund notification: AES-256-ECB, PKCS#7, key = lowercase hex MD5 of the v2 key used
 * as 32 ASCII bytes, base64.
 * @see https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10 (退款结果通知)
 */
export function encryptReqInfo(plaintext: string, key: string): string {
  const aesKey = Buffer.from(createHash("md5").update(key, "utf8").digest("hex"), "ascii");
  const cipher = createCipheriv("aes-256-ecb", aesKey, null);
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

/** `yyyyMMddHHmmss` in Beijing time: v2's time format (time_end, time_expire). */
export function compactTime(ms: number): string {
  const d = new Date(ms + 8 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time: refund success times in v2. */
export function dashedTime(ms: number): string {
  const c = compactTime(ms);
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)} ${c.slice(8, 10)}:${c.slice(10, 12)}:${c.slice(12, 14)}`;
}

/** Epoch ms of a `yyyyMMddHHmmss` Beijing time, or undefined when malformed. */
export function parseCompactTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - 8 * 3600 * 1000;
  return compactTime(ms) === text ? ms : undefined;
}
