import type { SandboxDefinition } from "../registry";
import { renderXpaySandboxConfig } from "./config";
import { createXpaySandbox, type XpaySandbox } from "./index";
import { loadOrCreateXpaySandboxKeys } from "./keys";

/** WeChat mini-program virtual payment: the xpay server APIs and message pushes, on the emulator's port. */
export const wxpayVirtualSandbox: SandboxDefinition<XpaySandbox> = {
  name: "wxpay-virtual",
  title: "WeChat virtual payment sandbox",
  api: "/xpay/query_order",
  renderConfig: async (dataDir) => renderXpaySandboxConfig(await loadOrCreateXpaySandboxKeys(dataDir)),
  async start({ dataDir, mode, log }) {
    return createXpaySandbox({ dataDir, log, ...(mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100] } : {}) });
  },
};
