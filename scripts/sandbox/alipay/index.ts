/**
 * The Alipay OpenAPI sandbox, mounted by `npm start` under `/__sandbox/alipay`: `gateway.do` (key and
 * certificate mode), notifications, the cashier page and the control API of SPEC §9.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { loadOrCreateAlipaySandboxKeys, type AlipaySandboxKeys } from "../pki";
import { appsFromKeys, type AppRegistry } from "./apps";
import { createCertRotation } from "./cert-rotation";
import { serveCashier } from "./cashier";
import { serveControl } from "./control";
import { serveGateway } from "./gateway";
import { sendJson } from "../http";
import { createLedger } from "./ledger";
import { createNotifier, fetchTransport, type NotifyTransport } from "./notifier";
import { createOauthCodes } from "./oauth";
import { createSandboxState, type AlipaySandboxState } from "./state";

export interface AlipaySandboxOptions {
  /** `UNICLOUD_DATA_DIR`: keys under `sandbox/alipay/`, state in `sandbox/alipay/state.json`. */
  dataDir: string;
  /** Wall clock in ms (default Date.now). */
  now?: () => number;
  /** Sends notifications (default: fetch). */
  request?: NotifyTransport;
  /** Where the handler is mounted (default `/__sandbox/alipay`). */
  prefix?: string;
  /** Waits between notification attempts (default 1 s, 5 s, 15 s; Alipay's own start at 4 minutes). */
  notifyRetryDelaysMs?: number[];
  /** Keep state in memory only (tests that want a clean slate per sandbox). */
  persist?: boolean;
  log?: (line: string) => void;
}

export interface AlipaySandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: AlipaySandboxKeys;
  state: AlipaySandboxState;
  registry: AppRegistry;
  /** Resolves when no notification is being delivered. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createAlipaySandbox(options: AlipaySandboxOptions): Promise<AlipaySandbox> {
  const keys = await loadOrCreateAlipaySandboxKeys(options.dataDir);
  const prefix = (options.prefix ?? "/__sandbox/alipay").replace(/\/+$/, "");
  const log = options.log ?? ((line: string) => console.log(line));
  const state = createSandboxState({
    file: options.persist === false ? undefined : join(options.dataDir, "sandbox", "alipay", "state.json"),
    now: options.now ?? Date.now,
  });
  const registry = appsFromKeys(keys);
  const rotation = createCertRotation({ dataDir: options.dataDir, persist: options.persist !== false, keys, app: registry.apps.get(keys.certApp.appId)! });
  const notifier = createNotifier({
    state,
    transport: options.request ?? fetchTransport,
    retryDelaysMs: options.notifyRetryDelaysMs ?? [1000, 5000, 15000],
    log,
  });
  const ledger = createLedger({ state, notifier, registry });
  const codes = createOauthCodes(state);
  const gatewayContext = {
    ledger,
    rotation,
    codes,
    registry,
    log,
    cashierUrl: (publicBase: string, trade: { out_trade_no: string; app_id: string }) =>
      `${publicBase}/cashier?${new URLSearchParams({ out_trade_no: trade.out_trade_no, ...(trade.app_id !== keys.keyApp.appId ? { app_id: trade.app_id } : {}) })}`,
  };
  const controlContext = { state, ledger, notifier, codes, registry, rotation, defaultAppId: keys.keyApp.appId };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    const path = url.pathname.slice(prefix.length) || "/";
    if (path === "/gateway.do") {
      await serveGateway(gatewayContext, req, res, url, `http://${req.headers.host ?? "127.0.0.1"}${prefix}`);
      return true;
    }
    if (path === "/cashier" && req.method === "GET") {
      serveCashier(ledger, url.searchParams, res);
      return true;
    }
    if (/^\/[a-z-]+$/.test(path) && (await serveControl(controlContext, path.slice(1), req, res))) return true;
    sendJson(res, 404, { ok: false, error: `the Alipay sandbox does not serve ${path}` });
    return true;
  }

  return {
    handler,
    keys,
    state,
    registry,
    idle: () => notifier.idle(),
    async close() {
      notifier.close();
      await notifier.idle();
      state.save();
    },
  };
}

export type { AlipaySandboxState } from "./state";
export type { NotifyTransport } from "./notifier";
export type { SandboxTrade, SandboxRefund, TradeStatus } from "./types";
export { ALIPAY_SANDBOX_AUTH_CODES } from "./methods";
export { ALIPAY_SANDBOX_MODES, renderAlipaySandboxConfig } from "./config";
