/**
 * The Huawei Payment Kit sandbox, mounted by `npm start` under `/__sandbox/huawei`: the direct-merchant
 * server API (preorder, order query, refund, refund query), SM2-signed callbacks and the control API of
 * SPEC §9. It holds its own merchant RSA key pair and platform SM2 key (keys.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fetchTransport } from "../delivery";
import { sendJson } from "../http";
import { isApiPath, serveApi } from "./api";
import { serveHuaweiControl } from "./control";
import { loadOrCreateHuaweiSandboxKeys, type HuaweiSandboxKeys } from "./keys";
import { createHuaweiNotifier, type NotifyTransport } from "./notifier";
import { createHuaweiState, type HuaweiSandboxState } from "./state";

export interface HuaweiSandboxOptions {
  /** `UNICLOUD_DATA_DIR`: keys in `sandbox/huawei/keys.json`, state in `sandbox/huawei/state.json`. */
  dataDir: string;
  now?: () => number;
  request?: NotifyTransport;
  prefix?: string;
  /** Waits between callback attempts (default 1 s, 5 s, 15 s). */
  notifyRetryDelaysMs?: number[];
  /** Keep state in memory only. */
  persist?: boolean;
  log?: (line: string) => void;
}

export interface HuaweiSandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: HuaweiSandboxKeys;
  state: HuaweiSandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createHuaweiSandbox(options: HuaweiSandboxOptions): Promise<HuaweiSandbox> {
  const keys = loadOrCreateHuaweiSandboxKeys(options.dataDir);
  const prefix = (options.prefix ?? "/__sandbox/huawei").replace(/\/+$/, "");
  const log = options.log ?? ((line: string) => console.log(line));
  const state = createHuaweiState({
    file: options.persist === false ? undefined : join(options.dataDir, "sandbox", "huawei", "state.json"),
    now: options.now ?? Date.now,
  });
  const notifier = createHuaweiNotifier({
    state,
    keys,
    transport: options.request ?? fetchTransport,
    retryDelaysMs: options.notifyRetryDelaysMs ?? [1000, 5000, 15000],
    log,
  });

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    const path = url.pathname.slice(prefix.length) || "/";
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
