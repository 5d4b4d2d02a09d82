/**
 * The Douyin sandbox, mounted by `npm start` under `/__sandbox/douyin`: both payment systems' server APIs
 * (通用交易系统 and 担保支付), the client_token, the balance query, their callbacks (CANCEL included), a
 * cashier page and the control API of SPEC §9.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { fetchTransport } from "../delivery";
import { sendJson } from "../http";
import { serveApi } from "./api";
import { serveCashier } from "./cashier";
import { serveControl } from "./control";
import { loadOrCreateDouyinSandboxKeys, type DouyinSandboxKeys } from "./keys";
import { createLedger } from "./ledger";
import { createNotifier, type NotifyTransport } from "./notifier";
import { createDouyinSandboxState, type DouyinSandboxState } from "./state";
import { pathBelow, sandboxSettings, type SandboxBaseOptions } from "../mount";

export type DouyinSandboxOptions = SandboxBaseOptions<NotifyTransport>;

export interface DouyinSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: DouyinSandboxKeys;
  state: DouyinSandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createDouyinSandbox(options: DouyinSandboxOptions): Promise<DouyinSandbox> {
  const keys = await loadOrCreateDouyinSandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("douyin", options);
  const state = createDouyinSandboxState({
    file: stateFile,
    now,
  });
  const notifier = createNotifier({
    state,
    keys,
    transport: options.request ?? fetchTransport,
    retryDelaysMs,
    log,
  });
  const ledger = createLedger(state, notifier);
  const apiContext = { state, keys, ledger, log };
  const controlContext = { state, keys, ledger, notifier };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = pathBelow(prefix, url);
    if (path === undefined) return false;
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
