import { authenticate } from "./auth";
import { refusals } from "./replies";
import { parseClientCall, parseHttpCall, type ParsedCall } from "./request";
import type { FailureReply, RouteReply, RouteTable, RouterContext } from "./types";

/** Keys the router owns: a client can never set them through `data`. */
const ROUTER_KEYS = ["uid", "user_id", "vk_platform", "vk_appid", "uniIdToken"];
const URL_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
const MAX_URL_LENGTH = 200;

function isFailure(value: unknown): value is FailureReply {
  return typeof value === "object" && value !== null && typeof (value as FailureReply).code === "number" && (value as FailureReply).code !== 0;
}

/** The `url` as a route name, or the refusal SPEC section 5 prescribes. */
export function checkUrl(url: unknown): string | FailureReply {
  if (url === undefined || url === null || url === "") return refusals.urlMissing();
  if (typeof url !== "string" || url.length > MAX_URL_LENGTH) return refusals.urlInvalid();
  if (url.includes("..")) return refusals.urlDotDot();
  if (url.startsWith("/") || url.includes("pay-notify")) return refusals.urlForbidden();
  if (!URL_PATTERN.test(url)) return refusals.urlInvalid();
  return url;
}

export interface RouterDependencies {
  routes: RouteTable;
  log?: (line: string) => void;
}

/** Runs one parsed call through route lookup, the access check and the handler. */
export async function dispatchCall(call: ParsedCall, deps: RouterDependencies): Promise<RouteReply & { newToken?: unknown }> {
  const url = checkUrl(call.url);
  if (typeof url !== "string") return url;
  const load = Object.prototype.hasOwnProperty.call(deps.routes, url) ? deps.routes[url] : undefined;
  if (!load) return refusals.notFound(url);
  const route = load();
  const caller = await authenticate(route.access, call.token, call.context);
  if (isFailure(caller)) return caller;
  const data = { ...call.data };
  for (const key of ROUTER_KEYS) delete data[key];
  let reply: RouteReply;
  try {
    reply = await route.main({ url, data, uid: caller.uid, role: caller.role, context: call.context });
  } catch (error) {
    (deps.log ?? console.error)(`route ${url} failed (request ${call.context.requestId ?? "-"}): ${(error as Error)?.stack ?? String(error)}`);
    reply = refusals.internal();
  }
  return caller.newToken ? { ...reply, newToken: caller.newToken } : reply;
}

/** Parses a client, function or URL化 event into a call; HTTP parsing refusals come back as replies. */
export function parseCall(event: unknown, context: RouterContext): ParsedCall | FailureReply {
  if (context.SOURCE === "http") return parseHttpCall(event as object, context);
  return parseClientCall(event, context);
}
