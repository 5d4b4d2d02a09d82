/**
 * The Huawei Payment Kit sandbox, mounted by `npm start` under `/__sandbox/huawei`: the direct-merchant
 * server API (preorder, order query, refund, refund query), SM2-signed callbacks and the control API of
 * SPEC §9. It holds its own merchant RSA key pair and platform SM2 key (keys.ts).
 */
import { fetchTransport } from "../delivery";
import { isApiPath, serveApi } from "./api";
import { serveHuaweiControl } from "./control";
import { loadOrCreateHuaweiSandboxKeys, type HuaweiSandboxKeys } from "./keys";
import { createHuaweiNotifier, type NotifyTransport } from "./notifier";
import { createHuaweiState, type HuaweiSandboxState } from "./state";
import { mountSandbox, sandboxSettings, type MountedSandbox, type SandboxBaseOptions } from "../mount";

export type HuaweiSandboxOptions = SandboxBaseOptions<NotifyTransport>;

export interface HuaweiSandbox extends MountedSandbox {
  keys: HuaweiSandboxKeys;
  state: HuaweiSandboxState;
}

export async function createHuaweiSandbox(options: HuaweiSandboxOptions): Promise<HuaweiSandbox> {
  const keys = loadOrCreateHuaweiSandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("huawei", options);
  const state = createHuaweiState({
    file: stateFile,
    now,
  });
  const notifier = createHuaweiNotifier({
    state,
    keys,
    transport: options.request ?? fetchTransport,
    retryDelaysMs,
    log,
  });

  const mounted = mountSandbox({
    title: "the Huawei sandbox",
    prefix,
    state,
    notifier,
    async serve(path, req, res, url) {
      if (!isApiPath(path)) return false;
      await serveApi({ state, keys, log }, req, res, path, url.search);
      return true;
    },
    control: (action, req, res) => serveHuaweiControl({ state, notifier, keys }, action, req, res),
  });

  return { ...mounted, keys, state };
}

export { isHuaweiAck } from "./notifier";
