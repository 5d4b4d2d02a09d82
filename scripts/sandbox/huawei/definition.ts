import type { SandboxDefinition } from "../registry";
import { renderHuaweiSandboxConfig } from "./config";
import { createHuaweiSandbox, type HuaweiSandbox } from "./index";
import { loadOrCreateHuaweiSandboxKeys } from "./keys";

/** Huawei Payment Kit's server API, callbacks and control actions. */
export const huaweiSandbox: SandboxDefinition<HuaweiSandbox> = {
  name: "huawei",
  title: "Huawei Payment Kit sandbox",
  api: "/api/v2/aggr/preorder/create/app",
  renderConfig: async (dataDir) => renderHuaweiSandboxConfig(loadOrCreateHuaweiSandboxKeys(dataDir)),
  start: ({ dataDir, mode, log }) => createHuaweiSandbox({ dataDir, log, ...(mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100] } : {}) }),
};
