/**
 * The WeChat Pay sandbox, mounted by `npm start` under `/__sandbox/wxpay`: the v3 merchant API (direct and
 * service provider), the v2 XML API on the same ledger, notifications, the cashier page, the control API
 * and the `api.weixin.qq.com` login stand-ins; plus, on its own HTTPS port, `/secapi/...` with client
 * certificates.
 */
import type { IncomingMessage } from "node:http";
import { loadOrCreateWxpaySandboxKeys, type WxpaySandboxKeys } from "../pki/wxpay-keys";
import { serveApi, type ApiContext } from "./api";
import { createResponseSigner, merchantsFromKeys } from "./auth";
import { serveCashier } from "./cashier";
import { serveControl, type ControlContext } from "./control";
import { sendJson } from "./http";
import { createLedger } from "./ledger";
import { createNotifier, fetchTransport, type NotifyTransport } from "./notifier";
import { createSnsCodes, serveSns } from "./sns";
import { createMicropay } from "./micropay";
import { createPlatformCertificates, type PlatformCertificates } from "./platform";
import { startSecapiServer, type SecapiServer } from "./secapi";
import { createSandboxState, type WxpaySandboxState } from "./state";
import { createSandboxTransfers } from "./transfers";
import { createLostAnswers } from "../lost-answers";
import type { SignMode } from "./types";
import { isV2Path, serveV2, type V2Context } from "./v2-api";
import { mountSandbox, sandboxSettings, type MountedSandbox, type SandboxBaseOptions } from "../mount";

export interface WxpaySandboxOptions extends SandboxBaseOptions<NotifyTransport> {
  /** A PROCESSING refund settles as SUCCESS by itself after this many ms (default 3000); false: only by control. */
  refundAutoSettleMs?: number | false;
  /** How responses are signed for merchants not set otherwise (default certificate). */
  signMode?: SignMode;
  /** Serve `/secapi/...` (mutual TLS) over HTTPS on this port on 127.0.0.1; 0 picks a free one. Omitted: no HTTPS server. */
  httpsPort?: number;
}

export interface WxpaySandbox extends MountedSandbox {
  keys: WxpaySandboxKeys;
  state: WxpaySandboxState;
  platform: PlatformCertificates;
  /** `https://127.0.0.1:<port><prefix>` when `httpsPort` was given: the v2 config's `secapiBaseUrl`. */
  secapiBaseUrl?: string;
}

export async function createWxpaySandbox(options: WxpaySandboxOptions): Promise<WxpaySandbox> {
  const keys = await loadOrCreateWxpaySandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("wxpay", options);
  const state = createSandboxState({
    file: stateFile,
    now,
    defaultSignMode: options.signMode ?? "certificate",
  });
  const merchants = merchantsFromKeys(keys);
  const platform = createPlatformCertificates({ keys, dataDir: options.dataDir, persist: options.persist !== false });
  const sign = createResponseSigner(keys, state, platform);
  const notifier = createNotifier({
    state,
    sign,
    apiV3Key: (mchid) => merchants.get(mchid)!.apiV3Key,
    transport: options.request ?? fetchTransport,
    retryDelaysMs,
    log,
  });
  const ledger = createLedger({ state, notifier, v2Key: (mchid) => merchants.get(mchid)!.key });
  const codes = createSnsCodes(state.now);

  const settleTimers = new Set<NodeJS.Timeout>();
  const scheduleRefundSettlement = (mchid: string, outRefundNo: string) => {
    if (options.refundAutoSettleMs === false) return;
    const timer = setTimeout(() => {
      settleTimers.delete(timer);
      // The control API may have settled it first; then there is nothing left to do.
      if (state.refund(mchid, outRefundNo)?.status === "PROCESSING") ledger.settleRefund(mchid, outRefundNo, "SUCCESS");
    }, options.refundAutoSettleMs ?? 3000);
    timer.unref();
    settleTimers.add(timer);
  };
  // Refunds still processing when the last run stopped settle after a restart too.
  for (const refund of state.refunds()) if (refund.status === "PROCESSING") scheduleRefundSettlement(refund.mchid, refund.out_refund_no);

  const cashierUrl = (req: IncomingMessage, mchid: string, outTradeNo: string) => {
    const query = new URLSearchParams({ out_trade_no: outTradeNo, ...(mchid !== keys.mchId ? { mchid } : {}) });
    return `http://${req.headers.host ?? "127.0.0.1"}${prefix}/cashier?${query}`;
  };
  const micropay = createMicropay({ state, ledger });
  const transfers = createSandboxTransfers({ state, notifier, keys, platform });
  const lostAnswers = createLostAnswers();
  const apiContext: ApiContext = {
    keys,
    state,
    ledger,
    merchants,
    sign,
    platform,
    micropay,
    log,
    scheduleRefundSettlement,
    cashierUrl,
    transfers,
    lostAnswers,
  };
  const v2Context: V2Context = { state, ledger, micropay, merchants, cashierUrl, scheduleRefundSettlement, log };
  const controlContext: ControlContext = { state, ledger, notifier, codes, platform, defaultMchid: keys.mchId, transfers, lostAnswers };
  const snsContext = { codes, apps: new Map([[keys.appId, keys.appSecret]]) };

  let secapi: SecapiServer | undefined;
  const mounted = mountSandbox({
    title: "the WeChat Pay sandbox",
    prefix,
    state,
    notifier,
    async serve(path, req, res, url) {
      if (path.startsWith("/v3/")) {
        // The raw request target keeps the query exactly as sent, which is what the merchant signed.
        const rawTarget = (req.url ?? "").replace(/^[a-z]+:\/\/[^/]+/i, "");
        await serveApi(apiContext, req, res, rawTarget.startsWith(prefix) ? rawTarget.slice(prefix.length) : path + url.search);
        return true;
      }
      if (isV2Path(path)) {
        await serveV2(v2Context, req, res, path);
        return true;
      }
      if (path.startsWith("/sns/") && serveSns(snsContext, path, url.searchParams, res, req)) return true;
      if (path !== "/cashier" || req.method !== "GET") return false;
      serveCashier({ state, ledger, defaultMchid: keys.mchId }, url.searchParams, res);
      return true;
    },
    control: (action, req, res) => serveControl(controlContext, action, req, res),
    async beforeClose() {
      await secapi?.close();
      for (const timer of settleTimers) clearTimeout(timer);
      settleTimers.clear();
    },
  });
  const handler = mounted.handler;

  if (options.httpsPort !== undefined) {
    secapi = await startSecapiServer({
      port: options.httpsPort,
      certPem: keys.secapiServerCertPem,
      keyPem: keys.secapiServerKeyPem,
      caCertPem: keys.caCertPem,
      handle: (req, res) => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        handler(req, res, url)
          .then((served) => {
            if (!served) sendJson(res, 404, { ok: false, error: `the WeChat Pay sandbox serves ${prefix}/... only` });
          })
          .catch((error: unknown) => {
            log(`[wxpay sandbox] https ${url.pathname} failed: ${(error as Error)?.stack ?? String(error)}`);
            if (!res.headersSent) sendJson(res, 500, { ok: false, error: "internal error" });
          });
      },
    });
  }

  return { ...mounted, keys, state, platform, secapiBaseUrl: secapi ? `${secapi.origin}${prefix}` : undefined };
}

export type { WxpaySandboxState } from "./state";
export type { NotifyTransport } from "./notifier";
export type { SignMode, TradeState, RefundStatus } from "./types";
export { renderWxpaySandboxConfig, WXPAY_SANDBOX_MODES, WXPAY_SANDBOX_V2_MODES } from "./config";
