import { loadOrCreateAlipaySandboxKeys } from "../pki";
import type { SandboxDefinition } from "../registry";
import { renderAlipaySandboxConfig } from "./config";
import { createAlipaySandbox, type AlipaySandbox } from "./index";

/** Alipay's gateway; key mode, or the certificate-mode app when ALIPAY_SANDBOX_MODE=cert at generation. */
export const alipaySandbox: SandboxDefinition<AlipaySandbox> = {
  name: "alipay",
  title: "Alipay sandbox",
  api: "/gateway.do",
  renderConfig: async (dataDir) =>
    renderAlipaySandboxConfig(await loadOrCreateAlipaySandboxKeys(dataDir), { certMode: process.env.ALIPAY_SANDBOX_MODE === "cert" }),
  start: ({ dataDir, mode, log }) => createAlipaySandbox({ dataDir, log, ...(mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100] } : {}) }),
};
