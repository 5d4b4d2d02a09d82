/**
 * The Huawei Payment Kit sandbox, mounted by `npm start` under `/__sandbox/huawei`: the direct-merchant
 * server API (preorder, order query, refund, refund query), SM2-signed callbacks and the control API of
 * SPEC §9. It holds its own merchant RSA key pair and platform SM2 key (keys.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { fetchTransport } from "../delivery";
import { sendJson } from "../http";
import { isApiPath, serveApi } from "./api";
import { serveHuaweiControl } from "./control";
import { loadOrCreateHuaweiSandboxKeys, type HuaweiSandboxKeys } from "./keys";
import { createHuaweiNotifier, type NotifyTransport } from "./notifier";
import { createHuaweiState, type HuaweiSandboxState } from "./state";
import { pathBelow, sandboxSettings, type SandboxBaseOptions } from "../mount";

export type HuaweiSandboxOptions = SandboxBaseOptions<NotifyTransport>;

export interface HuaweiSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: HuaweiSandboxKeys;
  state: HuaweiSandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
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

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = pathBelow(prefix, url);
    if (path === undefined) return false;
    if (isApiPath(path)) {
      await serveApi({ state, keys, log }, req, res, path, url.search);
      return true;
    }
    if (/^\/[a-z-]+$/.test(path) && (await serveHuaweiControl({ state, notifier, keys }, path.slice(1), req, res))) return true;
    sendJson(res, 404, { ok: false, error: `the Huawei sandbox does not serve ${path}` });
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

export { isHuaweiAck } from "./notifier";
