import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { HttpClientError, describeTarget } from "./errors";
import type { PreparedRequest } from "./encode";
import type { HttpRequestOptions } from "./types";

export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
  remotePort: number;
  keepAliveSocket: boolean;
}

export interface TransportLimits {
  connectTimeout: number;
  responseTimeout: number;
  maxResponseSize: number;
}

const TLS_OPTION_NAMES = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "ciphers", "secureProtocol", "servername"] as const;

function pickSocketOptions(url: URL, options: HttpRequestOptions): https.RequestOptions {
  const picked: https.RequestOptions = {};
  if (options.lookup) picked.lookup = options.lookup;
  if (url.protocol !== "https:") {
    if (options.agent !== undefined) picked.agent = options.agent;
    return picked;
  }
  for (const name of TLS_OPTION_NAMES) {
    if (options[name] !== undefined) (picked as Record<string, unknown>)[name] = options[name];
  }
  if (options.httpsAgent !== undefined) picked.agent = options.httpsAgent;
  return picked;
}

/**
 * Sends one hop and buffers the reply. Two timers as urllib: the connect timer runs until the socket is
 * connected, then the response timer runs until the last byte of the body.
 */
export function sendOnce(hop: PreparedRequest, options: HttpRequestOptions, limits: TransportLimits): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const lib = hop.url.protocol === "https:" ? https : http;
    let settled = false;
    let status = -1;
    let headers: IncomingHttpHeaders = {};
    let timer: NodeJS.Timeout | undefined;

    const fail = (error: HttpClientError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      error.message += describeTarget(hop.method, hop.url, status);
      error.status = status;
      error.headers = headers;
      reject(error);
      req?.destroy();
    };

    let req: http.ClientRequest | undefined;
    try {
      req = lib.request(hop.url, { method: hop.method, headers: hop.headers, ...pickSocketOptions(hop.url, options) });
    } catch (error) {
      // Node validates the method and header values synchronously.
      const reason = error instanceof Error ? error.message : String(error);
      fail(new HttpClientError("RequestError", reason, { code: (error as NodeJS.ErrnoException).code, cause: error }));
      return;
    }
    const request = req;

    timer = setTimeout(() => {
      fail(new HttpClientError("ConnectionTimeoutError", `Connect timeout for ${limits.connectTimeout}ms`));
    }, limits.connectTimeout);

    const startResponseTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fail(new HttpClientError("ResponseTimeoutError", `Response timeout for ${limits.responseTimeout}ms`));
      }, limits.responseTimeout);
    };

    request.on("socket", (socket) => {
      // A kept-alive socket from the agent is already connected: only the response timer applies.
      if (socket.connecting) socket.once("connect", startResponseTimer);
      else startResponseTimer();
    });

    request.on("error", (error: NodeJS.ErrnoException) => {
      // Before any response (refused, reset, TLS verification) it is the request that failed.
      fail(new HttpClientError(status === -1 ? "RequestError" : "ResponseError", error.message, { code: error.code, cause: error }));
    });

    request.on("response", (res) => {
      status = res.statusCode ?? -1;
      headers = res.headers;
      // Read now: a kept-alive socket goes back to the agent (and off `res`) once the body ends.
      const remoteAddress = res.socket?.remoteAddress ?? "";
      const remotePort = res.socket?.remotePort ?? 0;
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limits.maxResponseSize) {
        fail(tooLarge(limits.maxResponseSize, declared));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseSize) fail(tooLarge(limits.maxResponseSize, size));
        else chunks.push(chunk);
      });
      res.on("error", (error: NodeJS.ErrnoException) => {
        fail(new HttpClientError("ResponseError", error.message, { code: error.code, cause: error }));
      });
      res.on("close", () => {
        if (!res.complete) fail(new HttpClientError("ResponseError", "Response aborted before the body was complete"));
      });
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status,
          statusMessage: res.statusMessage ?? "",
          headers,
          body: Buffer.concat(chunks, size),
          remoteAddress,
          remotePort,
          keepAliveSocket: request.reusedSocket,
        });
      });
    });

    request.end(hop.body ?? undefined);
  });
}

function tooLarge(limit: number, seen: number): HttpClientError {
  return new HttpClientError("ResponseSizeError", `Response body exceeds the ${limit} byte limit (at least ${seen} bytes)`);
}
