import type { IncomingMessage, ServerResponse } from "node:http";

/** What every sandbox's HTTP side needs: the exact request bytes and plain replies. */

const MAX_BODY_BYTES = 1024 * 1024;

/** The raw request bytes (signatures are checked on exactly what arrived), or undefined past 1 MiB. */
export function readRawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Resolve rather than reject: the caller answers in the platform's own error shape.
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(value), "application/json; charset=utf-8", headers);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendText(res, status, html, "text/html; charset=utf-8", { "cache-control": "no-store" });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
