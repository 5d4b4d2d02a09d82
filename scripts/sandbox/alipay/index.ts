/**
 * The Alipay OpenAPI sandbox, mounted by `npm start` under `/__sandbox/alipay`: `gateway.do` (key and
 * certificate mode), notifications, the cashier page and the control API of SPEC §9.
 */
import { loadOrCreateAlipaySandboxKeys, type AlipaySandboxKeys } from "../pki";
import { appsFromKeys, type AppRegistry } from "./apps";
import { createCertRotation } from "./cert-rotation";
import { serveCashier } from "./cashier";
import { serveControl } from "./control";
import { serveGateway } from "./gateway";
import { createLedger } from "./ledger";
import { createNotifier, fetchTransport, type NotifyTransport } from "./notifier";
import { createOauthCodes } from "./oauth";
import { createSandboxState, type AlipaySandboxState } from "./state";
import { createLostAnswers } from "../lost-answers";
import { mountSandbox, sandboxSettings, type MountedSandbox, type SandboxBaseOptions } from "../mount";

export type AlipaySandboxOptions = SandboxBaseOptions<NotifyTransport>;

export interface AlipaySandbox extends MountedSandbox {
  keys: AlipaySandboxKeys;
  state: AlipaySandboxState;
  registry: AppRegistry;
}

export async function createAlipaySandbox(options: AlipaySandboxOptions): Promise<AlipaySandbox> {
  const keys = await loadOrCreateAlipaySandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("alipay", options);
  const state = createSandboxState({
    file: stateFile,
    now,
  });
  const registry = appsFromKeys(keys);
  const rotation = createCertRotation({ dataDir: options.dataDir, persist: options.persist !== false, keys, app: registry.apps.get(keys.certApp.appId)! });
  const notifier = createNotifier({
    state,
    transport: options.request ?? fetchTransport,
    retryDelaysMs,
    log,
  });
  const ledger = createLedger({ state, notifier, registry });
  const codes = createOauthCodes(state);
  const lostAnswers = createLostAnswers();
  const gatewayContext = {
    lostAnswers,
    ledger,
    rotation,
    codes,
    registry,
    log,
    cashierUrl: (publicBase: string, trade: { out_trade_no: string; app_id: string }) =>
      `${publicBase}/cashier?${new URLSearchParams({ out_trade_no: trade.out_trade_no, ...(trade.app_id !== keys.keyApp.appId ? { app_id: trade.app_id } : {}) })}`,
  };
  const controlContext = {
    state,
    ledger,
    notifier,
    codes,
    registry,
    rotation,
    lostAnswers,
    defaultAppId: keys.keyApp.appId,
    transferAppId: keys.certApp.appId,
  };

  const mounted = mountSandbox({
    title: "the Alipay sandbox",
    prefix,
    state,
    notifier,
    async serve(path, req, res, url) {
      if (path === "/gateway.do") {
        await serveGateway(gatewayContext, req, res, url, `http://${req.headers.host ?? "127.0.0.1"}${prefix}`);
        return true;
      }
      if (path !== "/cashier" || req.method !== "GET") return false;
      serveCashier(ledger, url.searchParams, res);
      return true;
    },
    control: (action, req, res) => serveControl(controlContext, action, req, res),
  });

  return { ...mounted, keys, state, registry };
}

export type { AlipaySandboxState } from "./state";
export type { NotifyTransport } from "./notifier";
export type { SandboxTrade, SandboxRefund, TradeStatus } from "./types";
export { ALIPAY_SANDBOX_AUTH_CODES } from "./methods";
export { ALIPAY_SANDBOX_MODES, renderAlipaySandboxConfig } from "./config";
