import { explainListenError, portFromEnv } from "../../local/startup-errors";
import { loadOrCreateWxpaySandboxKeys } from "../pki";
import type { SandboxDefinition } from "../registry";
import { renderWxpaySandboxConfig } from "./config";
import { createWxpaySandbox, type WxpaySandbox } from "./index";

/** `/secapi` (v2 refunds, reversals) needs mutual TLS: its own HTTPS port, PORT + 1 unless set. */
function httpsPortSetting(): number {
  const port = portFromEnv("PORT", 8787);
  return portFromEnv("WXPAY_SANDBOX_HTTPS_PORT", port > 0 && port < 65535 ? port + 1 : 0);
}

/** WeChat Pay: API v3 and v2 on the emulator's port, v2's mutual-TLS /secapi on its own (WXPAY_SANDBOX_HTTPS_PORT, PORT + 1 by default). */
export const wxpaySandbox: SandboxDefinition<WxpaySandbox> = {
  name: "wxpay",
  title: "WeChat Pay sandbox",
  api: "/v3/pay/transactions/native",
  renderConfig: async (dataDir) => renderWxpaySandboxConfig(await loadOrCreateWxpaySandboxKeys(dataDir), undefined, { v2: true }),
  checkSettings: () => void httpsPortSetting(),
  async start({ dataDir, mode, log }) {
    const requested = mode === "test" ? 0 : httpsPortSetting();
    const options = mode === "test" ? { persist: false, notifyRetryDelaysMs: [50, 100], refundAutoSettleMs: false as const } : {};
    const sandbox = await createWxpaySandbox({ dataDir, httpsPort: requested, log, ...options }).catch((error: unknown) => {
      throw explainListenError(error, {
        what: "the WeChat Pay sandbox's mutual-TLS port (PORT + 1 unless set)",
        port: requested,
        setting: "WXPAY_SANDBOX_HTTPS_PORT",
      });
    });
    // The generated config's v2 `secapiBaseUrl` reads this when it is loaded, as its baseUrl reads PORT.
    process.env.WXPAY_SANDBOX_HTTPS_PORT = new URL(sandbox.secapiBaseUrl!).port;
    return { ...sandbox, banner: [`  WeChat Pay v2 mutual TLS (/secapi): port ${process.env.WXPAY_SANDBOX_HTTPS_PORT} (WXPAY_SANDBOX_HTTPS_PORT)`] };
  },
};
