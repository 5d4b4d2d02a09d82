import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * CORS for the client endpoints (`/__callFunction/<name>` and the URL化 paths), so that a uni-app H5 dev
 * server on another port can call the emulator from a browser. Allowed origins come from
 * `UNICLOUD_ALLOWED_ORIGINS` (comma-separated, exact origins such as `http://192.168.1.5:5173`, or `*`);
 * by default only pages served from this machine (localhost, 127.0.0.1, [::1], any port) are allowed.
 * A listed origin is echoed back with credentials allowed; `*` allows every origin but never with
 * credentials, as the CORS standard requires.
 */
export interface CorsPolicy {
  /** The value for Access-Control-Allow-Origin, or undefined when the origin is not allowed. */
  allowOrigin(origin: string): string | undefined;
  /** Whether credentials (cookies, HTTP auth) may accompany an allowed request. */
  readonly credentials: boolean;
}

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
const ALLOWED_METHODS = "GET, POST, OPTIONS";
const DEFAULT_ALLOWED_HEADERS = "content-type, uni-id-token";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}

export function createCorsPolicy(setting: string | undefined): CorsPolicy {
  const listed = (setting ?? "").split(",").map(normalizeOrigin).filter(Boolean);
  if (listed.includes("*")) return { allowOrigin: () => "*", credentials: false };
  const allowed = new Set(listed);
  return {
    allowOrigin(origin) {
      const normalized = normalizeOrigin(origin);
      return allowed.size === 0 ? (LOCAL_ORIGIN.test(normalized) ? origin : undefined) : allowed.has(normalized) ? origin : undefined;
    },
    credentials: true,
  };
}

/** A page of the emulator itself (the console) calling its own endpoints is never cross-origin. */
function isSameOrigin(req: IncomingMessage, origin: string): boolean {
  const host = req.headers.host;
  return Boolean(host) && normalizeOrigin(origin).replace(/^https?:\/\//, "") === host!.toLowerCase();
}

/**
 * Sets the CORS headers for this request and answers a preflight. Returns true when the request has been
 * answered (a preflight), false when the caller serves it as usual.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === "OPTIONS" && typeof req.headers["access-control-request-method"] === "string";
  if (typeof origin !== "string" || origin === "") {
    if (!preflight) return false;
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end("a CORS preflight needs an Origin header");
    return true;
  }
  res.setHeader("vary", "Origin");
  const allowOrigin = isSameOrigin(req, origin) ? origin : policy.allowOrigin(origin);
  if (!allowOrigin) {
    if (!preflight) return false;
    // Refused: no CORS headers, so the browser blocks the call; the message says which setting allows it.
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
    res.end(`origin ${origin} is not allowed; add it to UNICLOUD_ALLOWED_ORIGINS (comma-separated) and restart`);
    return true;
  }
  res.setHeader("access-control-allow-origin", allowOrigin);
  if (policy.credentials && allowOrigin !== "*") res.setHeader("access-control-allow-credentials", "true");
  if (!preflight) return false;
  const requested = req.headers["access-control-request-headers"];
  res.writeHead(204, {
    "access-control-allow-methods": ALLOWED_METHODS,
    "access-control-allow-headers": typeof requested === "string" && /^[\w\s,-]*$/.test(requested) && requested.trim() ? requested : DEFAULT_ALLOWED_HEADERS,
    "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
  });
  res.end();
  return true;
}
