/**
 * The Douyin sandbox, mounted by `npm start` under `/__sandbox/douyin`: both payment systems' server APIs
 * (通用交易系统 and 担保支付), the client_token, the balance query, their callbacks (CANCEL included), a
 * cashier page and the control API of SPEC §9.
 */
import { fetchTransport } from "../delivery";
import { serveApi } from "./api";
import { serveCashier } from "./cashier";
import { serveControl } from "./control";
import { loadOrCreateDouyinSandboxKeys, type DouyinSandboxKeys } from "./keys";
import { createLedger } from "./ledger";
import { createNotifier, type NotifyTransport } from "./notifier";
import { createDouyinSandboxState, type DouyinSandboxState } from "./state";
import { mountSandbox, sandboxSettings, type MountedSandbox, type SandboxBaseOptions } from "../mount";

export type DouyinSandboxOptions = SandboxBaseOptions<NotifyTransport>;

export interface DouyinSandbox extends MountedSandbox {
  keys: DouyinSandboxKeys;
  state: DouyinSandboxState;
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

  const mounted = mountSandbox({
    title: "the Douyin sandbox",
    prefix,
    state,
    notifier,
    async serve(path, req, res, url) {
      if (await serveApi(apiContext, path, req, res)) return true;
      if (path !== "/cashier" || req.method !== "GET") return false;
      serveCashier(state, keys.appId, url.searchParams, res);
      return true;
    },
    control: (action, req, res) => serveControl(controlContext, action, req, res),
  });

  return { ...mounted, keys, state };
}
