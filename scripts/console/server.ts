import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import QRCode from "qrcode";
import { PLUGIN_DIR } from "../build/paths";
import type { Emulator } from "../uni-cloud-mock/src";
import { runConfigCheck } from "./config-check";
import { checkoutProviders } from "./payment-options";
import { consoleShell } from "./shell";

/**
 * The web console `npm start` serves at `/`: one page (scripts/console/web/, plain ES modules, no build
 * step) that calls `vk-pay` through `/__callFunction` with the built client SDK, as a uni-app H5 page
 * would, and a few read-only helpers under `/console/`. Every admin action goes through vk-pay's own
 * admin/* routes with the admin token the person logged in with; nothing here reads the database.
 */
export interface ConsoleOptions {
  emulator: Emulator;
  /** The sandboxes running beside the emulator (their cashier pages pay any order they know). */
  sandboxes: readonly string[];
  /** Where `checkConfig` reads uni-config-center from; the doctor's own default when absent. */
  configDir?: string;
}

const WEB_DIR = join(__dirname, "web");
const CLIENT_SDK = join(PLUGIN_DIR, "js_sdk/vk-uni-pay-client.js");
const MAX_QR_TEXT = 1024;

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string | Buffer): true {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "content-type": type, "content-length": bytes.length, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(req.method === "HEAD" ? undefined : bytes);
  return true;
}

const sendJson = (res: ServerResponse, req: IncomingMessage, status: number, value: unknown) =>
  send(res, req, status, "application/json; charset=utf-8", JSON.stringify(value));

/** The console's own scripts: file names of letters, digits and dashes only, so no path leaves web/. */
function serveScript(res: ServerResponse, req: IncomingMessage, name: string): true {
  if (!/^[a-z0-9-]+\.js$/.test(name)) return sendJson(res, req, 404, { error: `no such script ${name}` });
  try {
    return send(res, req, 200, "text/javascript; charset=utf-8", readFileSync(join(WEB_DIR, name)));
  } catch {
    return sendJson(res, req, 404, { error: `no such script ${name}` });
  }
}

export function consoleHandler(options: ConsoleOptions) {
  const { emulator } = options;
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = url.pathname;
    if (path === "/") return send(res, req, 200, "text/html; charset=utf-8", consoleShell());
    if (!path.startsWith("/console/")) return false;
    const rest = path.slice("/console/".length);
    if (rest === "vk-uni-pay-client.js") {
      // The SDK exactly as a uni-app project imports it from the plugin's js_sdk/ (npm start builds it).
      try {
        return send(res, req, 200, "text/javascript; charset=utf-8", readFileSync(CLIENT_SDK));
      } catch {
        return sendJson(res, req, 503, { error: "the client SDK is not built: run npm run build" });
      }
    }
    if (rest.startsWith("web/")) return serveScript(res, req, rest.slice("web/".length));
    if (rest === "qr.svg") {
      const text = url.searchParams.get("text") ?? "";
      if (!text || text.length > MAX_QR_TEXT) return sendJson(res, req, 400, { error: `text must be 1 to ${MAX_QR_TEXT} characters` });
      return send(res, req, 200, "image/svg+xml", await QRCode.toString(text, { type: "svg", margin: 1, errorCorrectionLevel: "M" }));
    }
    if (rest === "api/providers") return sendJson(res, req, 200, { providers: checkoutProviders(options.sandboxes) });
    if (rest === "api/space") {
      const functions = emulator.functions().map((fn) => ({
        name: fn.name,
        path: fn.config.path ?? "",
        timer: fn.config.triggers?.[0]?.config ?? "",
      }));
      return sendJson(res, req, 200, { spaceId: emulator.space.spaceId, dataDir: emulator.dataDir, functions, sandboxes: options.sandboxes });
    }
    if (rest === "api/config-check") {
      try {
        return sendJson(res, req, 200, await runConfigCheck(options.configDir));
      } catch (error) {
        return sendJson(res, req, 200, { available: false, reason: `checkConfig failed: ${(error as Error)?.message ?? String(error)}` });
      }
    }
    return sendJson(res, req, 404, { error: `the console does not serve ${path}` });
  };
}
