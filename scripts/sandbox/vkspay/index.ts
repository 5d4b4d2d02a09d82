/**
 * The VksPay sandbox, mounted under `/__sandbox/vkspay`: VksPay's protocol is not public, so this is the
 * 易支付 aggregator protocol the library speaks for it (`mapi.php`, `api.php`, GET notifications, a cashier
 * page) with the control API of SPEC §9.
 */
import { serveVkspayCashier } from "./cashier";
import { serveVkspayControl } from "./control";
import { serveGateway } from "./gateway";
import { loadOrCreateVkspaySandboxKeys, type VkspaySandboxKeys } from "./keys";
import { createVkspayNotifier, fetchGet, type GetTransport } from "./notifier";
import { createVkspayState, type VkspaySandboxState } from "./state";
import { mountSandbox, sandboxSettings, type MountedSandbox, type SandboxBaseOptions } from "../mount";

export interface VkspaySandboxOptions extends SandboxBaseOptions<GetTransport> {
  /** `&key=` before the key in the MD5 string, the clone variant (default: the key appended directly). */
  keySeparator?: string;
}

export interface VkspaySandbox extends MountedSandbox {
  keys: VkspaySandboxKeys;
  state: VkspaySandboxState;
}

export async function createVkspaySandbox(options: VkspaySandboxOptions): Promise<VkspaySandbox> {
  const keys = loadOrCreateVkspaySandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("vkspay", options);
  const state = createVkspayState({
    file: stateFile,
    now,
  });
  const notifier = createVkspayNotifier({
    state,
    keys,
    transport: options.request ?? fetchGet,
    retryDelaysMs,
    log,
  });
  const gateway = { state, keys, keySeparator: options.keySeparator ?? "", log };

  const mounted = mountSandbox({
    title: "the VksPay sandbox",
    prefix,
    state,
    notifier,
    async serve(path, req, res, url) {
      if (path === "/mapi.php" || path === "/api.php") {
        await serveGateway(gateway, req, res, url, path, `http://${req.headers.host ?? "127.0.0.1"}${prefix}`);
        return true;
      }
      if (path !== "/cashier" || req.method !== "GET") return false;
      serveVkspayCashier(state, url.searchParams, res);
      return true;
    },
    control: (action, req, res) => serveVkspayControl({ state, notifier }, action, req, res),
  });

  return { ...mounted, keys, state };
}
