/**
 * `uniCloud.httpclient` for the emulator. In the cloud it is an urllib 2.x instance; payment code relies on a
 * subset of its options and on its result and error shapes, which this reproduces over node:http(s).
 * @see https://doc.dcloud.net.cn/uniCloud/cf-functions.html#httpclient
 */
import { HttpClientError, describeTarget } from "./httpclient/errors";
import { decodeBody } from "./httpclient/decode";
import { prepareRedirect, prepareRequest } from "./httpclient/encode";
import { sendWithFaults } from "./httpclient/faulty-send";
import type { TransportLimits } from "./httpclient/transport";
import type { HttpRequestOptions, HttpResponse, HttpResponseMeta } from "./httpclient/types";

export { HttpClientError } from "./httpclient/errors";
export type { HttpClientErrorName } from "./httpclient/errors";
export type { HttpRequestOptions, HttpResponse, HttpResponseMeta, ResponseDataType } from "./httpclient/types";

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_REDIRECTS = 10;
export const DEFAULT_MAX_RESPONSE_SIZE = 10 * 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function positive(value: unknown, fallback: number, what: string): number {
  // urllib treats a missing or zero value as "use the default".
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new HttpClientError("RequestError", `Invalid ${what}: ${String(value)}`);
  }
  return value;
}

function resolveLimits(options: HttpRequestOptions): TransportLimits {
  const timeout = options.timeout;
  const [connect, response] = Array.isArray(timeout) ? timeout : [timeout, timeout];
  return {
    connectTimeout: positive(connect, DEFAULT_TIMEOUT_MS, "timeout"),
    responseTimeout: positive(response, DEFAULT_TIMEOUT_MS, "timeout"),
    maxResponseSize: positive(options.maxResponseSize, DEFAULT_MAX_RESPONSE_SIZE, "maxResponseSize"),
  };
}

/**
 * urllib's `request(url, options)`: resolves `{ data, status, headers, res }` for any HTTP status (a 500 is a
 * result, not an error); rejects with an `HttpClientError` named as urllib names it.
 */
export async function request<T = unknown>(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse<T>> {
  const startedAt = Date.now();
  const limits = resolveLimits(options);
  const maxRedirects = positive(options.maxRedirects, DEFAULT_MAX_REDIRECTS, "maxRedirects");
  let hop = prepareRequest(url, options);
  const requestUrls = [hop.url.href];

  for (let redirects = 0; ; redirects++) {
    const raw = await sendWithFaults(hop, options, limits);
    const meta: HttpResponseMeta = {
      status: raw.status,
      statusCode: raw.status,
      statusMessage: raw.statusMessage,
      headers: raw.headers,
      size: raw.body.length,
      aborted: false,
      rt: Date.now() - startedAt,
      keepAliveSocket: raw.keepAliveSocket,
      requestUrls,
      remoteAddress: raw.remoteAddress,
      remotePort: raw.remotePort,
    };
    const attach = (error: HttpClientError): HttpClientError => {
      error.message += describeTarget(hop.method, hop.url, raw.status);
      error.status = raw.status;
      error.headers = raw.headers;
      error.res = meta;
      return error;
    };

    if (options.followRedirect === true && REDIRECT_STATUSES.has(raw.status)) {
      const location = raw.headers.location;
      if (!location) {
        throw attach(new HttpClientError("FollowRedirectError", `Got statusCode ${raw.status} but cannot resolve next location from headers`));
      }
      if (redirects + 1 > maxRedirects) {
        throw attach(new HttpClientError("MaxRedirectError", `Exceeded maxRedirects (${maxRedirects}). Probably stuck in a redirect loop`));
      }
      try {
        hop = prepareRedirect(hop, raw.status, location);
      } catch (error) {
        throw error instanceof HttpClientError ? attach(error) : error;
      }
      requestUrls.push(hop.url.href);
      continue;
    }

    let data: unknown;
    try {
      data = decodeBody(raw.body, raw.headers, options.dataType);
    } catch (error) {
      throw error instanceof HttpClientError ? attach(error) : error;
    }
    return { data: data as T, status: raw.status, headers: raw.headers, res: meta };
  }
}

/** The object the emulator installs as `uniCloud.httpclient`. */
export const httpclient = { request };
