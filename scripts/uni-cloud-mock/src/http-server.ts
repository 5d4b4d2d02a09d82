import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ClientInfo } from "./context";
import { handleCors, type CorsPolicy } from "./cors";
import { UniCloudError } from "./errors";
import { buildHttpEvent, composeHttpReply } from "./http-event";
import type { CloudFunction } from "./function-loader";
import { matchHttpPath } from "./function-loader";

/** A handler mounted under a path prefix (the sandboxes, the web console). Returns false to pass. */
export type MountedHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean | void> | boolean | void;

export interface InvokeRequest {
  source: "client" | "http";
  clientInfo?: ClientInfo;
  clientIP?: string;
  userAgent?: string;
  uniIdToken?: string;
}

export interface ServerBackend {
  functions(): CloudFunction[];
  invoke(name: string, event: unknown, request: InvokeRequest): Promise<{ result: unknown; requestId: string }>;
  mounts(): Array<{ prefix: string; handler: MountedHandler }>;
  maxBodyBytes: number;
  /** Which other origins' pages may call the client endpoints from a browser. */
  cors: CorsPolicy;
  log(line: string): void;
}

/** Reads the whole body, refusing more than `limit` bytes (Aliyun caps request bodies at 2 MB). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new UniCloudError("RequestContentLength.Exceeded", `request body exceeds ${limit} bytes`, 413));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new UniCloudError("RequestContentLength.Exceeded", `request body exceeds ${limit} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function clientIP(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

const CALL_FUNCTION_PREFIX = "/__callFunction/";

/** The uni-app client's view: `POST /__callFunction/<name>` with `{ event, clientInfo }`. */
async function serveClientCall(backend: ServerBackend, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (req.method !== "POST") throw new UniCloudError("MissingMethod", "use POST for /__callFunction", 405);
  const name = decodeURIComponent(url.pathname.slice(CALL_FUNCTION_PREFIX.length));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UniCloudError("InvalidParams.Format", "invalid function name", 400);
  const raw = await readBody(req, backend.maxBodyBytes);
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new UniCloudError("InvalidBody.Format", "request body is not valid JSON", 400);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new UniCloudError("InvalidBody.Format", "request body must be { event, clientInfo }", 400);
  }
  const { event = {}, clientInfo = {} } = payload as { event?: unknown; clientInfo?: unknown };
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new UniCloudError("InvalidParams.Format", "event must be an object", 400);
  }
  if (typeof clientInfo !== "object" || clientInfo === null || Array.isArray(clientInfo)) {
    throw new UniCloudError("InvalidParams.Format", "clientInfo must be an object", 400);
  }
  const token = (event as { uniIdToken?: unknown }).uniIdToken;
  const reply = await backend.invoke(name, event, {
    source: "client",
    clientInfo: clientInfo as ClientInfo,
    clientIP: clientIP(req),
    userAgent: req.headers["user-agent"] ?? "",
    uniIdToken: typeof token === "string" ? token : undefined,
  });
  sendJson(res, 200, { result: reply.result, requestId: reply.requestId });
}

/** A URL化 call: the integration-request event in, the integration response out. */
async function serveHttpFunction(backend: ServerBackend, fn: CloudFunction, relativePath: string, req: IncomingMessage, res: ServerResponse, url: URL) {
  const body = await readBody(req, backend.maxBodyBytes);
  const event = buildHttpEvent({ relativePath, method: req.method ?? "GET", headers: req.headers, search: url.searchParams, body });
  const reply = await backend.invoke(fn.name, event, {
    source: "http",
    clientIP: clientIP(req),
    userAgent: req.headers["user-agent"] ?? "",
  });
  const composed = composeHttpReply(reply.result);
  res.writeHead(composed.statusCode, { ...composed.headers, "content-length": composed.body.length });
  res.end(composed.body);
}

export function createHttpServer(backend: ServerBackend): Server {
  return createServer((req, res) => {
    void handle(backend, req, res);
  });
}

async function handle(backend: ServerBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://127.0.0.1");
  } catch {
    sendJson(res, 400, { errCode: "InvalidParams.Format", errMsg: "malformed request URL" });
    return;
  }
  try {
    // The endpoints a uni-app client calls; the sandboxes and the console are not for other origins.
    const match = matchHttpPath(backend.functions(), url.pathname);
    const clientEndpoint = url.pathname.startsWith(CALL_FUNCTION_PREFIX) || match !== undefined;
    if (clientEndpoint && handleCors(req, res, backend.cors)) return;
    for (const { prefix, handler } of backend.mounts()) {
      if (url.pathname === prefix || url.pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`)) {
        if ((await handler(req, res, url)) !== false) return;
      }
    }
    if (url.pathname.startsWith(CALL_FUNCTION_PREFIX)) {
      await serveClientCall(backend, req, res, url);
      return;
    }
    if (match) {
      await serveHttpFunction(backend, match.fn, match.path, req, res, url);
      return;
    }
    sendJson(res, 404, { errCode: "InvalidPath.NotFound", errMsg: `no function serves ${url.pathname}` });
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof UniCloudError) {
      sendJson(res, error.httpStatus, { errCode: error.errCode, errMsg: error.errMsg });
      return;
    }
    backend.log(`request ${req.method} ${url.pathname} failed: ${(error as Error)?.stack ?? String(error)}`);
    sendJson(res, 500, { errCode: "FunctionBizError", errMsg: "the function failed; see the emulator's log" });
  }
}
