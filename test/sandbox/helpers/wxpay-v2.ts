/**
 * A merchant's side of WeChat Pay API v2 for the tests, on wechatpay-axios-plugin's Hash (signatures) and
 * Transformer (XML) plus node's https for mutual TLS, so the sandbox is checked against code it shares
 * nothing with.
 */
import { request as httpsRequest } from "node:https";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { Hash, Transformer } from "wechatpay-axios-plugin";

export type SignType = "MD5" | "HMAC-SHA256";
export type Xml = Record<string, string>;

export interface V2Identity {
  appid: string;
  mch_id: string;
  key: string;
}

/** The client certificate a `/secapi` call presents (PEM pair, or a .p12 with its password). */
export interface ClientTls {
  cert?: string;
  key?: string;
  pfx?: Buffer;
  passphrase?: string;
  /** The CA the client trusts for the server certificate (the sandbox root). */
  ca?: string;
}

export const nonce = () => randomBytes(12).toString("hex");

/** The request fields signed as the merchant would: `sign` over everything else, `sign_type` included when not MD5. */
export function signRequest(identity: V2Identity, fields: Record<string, string | number>, signType: SignType = "MD5"): Record<string, string> {
  const data: Record<string, string> = { appid: identity.appid, mch_id: identity.mch_id, nonce_str: nonce() };
  for (const [name, value] of Object.entries(fields)) data[name] = String(value);
  if (signType !== "MD5") data.sign_type = signType;
  data.sign = Hash.sign(signType, data, identity.key);
  return data;
}

export const toXml = (fields: Record<string, string>) => Transformer.toXml(fields) as string;
export const fromXml = (xml: string) => Transformer.toObject(xml) as Xml;

/** True when `fields.sign` is the merchant-key signature of the rest, by the algorithm its length implies. */
export function responseVerifies(fields: Xml, key: string): boolean {
  const type = fields.sign?.length === 64 ? "HMAC-SHA256" : "MD5";
  return fields.sign !== undefined && Hash.equals(Hash.sign(type, fields, key), fields.sign);
}

/** POSTs raw XML over plain HTTP. */
export async function postXml(url: string, body: string, method = "POST"): Promise<{ status: number; text: string; xml: Xml }> {
  const response = await fetch(url, { method, headers: { "content-type": "text/xml" }, body: method === "GET" ? undefined : body });
  const text = await response.text();
  return { status: response.status, text, xml: fromXml(text) };
}

/** Signs and POSTs a v2 call over plain HTTP. */
export function callV2(base: string, identity: V2Identity, path: string, fields: Record<string, string | number>, signType: SignType = "MD5") {
  return postXml(`${base}${path}`, toXml(signRequest(identity, fields, signType)));
}

/** POSTs XML over HTTPS with an optional client certificate; resolves the reply or the TLS error. */
export function postXmlTls(url: string, body: string, tls: ClientTls): Promise<{ status: number; text: string; xml: Xml }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: "POST", headers: { "content-type": "text/xml" }, ...tls, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, text, xml: fromXml(text) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface V2Receiver {
  url: string;
  received: string[];
  /** The XML bodies the next deliveries are answered with (default a SUCCESS acknowledgement). */
  answerNext(...bodies: string[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export const ACK = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/** A merchant's v2 notify endpoint: records each body and answers as told. */
export async function startV2Receiver(): Promise<V2Receiver> {
  const received: string[] = [];
  const answers: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(answers.shift() ?? ACK);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify/wxpay`,
    received,
    answerNext: (...bodies) => answers.push(...bodies),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} v2 notifications, got ${received.length}`);
        await new Promise((wake) => setTimeout(wake, 20));
      }
      return received;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
