import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

export { isRecord, readRawBody, sendHtml, sendJson, sendText } from "../http";

/** A v3 API reply: `sign(body)` adds the `Wechatpay-*` headers over the exact bytes sent. */
export function sendSigned(res: ServerResponse, status: number, value: unknown, sign: (body: string) => Record<string, string>): void {
  const body = value === undefined ? "" : JSON.stringify(value);
  const headers: Record<string, string> = { "request-id": randomUUID().replace(/-/g, "").toUpperCase(), ...sign(body) };
  if (body) {
    headers["content-type"] = "application/json; charset=utf-8";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  res.writeHead(status, headers);
  res.end(body);
}
