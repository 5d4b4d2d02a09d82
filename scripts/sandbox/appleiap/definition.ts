import type { SandboxDefinition } from "../registry";
import { renderAppleSandboxConfig } from "./config";
import { createAppleSandbox, type AppleSandbox } from "./index";
import { loadOrCreateAppleSandboxKeys } from "./keys";

/** Apple in-app purchase: verifyReceipt, the App Store Server API and Server Notifications V2. */
export const appleiapSandbox: SandboxDefinition<AppleSandbox> = {
  name: "appleiap",
  title: "Apple IAP sandbox",
  api: "/buy/verifyReceipt",
  renderConfig: async (dataDir) => renderAppleSandboxConfig(await loadOrCreateAppleSandboxKeys(dataDir)),
  start: ({ dataDir }) =>
    createAppleSandbox({ dataDir, defaultNotifyUrl: () => `http://127.0.0.1:${process.env.PORT || 8787}/http/vk-pay/vk-pay-notify/appleiap_app-plus` }),
};
