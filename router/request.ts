// The library's own check, bundled in here: the router refuses before it loads the library or walks the data.
import { checkInputBounds } from "../common/vk-uni-pay/src/core/input-bounds";
import { refusals } from "./replies";
import type { FailureReply, RouterContext } from "./types";

/** A call as the router understands it, whichever way it arrived. */
export interface ParsedCall {
  url: unknown;
  data: Record<string, unknown>;
  token?: string;
  context: RouterContext;
}

/** Larger bodies are refused before parsing (uniCloud's own caps are 100 KB to 6 MB by vendor). */
export const MAX_BODY_BYTES = 1024 * 1024;

interface HttpEventShape {
  httpMethod?: unknown;
  headers?: unknown;
  queryStringParameters?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Only an absent `data` means "no parameters"; `null` is a value that is not an object (README: -1). */
function dataOrEmpty(value: unknown): unknown {
  return value === undefined ? {} : value;
}

function routingKey(envelope: Record<string, unknown>): unknown {
  // `action` (vk-uni-pay) and `$url` (the VK router) are migration aliases of `url`.
  return envelope.url ?? envelope.action ?? envelope.$url;
}

/** A client or function call: the event is the `{ url, data }` object itself. */
export function parseClientCall(event: unknown, context: RouterContext): ParsedCall | FailureReply {
  if (!isPlainObject(event)) return refusals.bodyInvalid();
  const data = dataOrEmpty(event.data);
  if (!isPlainObject(data)) return refusals.dataInvalid();
  const problem = checkInputBounds(data, "data");
  if (problem) return refusals.dataOutOfBounds(problem);
  const token = typeof event.uniIdToken === "string" && event.uniIdToken ? event.uniIdToken : undefined;
  return { url: routingKey(event), data: { ...data }, token, context: { ...context } };
}

function decodeBody(event: HttpEventShape): string | FailureReply {
  if (event.body === undefined || event.body === null || event.body === "") return "";
  if (typeof event.body !== "string") return refusals.bodyInvalid();
  if (event.body.length > (event.isBase64Encoded ? (MAX_BODY_BYTES * 4) / 3 + 4 : MAX_BODY_BYTES)) return refusals.bodyTooLarge();
  if (event.isBase64Encoded !== true) return event.body;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(event.body.replace(/\s+/g, ""))) return refusals.bodyInvalid();
  return Buffer.from(event.body, "base64").toString("utf8");
}

/** A URL化 call: JSON body `{ url, data }`, query parameters merged into `data`, token in a header. */
export function parseHttpCall(event: HttpEventShape, context: RouterContext): ParsedCall | FailureReply {
  const text = decodeBody(event);
  if (typeof text !== "string") return text;
  let envelope: unknown = {};
  if (text.trim() !== "") {
    try {
      envelope = JSON.parse(text);
    } catch {
      return refusals.bodyInvalid();
    }
  }
  if (!isPlainObject(envelope)) return refusals.bodyInvalid();
  const bodyData = dataOrEmpty(envelope.data);
  if (!isPlainObject(bodyData)) return refusals.dataInvalid();
  const problem = checkInputBounds(bodyData, "data");
  if (problem) return refusals.dataOutOfBounds(problem);
  const query = isPlainObject(event.queryStringParameters) ? event.queryStringParameters : {};
  const data: Record<string, unknown> = { ...query, ...bodyData };
  const headers = isPlainObject(event.headers) ? event.headers : {};
  const header = headers["uni-id-token"];
  const token = typeof header === "string" && header ? header : undefined;
  const settled: RouterContext = { ...context };
  // HTTP callers have no uni client: they name their platform the way vk-uni-pay's HTTP form does.
  if (typeof data.vk_platform === "string" && data.vk_platform) settled.PLATFORM = data.vk_platform;
  if (typeof data.vk_appid === "string" && data.vk_appid) settled.APPID = data.vk_appid;
  return { url: routingKey(envelope), data, token, context: settled };
}
