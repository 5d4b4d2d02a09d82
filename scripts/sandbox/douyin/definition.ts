import type { SandboxDefinition } from "../registry";
import { renderDouyinSandboxConfig } from "./config";
import { createDouyinSandbox, type DouyinSandbox } from "./index";
import { loadOrCreateDouyinSandboxKeys } from "./keys";

/** Douyin's server APIs; 通用交易系统 by default, 担保支付 when DOUYIN_SANDBOX_VERSION=1 at generation. */
export const douyinSandbox: SandboxDefinition<DouyinSandbox> = {
  name: "douyin",
  title: "Douyin sandbox",
  api: "/api/trade_basic/v1/developer/",
  renderConfig: async (dataDir) =>
    renderDouyinSandboxConfig(await loadOrCreateDouyinSandboxKeys(dataDir), { version: process.env.DOUYIN_SANDBOX_VERSION === "1" ? 1 : 2 }),
  checkSettings() {
    const version = process.env.DOUYIN_SANDBOX_VERSION;
    if (version !== undefined && version !== "" && version !== "1" && version !== "2")
      throw new Error("DOUYIN_SANDBOX_VERSION must be 1 (担保支付) or 2 (通用交易系统)");
  },
  start: ({ dataDir, mode, log }) => createDouyinSandbox({ dataDir, log, ...(mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100] } : {}) }),
};
