import type { IncomingHttpHeaders } from "node:http";

/** The event a URL化 (HTTP-triggered) function receives, as uniCloud's integration request. */
export interface HttpEvent {
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Content types Aliyun hands over as text; everything else arrives base64-encoded. */
const TEXT_TYPES = [/^text\//, /^application\/(json|xml|x-www-form-urlencoded|javascript)/, /\+(json|xml)$/];

function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Query parameters as an object of strings; a repeated key keeps its last value, as Aliyun does. */
function parseQuery(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of search) query[key] = value;
  return query;
}

export function buildHttpEvent(input: {
  relativePath: string;
  method: string;
  headers: IncomingHttpHeaders;
  search: URLSearchParams;
  body: Buffer;
}): HttpEvent {
  const headers = flattenHeaders(input.headers);
  const text = isTextContent(headers["content-type"]);
  return {
    path: input.relativePath,
    httpMethod: input.method.toUpperCase(),
    headers,
    queryStringParameters: parseQuery(input.search),
    body: input.body.length === 0 ? "" : text ? input.body.toString("utf8") : input.body.toString("base64"),
    isBase64Encoded: input.body.length > 0 && !text,
  };
}

interface ComposedResponse {
  mpserverlessComposedResponse: true;
  statusCode?: number;
  headers?: Record<string, unknown>;
  body?: unknown;
  isBase64Encoded?: boolean;
}

function isComposedResponse(value: unknown): value is ComposedResponse {
  return typeof value === "object" && value !== null && (value as ComposedResponse).mpserverlessComposedResponse === true;
}

/**
 * Turns what `main` returned into the HTTP reply uniCloud would send: an integration response
 * controls status, headers and body; a string or number is text; anything else is JSON.
 */
export function composeHttpReply(result: unknown): HttpReply {
  if (isComposedResponse(result)) {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(result.headers ?? {})) {
      if (value !== undefined && value !== null) headers[key.toLowerCase()] = String(value);
    }
    const raw = result.body ?? "";
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    const body = result.isBase64Encoded ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
    headers["content-type"] ??= "text/plain; charset=utf-8";
    const status = Number.isInteger(result.statusCode) ? result.statusCode! : 200;
    return { statusCode: status >= 100 && status <= 599 ? status : 500, headers, body };
  }
  if (typeof result === "string" || typeof result === "number") {
    return { statusCode: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(String(result)) };
  }
  const json = JSON.stringify(result === undefined ? null : result);
  return { statusCode: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: Buffer.from(json) };
}
