/**
 * The WeChat virtual payment (xpay) sandbox, mounted under `/__sandbox/wxpay-virtual`: the access token, the
 * xpay server APIs, the buyer's `wx.requestVirtualPayment`, and message pushes (plain or safe mode, JSON or
 * XML) to the console-configured URL, driven by the control API of SPEC §9.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { sendJson } from "../http";
import { serveXpayApi } from "./api";
import { serveXpayControl } from "./control";
import { loadOrCreateXpaySandboxKeys, type XpaySandboxKeys } from "./keys";
import { createPusher, type PushTransport } from "./pusher";
import { createXpaySandboxState, type XpaySandboxState } from "./state";

export interface XpaySandboxOptions {
  dataDir: string;
  now?: () => number;
  transport?: PushTransport;
  prefix?: string;
  /** Waits between push attempts (WeChat's own schedule is minutes to hours). */
  retryDelaysMs?: number[];
  persist?: boolean;
  log?: (line: string) => void;
}

export interface XpaySandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: XpaySandboxKeys;
  state: XpaySandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createXpaySandbox(options: XpaySandboxOptions): Promise<XpaySandbox> {
  const keys = await loadOrCreateXpaySandboxKeys(options.dataDir);
  const prefix = (options.prefix ?? "/__sandbox/wxpay-virtual").replace(/\/+$/, "");
  const log = options.log ?? ((line: string) => console.log(line));
  const state = createXpaySandboxState({
    file: options.persist === false ? undefined : join(options.dataDir, "sandbox", "wxpay-virtual", "state.json"),
    now: options.now ?? Date.now,
  });
  const pusher = createPusher({ keys, state, transport: options.transport, retryDelaysMs: options.retryDelaysMs ?? [2000, 4000, 8000], log });
  const ctx = { keys, state, pusher };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    const path = url.pathname.slice(prefix.length) || "/";
    if (await serveXpayApi(ctx, path, url.searchParams, req, res)) return true;
    if (/^\/[a-z-]+$/.test(path) && (await serveXpayControl(ctx, path.slice(1), req, res))) return true;
    sendJson(res, 404, { errcode: 404, errmsg: `the xpay sandbox does not serve ${path}` });
    return true;
  }

  return {
    handler,
    keys,
    state,
    idle: () => pusher.idle(),
    async close() {
      pusher.close();
      await pusher.idle();
      state.save();
    },
  };
}
