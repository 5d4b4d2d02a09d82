/**
 * The WeChat virtual payment (xpay) sandbox, mounted under `/__sandbox/wxpay-virtual`: the access token, the
 * xpay server APIs, the buyer's `wx.requestVirtualPayment`, and message pushes (plain or safe mode, JSON or
 * XML) to the console-configured URL, driven by the control API of SPEC §9.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http";
import { pathBelow, sandboxSettings, type SandboxBaseOptions } from "../mount";
import { serveXpayApi } from "./api";
import { serveXpayControl } from "./control";
import { loadOrCreateXpaySandboxKeys, type XpaySandboxKeys } from "./keys";
import { createPusher, type PushTransport } from "./pusher";
import { createXpaySandboxState, type XpaySandboxState } from "./state";

/** `request` sends the message pushes; `notifyRetryDelaysMs` spaces their attempts (WeChat's own schedule is minutes to hours). */
export type XpaySandboxOptions = SandboxBaseOptions<PushTransport>;

export interface XpaySandbox {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  keys: XpaySandboxKeys;
  state: XpaySandboxState;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createXpaySandbox(options: XpaySandboxOptions): Promise<XpaySandbox> {
  const keys = await loadOrCreateXpaySandboxKeys(options.dataDir);
  const { prefix, now, log, stateFile, retryDelaysMs } = sandboxSettings("wxpay-virtual", options);
  const state = createXpaySandboxState({ file: stateFile, now });
  const pusher = createPusher({ keys, state, transport: options.request, retryDelaysMs, log });
  const ctx = { keys, state, pusher };

  async function handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = pathBelow(prefix, url);
    if (path === undefined) return false;
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
