import type { OutgoingHttpHeaders } from "node:http";
import { stringify, type ParsedUrlQueryInput } from "node:querystring";
import { HttpClientError } from "./errors";
import type { HttpRequestOptions } from "./types";

/** One hop, ready for the wire. Redirects derive new hops from it. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | null;
}

/** Shaped like urllib 2's default, so servers that sniff the agent see what a deployed function sends. */
const USER_AGENT = `node-urllib/2.41.0 Node.js/${process.version.slice(1)} (${process.platform}; ${process.arch})`;

export function findHeader(headers: OutgoingHttpHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.keys(headers).find((key) => key.toLowerCase() === wanted);
}

export function removeHeader(headers: OutgoingHttpHeaders, name: string): void {
  const key = findHeader(headers, name);
  if (key !== undefined) delete headers[key];
}

function setDefaultHeader(headers: OutgoingHttpHeaders, name: string, value: string | number): void {
  if (findHeader(headers, name) === undefined) headers[name] = value;
}

export function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

function parseUrl(rawUrl: string): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch (error) {
    throw new HttpClientError("RequestError", `Invalid URL: ${String(rawUrl).slice(0, 200)}`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpClientError("RequestError", `Unsupported protocol ${url.protocol}`);
  }
  return url;
}

function appendQuery(url: URL, query: string): void {
  if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
}

function resolveContentType(option: string | undefined): string | undefined {
  if (!option) return undefined;
  return option === "json" ? "application/json" : option;
}

/** Builds method, URL, headers and body from urllib's options (data vs content, form vs JSON, query string). */
export function prepareRequest(rawUrl: string, options: HttpRequestOptions): PreparedRequest {
  const url = parseUrl(rawUrl);
  const method = String(options.method ?? options.type ?? "GET").toUpperCase();
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  const asQuery = method === "GET" || method === "HEAD" || options.dataAsQueryString === true;
  const contentType = resolveContentType(options.contentType);
  let body: Buffer | null = null;

  if (options.content !== undefined && options.content !== null) {
    body = Buffer.from(options.content);
  } else if (options.data !== undefined && options.data !== null) {
    const data = options.data;
    if (typeof data === "string" || Buffer.isBuffer(data)) {
      if (asQuery) appendQuery(url, data.toString());
      else body = Buffer.from(data);
    } else if (asQuery) {
      appendQuery(url, stringify(data as ParsedUrlQueryInput));
    } else {
      const headerKey = findHeader(headers, "content-type");
      const effective = headerKey ? String(headers[headerKey]) : (contentType ?? "application/x-www-form-urlencoded");
      if (!headerKey) headers["Content-Type"] = effective;
      const encoded = isJsonMediaType(effective) ? JSON.stringify(data) : stringify(data as ParsedUrlQueryInput);
      body = Buffer.from(encoded);
    }
  }

  if (body !== null) {
    if (contentType) setDefaultHeader(headers, "Content-Type", contentType);
    setDefaultHeader(headers, "Content-Length", body.length);
  }
  if (options.dataType === "json") setDefaultHeader(headers, "Accept", "application/json");
  setDefaultHeader(headers, "User-Agent", USER_AGENT);

  // Credentials become a header, never part of the URL, so a cross-origin redirect can drop them.
  const userinfo = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : "";
  url.username = "";
  url.password = "";
  const auth = options.auth ?? userinfo;
  if (auth) setDefaultHeader(headers, "Authorization", `Basic ${Buffer.from(auth).toString("base64")}`);

  return { url, method, headers, body };
}

const SENSITIVE_ON_CROSS_ORIGIN = ["authorization", "proxy-authorization", "cookie", "host"];

/**
 * The next hop of a redirect. 303, and 301/302 after a non-GET, turn into a body-less GET as browsers and
 * fetch() do; 307/308 repeat the request. Credentials are not forwarded to another origin.
 */
export function prepareRedirect(previous: PreparedRequest, status: number, location: string): PreparedRequest {
  let url: URL;
  try {
    url = new URL(location, previous.url);
  } catch (error) {
    throw new HttpClientError("FollowRedirectError", `Invalid redirect location: ${location.slice(0, 200)}`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpClientError("FollowRedirectError", `Refusing to redirect to protocol ${url.protocol}`);
  }
  const headers: OutgoingHttpHeaders = { ...previous.headers };
  let { method, body } = previous;
  const toGet = status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method !== "GET" && method !== "HEAD";
  if (toGet) {
    method = "GET";
    body = null;
    for (const name of ["content-type", "content-length", "transfer-encoding"]) removeHeader(headers, name);
  }
  if (url.origin !== previous.url.origin) {
    for (const name of SENSITIVE_ON_CROSS_ORIGIN) removeHeader(headers, name);
  }
  url.username = "";
  url.password = "";
  return { url, method, headers, body };
}
