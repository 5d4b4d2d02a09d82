/**
 * The Apple in-app purchase sandbox, mounted by `npm start` under `/__sandbox/appleiap`: legacy
 * verifyReceipt on two prefixes (production answers 21007 for a sandbox receipt), the App Store Server
 * API behind its bearer JWT, and Server Notifications V2 sent through the control API, all signed by the
 * sandbox's own chain with Apple's marker OIDs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http";
import { serveControlAction } from "../control-api";
import { fetchTransport } from "../delivery";
import { serveAppleApi, type AppleApiContext } from "./apple-api";
import { APPLE_SANDBOX_PRICES } from "./config";
import { APPLE_CONTROL_ACTIONS, type AppleControlContext } from "./control";
import { loadOrCreateAppleSandboxKeys, type AppleSandboxKeys } from "./keys";
import { createAppleSandboxStore, type AppleSandboxStore } from "./store";
import { pathBelow, sandboxSettings } from "../mount";

export interface AppleSandboxOptions {
  dataDir: string;
  now?: () => number;
  prefix?: string;
  /** Where notifications go when a control call names no `notifyUrl` (npm start: its own vk-pay function). */
  defaultNotifyUrl?: () => string;
  transport?: typeof fetchTransport;
}

export interface AppleSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: AppleSandboxKeys;
  store: AppleSandboxStore;
  /** The consumption answers received, for tests and the tester. */
  consumption: AppleApiContext["consumption"];
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createAppleSandbox(options: AppleSandboxOptions): Promise<AppleSandbox> {
  const keys = await loadOrCreateAppleSandboxKeys(options.dataDir);
  const { prefix } = sandboxSettings("appleiap", options);
  const store = createAppleSandboxStore(keys, options.now);
  const api: AppleApiContext = { store, keys, consumption: [] };
  const control: AppleControlContext = {
    store,
    transport: options.transport ?? fetchTransport,
    prices: APPLE_SANDBOX_PRICES,
    ...(options.defaultNotifyUrl ? { defaultNotifyUrl: options.defaultNotifyUrl } : {}),
  };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = pathBelow(prefix, url);
    if (path === undefined) return false;
    if (await serveAppleApi(api, path, req, res)) return true;
    if (await serveControlAction(APPLE_CONTROL_ACTIONS, control, path.slice(1), req, res)) return true;
    if (path === "/") {
      sendJson(res, 200, {
        sandbox: "appleiap",
        endpoints: ["/buy/verifyReceipt", "/sandbox/verifyReceipt", "/api/inApps/v1/transactions/{id}", "/api-sandbox/…"],
        control: Object.keys(APPLE_CONTROL_ACTIONS),
      });
      return true;
    }
    sendJson(res, 404, { errorCode: 4040000, errorMessage: "Not found." });
    return true;
  }

  return { handler, keys, store, consumption: api.consumption, idle: async () => undefined, close: async () => undefined };
}
