import type { IncomingHttpHeaders } from "node:http";
import type { HttpResponseMeta } from "./types";

/**
 * urllib 2 reports failures through `err.name`; callers (and vk-uni-pay's retry logic) test the name, so the
 * names are urllib's own. `ResponseSizeError` is the emulator's addition for its response size cap.
 */
export type HttpClientErrorName =
  | "ConnectionTimeoutError"
  | "ResponseTimeoutError"
  | "RequestError"
  | "ResponseError"
  | "JSONResponseFormatError"
  | "FollowRedirectError"
  | "MaxRedirectError"
  | "ResponseSizeError";

/** Network-level failures worth a retry: nothing was received, or the exchange broke midway. */
const RETRYABLE: ReadonlySet<HttpClientErrorName> = new Set(["ConnectionTimeoutError", "ResponseTimeoutError", "RequestError", "ResponseError"]);

export interface HttpClientErrorDetails {
  /** Node's error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...) when the failure came from the socket. */
  code?: string;
  status?: number;
  headers?: IncomingHttpHeaders;
  data?: unknown;
  res?: HttpResponseMeta;
  cause?: unknown;
}

export class HttpClientError extends Error {
  override name: HttpClientErrorName;
  readonly code?: string;
  /** HTTP status of the response that failed, -1 when none arrived (urllib's convention). */
  status: number;
  headers: IncomingHttpHeaders;
  data?: unknown;
  res?: HttpResponseMeta;

  constructor(name: HttpClientErrorName, message: string, details: HttpClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = name;
    this.code = details.code;
    this.status = details.status ?? -1;
    this.headers = details.headers ?? {};
    this.data = details.data;
    this.res = details.res;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.name);
  }
}

/**
 * urllib appends `, <METHOD> <url> <status>` to every message. The query and any credentials are left out
 * here: payment URLs carry signatures and tokens, and these messages end up in logs.
 */
export function describeTarget(method: string, url: URL, status: number): string {
  return `, ${method} ${url.origin}${url.pathname} ${status}`;
}
