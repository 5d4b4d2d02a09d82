import type { SandboxDefinition } from "../registry";
import { renderVkspaySandboxConfig } from "./config";
import { createVkspaySandbox, type VkspaySandbox } from "./index";
import { loadOrCreateVkspaySandboxKeys } from "./keys";

/** The 易支付 aggregator protocol VksPay is spoken through (its own is not public). */
export const vkspaySandbox: SandboxDefinition<VkspaySandbox> = {
  name: "vkspay",
  title: "VksPay sandbox (易支付 protocol)",
  api: "/mapi.php",
  renderConfig: async (dataDir) => renderVkspaySandboxConfig(loadOrCreateVkspaySandboxKeys(dataDir)),
  start: ({ dataDir, mode, log }) => createVkspaySandbox({ dataDir, log, ...(mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100] } : {}) }),
};
