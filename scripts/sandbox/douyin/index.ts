/**
 * The Douyin sandbox, mounted by `npm start` under `/__sandbox/douyin`: both payment systems' server APIs
 * (通用交易系统 and 担保支付), the client_token, the balance query, their callbacks (CANCEL included), a
 * cashier page and the control API of SPEC §9.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fetchTransport } from "../delivery";
import { sendJson } from "../http";
import { serveApi } from "./api";
import { serveCashier } from "./cashier";
import { serveControl } from "./control";
import { loadOrCreateDouyinSandboxKeys, type DouyinSandboxKeys } from "./keys";
import { createLedger } from "./ledger";
import { createNotifier, type NotifyTransport } from "./notifier";
import { createDouyinSandboxState, type DouyinSandboxState } from "./state";

export interface DouyinSandboxOptions {
  dataDir: string;
  now?: () => number;
  request?: NotifyTransport;
  prefix?: string;
  notifyRetryDelaysMs?: number[];
  persist?: boolean;
  log?: (line: string) => void;
}

export interface DouyinSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: DouyinSandboxKeys;
  state: DouyinSandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createDouyinSandbox(options: DouyinSandboxOptions): Promise<DouyinSandbox> {
  const keys = await loadOrCreateDouyinSandboxKeys(options.dataDir);
  const prefix = (options.prefix ?? "/__sandbox/douyin").replace(/\/+$/, "");
  const log = options.log ?? ((line: string) => console.log(line));
  const state = createDouyinSandboxState({
    file: options.persist === false ? undefined : join(options.dataDir, "sandbox", "douyin", "state.json"),
    now: options.now ?? Date.now,
  });
  const notifier = createNotifier({
    state,
    keys,
    transport: options.request ?? fetchTransport,
    retryDelaysMs: options.notifyRetryDelaysMs ?? [1000, 5000, 15000],
    log,
  });
  const ledger = createLedger(state, notifier);
  const apiContext = { state, keys, ledger, log };
  const controlContext = { state, keys, ledger, notifier };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    const path = url.pathname.slice(prefix.length) || "/";
    if (await serveApi(apiContext, path, req, res)) return true;
    if (path === "/cashier" && req.method === "GET") {
      serveCashier(state, keys.appId, url.searchParams, res);
      return true;
    }
    if (/^\/[a-z-]+$/.test(path) && (await serveControl(controlContext, path.slice(1), req, res))) return true;
    sendJson(res, 404, { ok: false, error: `the Douyin sandbox does not serve ${path}` });
    return true;
  }

  return {
    handler,
    keys,
    state,
    idle: () => notifier.idle(),
    async close() {
      notifier.close();
      await notifier.idle();
      state.save();
    },
  };
}
